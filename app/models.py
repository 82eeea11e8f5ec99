"""The registry's tables (SQLAlchemy 2 typed ORM); column meanings live in `comment=`.

Identity v2: every signature line carries its own attribution (`organization_id`) and the evidence
its file gave (region, country, acronym, verbatim). Printed names are a global catalog of verbatim
texts, so two organizations can be printed with the same words (homonyms). Merges and splits move
lines between organizations and record each move, so both undo exactly; what a line printed and
what its file said are never rewritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATEMENT_KINDS = ("joint_statement", "open_letter", "agreement", "report", "other")
DATE_PRECISIONS = ("day", "month", "year")
SECTORS = (
    "ngo",
    "academic",
    "professional_body",
    "union",
    "religious",
    "business",
    "government",
    "intergovernmental",
    "media",
)
# Where an organization's region, country or sector came from; an admin's or the import file's word
# wins over inference.
VALUE_SOURCES = ("admin", "import", "inferred")
NAME_SOURCES = ("printed", "admin")
DECISIONS = ("same", "different", "unsure")
CANDIDATE_STATUSES = ("open", *DECISIONS)
CANDIDATE_ORIGINS = ("similar", "homonym")
# Engine-specific search indexes made by migration 0004, not by these models (SQLite's full-text
# table of printed names and its shadow tables; expression indexes): schema comparisons skip them.
SEARCH_INDEX_TABLES = ("printed_names_fts", "printed_names_fts_data", "printed_names_fts_idx",
                       "printed_names_fts_content", "printed_names_fts_docsize", "printed_names_fts_config")
SEARCH_INDEXES = ("ix_organizations_acronym_lower", "ix_printed_names_search_words")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, handed back aware and in UTC on every engine.

    why: SQLite keeps no zone and returns naive values, PostgreSQL returns the session's zone;
    the API promises RFC 3339 date-times with an offset (schemathesis found the naive ones).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = {"comment": "A published text (joint statement, open letter, agreement) with signatories."}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True, comment="Stable URL name.")
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="joint_statement", comment=f"One of {STATEMENT_KINDS}.")
    published_on: Mapped[dt.date | None] = mapped_column(
        Date, index=True, comment="First day of the publication period; see date_precision."
    )
    date_precision: Mapped[str | None] = mapped_column(
        String(5), comment="How much of published_on the source gives: day, month or year."
    )
    language: Mapped[str | None] = mapped_column(String(16), comment="BCP 47 tag of the text kept here.")
    translator: Mapped[str | None] = mapped_column(String(300))
    addressees: Mapped[list[str]] = mapped_column(default=list, comment="Who the text is addressed to.")
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text, comment="The statement's text, without its signature list.")
    notes: Mapped[str | None] = mapped_column(Text, comment="Provenance remarks, e.g. how the date was established.")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    urls: Mapped[list[StatementUrl]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="StatementUrl.id"
    )
    lines: Mapped[list[SignatureLine]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="SignatureLine.sort_order"
    )


class StatementUrl(Base):
    __tablename__ = "statement_urls"
    __table_args__ = {"comment": "Where a statement is published; a URL identifies its statement on import."}

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)

    statement: Mapped[Statement] = relationship(back_populates="urls")


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        # why: "organizations of one region, by name" is read straight off this index, live ones only.
        Index("ix_organizations_region_code_merged_into_id_name", "region_code", "merged_into_id", "name"),
        {"comment": "A real organization; printed names resolve to it."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(1000), comment="Display name.")
    acronym: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2), index=True, comment="ISO 3166-1 alpha-2.")
    region_code: Mapped[str | None] = mapped_column(String(10), index=True, comment="ISO 3166-2, e.g. VE-N.")
    region_source: Mapped[str | None] = mapped_column(String(10), comment=f"One of {VALUE_SOURCES}.")
    region_evidence: Mapped[str | None] = mapped_column(
        String(300), comment="For an inferred region: the words of the name that named the place."
    )
    region_conflict: Mapped[list[str] | None] = mapped_column(
        JSON(none_as_null=True), comment="When the files disagree: every place code their lines gave (regions, or countries); else null."
    )
    country_source: Mapped[str | None] = mapped_column(String(10), comment=f"One of {VALUE_SOURCES}.")
    sector: Mapped[str | None] = mapped_column(String(30), index=True, comment=f"One of {SECTORS}.")
    sector_source: Mapped[str | None] = mapped_column(String(10), comment=f"One of {VALUE_SOURCES}.")
    name_source: Mapped[str] = mapped_column(
        String(10), default="printed", server_default="printed", comment=f"One of {NAME_SOURCES}: derived from its printed names, or set by an admin."
    )
    legal_form: Mapped[str | None] = mapped_column(String(100), comment="A legal form printed with the name (A.C., S.C.), kept apart from it.")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, comment="Set when merged: the surviving organization."
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrintedName(Base):
    __tablename__ = "printed_names"
    __table_args__ = {"comment": "A name exactly as printed on some statement: the catalog of verbatim texts, shared by homonyms."}

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(1000), unique=True, comment="Verbatim, trimmed of surrounding space.")
    match_key: Mapped[str] = mapped_column(String(1000), index=True, comment="names.match_key(text).")
    key_version: Mapped[int] = mapped_column(Integer, comment="names.MATCH_KEY_VERSION the key was made with.")
    search_text: Mapped[str] = mapped_column(String(1000), comment="names.search_text(text), for search.")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganizationName(Base):
    __tablename__ = "organization_names"
    __table_args__ = (
        # why: name search and the import go from a printed name to the organizations it names.
        Index("ix_organization_names_printed_name_id_organization_id", "printed_name_id", "organization_id"),
        {"comment": "Derived from signature lines: the printed names each organization's lines use, and how often."},
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    printed_name_id: Mapped[int] = mapped_column(ForeignKey("printed_names.id"), primary_key=True)
    line_count: Mapped[int] = mapped_column(Integer, comment="Lines of this organization printed with this name.")


class SignatureLine(Base):
    __tablename__ = "signature_lines"
    __table_args__ = (
        UniqueConstraint("statement_id", "printed_name_id", "position"),
        # why: covers organization -> statements, so per-organization counts never read the lines table.
        Index("ix_signature_lines_organization_id_statement_id", "organization_id", "statement_id"),
        {"comment": "One printed line of a statement's signature list: its text and evidence are never rewritten."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    sort_order: Mapped[int] = mapped_column(Integer, comment="Order of the line in the printed list.")
    position: Mapped[str] = mapped_column(
        String(20), default="", comment="Printed number as text ('10'); empty when unnumbered."
    )
    raw_text: Mapped[str] = mapped_column(Text, comment="The line exactly as printed or given in the file.")
    printed_name_id: Mapped[int] = mapped_column(ForeignKey("printed_names.id"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id"), comment="The organization this line names now; merges and splits move it."
    )
    is_repeat: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="The organization already appears on an earlier line of this statement."
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id"), index=True, comment="The import that added the line (null: before imports were recorded)."
    )
    given_region: Mapped[str | None] = mapped_column(String(200), comment="The region cell of the line's row, verbatim.")
    region_code: Mapped[str | None] = mapped_column(String(10), comment="ISO 3166-2 code of given_region.")
    given_country: Mapped[str | None] = mapped_column(String(100), comment="The country cell of the line's row, verbatim.")
    country: Mapped[str | None] = mapped_column(
        String(2), comment="ISO 3166-1 code the import gave the line (its country cell, or the import's country option)."
    )
    given_acronym: Mapped[str | None] = mapped_column(String(100), comment="The acronym cell of the line's row, verbatim.")

    statement: Mapped[Statement] = relationship(back_populates="lines")
    printed_name: Mapped[PrintedName] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = {"comment": "Admin tokens; only a SHA-256 hash is stored, the token is shown once."}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), comment="Who holds it.")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AdminSession(Base):
    __tablename__ = "admin_sessions"
    __table_args__ = {"comment": "Logged-in admin pages: the cookie holds a random id, only its SHA-256 is stored."}

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the cookie's value.")
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True, comment="The token logged in with; revoking it ends the session."
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="Absolute end, whatever the browser keeps.")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = {"comment": "Append-only record of every admin action."}

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), comment="Token name, or 'cli' for the command line.")
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ReviewCandidate(Base):
    __tablename__ = "review_candidates"
    __table_args__ = (
        UniqueConstraint("organization_a_id", "organization_b_id"),
        CheckConstraint("organization_a_id < organization_b_id", name="ordered_pair"),
        {"comment": "A suggested duplicate pair and, once a person decides, the decision."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_a_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), comment="The smaller id.")
    organization_b_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    score: Mapped[float] = mapped_column(Float, comment="0..1: how likely the two are one organization.")
    reasons: Mapped[list[str]] = mapped_column(default=list, comment="Human-readable evidence for and against.")
    origin: Mapped[str] = mapped_column(
        String(10), default="similar", server_default="similar",
        comment=f"One of {CANDIDATE_ORIGINS}: raised by the names' similarity, or by an import that kept same-named organizations apart.",
    )
    status: Mapped[str] = mapped_column(String(10), default="open", index=True, comment=f"One of {CANDIDATE_STATUSES}.")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Merge(Base):
    __tablename__ = "merges"
    __table_args__ = {"comment": "One organization merged into another; undone by moving its lines back."}

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("review_candidates.id"))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    survivor_before: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="Survivor fields the merge changed, with their old values."
    )
    last_line_id: Mapped[int | None] = mapped_column(
        Integer, comment="The newest line id when the merge was made: later lines can follow the moved names back."
    )
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(200))

    moves: Mapped[list[MergeMove]] = relationship(back_populates="merge", cascade="all, delete-orphan")


class MergeMove(Base):
    __tablename__ = "merge_moves"
    __table_args__ = {"comment": "A signature line a merge moved to the survivor."}

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("merges.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("signature_lines.id"), index=True)

    merge: Mapped[Merge] = relationship(back_populates="moves")


class Split(Base):
    __tablename__ = "splits"
    __table_args__ = {"comment": "Signature lines an admin moved from one organization to another; undone by moving them back."}

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True, comment="Where the lines were.")
    into_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, comment="Where they went (null once an undo removed the organization the split created)."
    )
    into_name: Mapped[str] = mapped_column(String(1000), comment="The name of `into` when the split was made.")
    created_into: Mapped[bool] = mapped_column(Boolean, default=False, comment="The split created `into` for these lines.")
    printed_name_id: Mapped[int | None] = mapped_column(
        ForeignKey("printed_names.id"), index=True,
        comment="The printed form whose every line moved, when the split named one: later lines printed so follow it.",
    )
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, comment="Why, in the admin's words.")
    last_line_id: Mapped[int | None] = mapped_column(
        Integer, comment="The newest line id when the split was made: later lines can follow the moved names back."
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(200))

    moves: Mapped[list[SplitMove]] = relationship(back_populates="split", cascade="all, delete-orphan")


class SplitMove(Base):
    __tablename__ = "split_moves"
    __table_args__ = {"comment": "A signature line a split moved."}

    id: Mapped[int] = mapped_column(primary_key=True)
    split_id: Mapped[int] = mapped_column(ForeignKey("splits.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("signature_lines.id"), index=True)

    split: Mapped[Split] = relationship(back_populates="moves")


class OrganizationStats(Base):
    __tablename__ = "organization_stats"
    __table_args__ = (
        Index("ix_organization_stats_statement_count_organization_id", "statement_count", "organization_id"),
        Index("ix_organization_stats_last_signed_organization_id", "last_signed", "organization_id"),
        {"comment": "Derived from signature lines by services.signing_stats, so lists never count lines."},
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    statement_count: Mapped[int] = mapped_column(Integer, comment="Statements with a line naming it.")
    first_signed: Mapped[dt.date | None] = mapped_column(Date, comment="Earliest date among those statements.")
    last_signed: Mapped[dt.date | None] = mapped_column(Date, comment="Latest date among those statements.")


class StatementStats(Base):
    __tablename__ = "statement_stats"
    __table_args__ = {"comment": "Derived from signature lines by services.signing_stats."}

    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True)
    line_count: Mapped[int] = mapped_column(Integer, comment="Printed signature lines.")
    organization_count: Mapped[int] = mapped_column(Integer, comment="Distinct organizations among the lines.")


class RegionStats(Base):
    __tablename__ = "region_stats"
    __table_args__ = {"comment": "Derived by services.signing_stats; a region with nothing to count has no row."}

    region_code: Mapped[str] = mapped_column(String(10), primary_key=True, comment="ISO 3166-2, e.g. VE-N.")
    organization_count: Mapped[int] = mapped_column(Integer, comment="Live organizations based there.")
    statement_count: Mapped[int] = mapped_column(
        Integer, comment="Statements with a line naming an organization based there."
    )


IMPORT_STATUSES = ("applied", "dry_run", "refused")


class Import(Base):
    __tablename__ = "imports"
    __table_args__ = {"comment": "Every import attempt (applied, dry run or refused) with its report."}

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500), comment="The file's name as given; not a path on the server.")
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True, comment="SHA-256 of the bytes imported.")
    file_bytes: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200), comment="Token name, 'cli' or 'seed'; never a token.")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), comment=f"One of {IMPORT_STATUSES}.")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="The import report, as returned.")
