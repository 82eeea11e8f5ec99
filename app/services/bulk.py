"""The import engine: signature rows in; statements, printed names, organizations and lines out.

One flow for every file, from a three-line upload to a million-line archive: rows are checked one
by one, then written in batches with Core `insert()` executemany. Printed names and match keys are
looked up in the database once per batch (`IN (...)`) and remembered, so a name costs one lookup per
import however often it is printed. Flushes, never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import csvio, names
from app.errors import InvalidInput
from app.models import STATEMENT_KINDS, Organization, PrintedName, SignatureLine, Statement, StatementUrl
from app.services.identity import OrganizationHints, describe_new_organization, normalize_country, normalize_region_code

BATCH_ROWS = 5_000
_LOOKUP_CHUNK = 2_000  # values per `IN (...)`: far below SQLite's and psycopg's parameter limits
# why: a statement's known lines stay in memory while its rows keep coming; files list each
# statement's rows together, so a few hundred recent statements cover them, and one evicted is
# reloaded from the database (its lines are flushed by then) if it comes back.
_STATEMENT_STATES_KEPT = 256
_LIMITS = {"organization": 1000, "position": 20, "statement_url": 2000, "acronym": 100, "statement_language": 16}

Resolution = Literal["exact", "key", "new"]


@dataclass(frozen=True, slots=True)
class StatementExtras:
    """Statement fields a signature file does not carry (the seed's TOML metadata); they fill the
    statements the import creates."""

    kind: str | None = None
    translator: str | None = None
    addressees: tuple[str, ...] = ()
    summary: str | None = None
    body: str | None = None
    notes: str | None = None
    slug: str | None = None
    urls: tuple[str, ...] = ()


@dataclass
class StatementReport:
    statement_id: int
    slug: str
    title: str
    created: bool
    lines_added: int = 0
    lines_present: int = 0
    names_exact: int = 0
    names_by_key: int = 0
    organizations_created: int = 0


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str | None
    reason: str


@dataclass
class LoadResult:
    statements: list[StatementReport]
    errors: list[RowProblem]
    rows_valid: int
    new_organization_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Line:
    """A checked row: where it goes and what it says."""

    statement: _StatementState
    text: str
    raw: str
    position: str
    hints: OrganizationHints
    region: str | None


@dataclass(slots=True)
class _StatementState:
    report: StatementReport
    lines: set[tuple[int, str]]  # (printed_name_id, position) already on the statement
    organizations: set[int]
    next_order: int


class Loader:
    """Writes checked rows; one instance per import (its caches hold only this import's names)."""

    def __init__(self, session: Session, *, country: str | None = None, extras: StatementExtras | None = None):
        self.session = session
        self.country = country
        self.extras = extras or StatementExtras()
        self._names: dict[str, tuple[int, int]] = {}  # printed text -> (printed name id, organization id)
        self._org_by_key: dict[str, int] = {}
        self._keys_missing: set[str] = set()
        self._introduced: dict[str, Resolution] = {}  # names created by this batch, until first counted
        self._statement_by_file_key: dict[tuple[Any, ...], int] = {}
        self._reports: dict[int, StatementReport] = {}
        self._states: OrderedDict[int, _StatementState] = OrderedDict()
        self._region_hints: dict[int, str] = {}
        self._statement_slugs: set[str] | None = None
        self._organization_slugs: set[str] | None = None
        self._new_organization_ids: list[int] = []
        self._dates: dict[str, csvio.ParsedDate | None] = {}

    # ------------------------------------------------------------------ the flow

    def load(self, rows: Iterable[csvio.SignatureRow | csvio.RowError]) -> LoadResult:
        """Check and write every row; rows with problems are reported, never written."""
        errors: list[RowProblem] = []
        valid = 0
        for batch in _batched(iter(rows), BATCH_ROWS):
            lines = []
            for row in batch:
                checked = self._check(row)
                if isinstance(checked, RowProblem):
                    errors.append(checked)
                else:
                    lines.append(checked)
            valid += len(lines)
            self._write(lines)
            self._forget_old_statements()
        self._apply_region_hints()
        return LoadResult(list(self._reports.values()), errors, valid, self._new_organization_ids)

    # ------------------------------------------------------------------ checking one row

    def _check(self, row: csvio.SignatureRow | csvio.RowError) -> _Line | RowProblem:
        if isinstance(row, csvio.RowError):
            return RowProblem(row.line, row.column, row.reason)
        try:
            for column, limit in _LIMITS.items():
                value = getattr(row, column)
                if value is not None and len(value) > limit:
                    raise InvalidInput(f"{len(value):,} characters; at most {limit:,}", field=column)
            if not row.statement_title:
                raise InvalidInput(
                    "the statement title is empty: give it in a title column or as an option", field="statement_title"
                )
            if row.statement_kind is not None and row.statement_kind not in STATEMENT_KINDS:
                raise InvalidInput(f"unknown kind {row.statement_kind!r}; one of {', '.join(STATEMENT_KINDS)}", field="statement_kind")
            region = normalize_region_code(row.region) if row.region else None
            country = normalize_country(row.country) if row.country else None
            statement = self._statement_for(row)
        except InvalidInput as error:
            return RowProblem(row.line, error.extra.get("field"), error.detail)
        hints = OrganizationHints(region=region, acronym=row.acronym, country=country or self.country)
        return _Line(statement, row.organization, row.raw, row.position or "", hints, region)

    def _parsed_date(self, text: str | None) -> csvio.ParsedDate | None:
        if text is None:
            return None
        if text not in self._dates:
            try:
                self._dates[text] = csvio.parse_date(text)
            except ValueError as error:
                raise InvalidInput(str(error), field="statement_date") from None
        return self._dates[text]

    # ------------------------------------------------------------------ statements

    def _statement_for(self, row: csvio.SignatureRow) -> _StatementState:
        """Find the row's statement (by URL, else title and date) or create it; cached per file key."""
        title, url = row.statement_title or "", row.statement_url
        date = self._parsed_date(row.statement_date)
        file_key = ("url", url) if url else ("title", title, date.value if date else None)
        statement_id = self._statement_by_file_key.get(file_key)
        if statement_id is None:
            urls = [url, *self.extras.urls] if url else list(self.extras.urls)
            statement_id = self._find_statement(title, date, urls) or self._create_statement(row, title, date, urls)
            self._add_missing_urls(statement_id, urls)
            self._statement_by_file_key[file_key] = statement_id
        return self._state(statement_id)

    def _find_statement(self, title: str, date: csvio.ParsedDate | None, urls: list[str]) -> int | None:
        if urls:
            found = self.session.scalar(select(StatementUrl.statement_id).where(StatementUrl.url.in_(urls)).limit(1))
            if found is not None:
                return found
        same_date = Statement.published_on.is_(None) if date is None else Statement.published_on == date.value
        return self.session.scalar(select(Statement.id).where(Statement.title == title, same_date).limit(1))

    def _create_statement(self, row: csvio.SignatureRow, title: str, date: csvio.ParsedDate | None, urls: list[str]) -> int:
        if self._statement_slugs is None:
            self._statement_slugs = set(self.session.scalars(select(Statement.slug)))
        year = f"{date.value.year}-" if date else ""
        slug = names.first_free_slug(self.extras.slug or names.slugify(f"{year}{title}"), self._statement_slugs)
        self._statement_slugs.add(slug)
        extras = self.extras
        values = {
            "slug": slug,
            "title": title,
            "kind": row.statement_kind or extras.kind or "joint_statement",
            "published_on": date.value if date else None,
            "date_precision": date.precision if date else None,
            "language": row.statement_language,
            "translator": extras.translator,
            "addressees": list(extras.addressees),
            "summary": extras.summary,
            "body": extras.body,
            "notes": extras.notes,
        }
        statement_id = self.session.execute(Statement.__table__.insert().returning(Statement.__table__.c.id), values).scalar_one()
        self._reports[statement_id] = StatementReport(statement_id, slug, title, created=True)
        self._states[statement_id] = _StatementState(self._reports[statement_id], set(), set(), 1)
        return statement_id

    def _add_missing_urls(self, statement_id: int, urls: list[str]) -> None:
        if not urls:
            return
        known = set(self.session.scalars(select(StatementUrl.url).where(StatementUrl.url.in_(urls))))
        missing = [{"statement_id": statement_id, "url": url} for url in dict.fromkeys(urls) if url not in known]
        if missing:
            self.session.execute(StatementUrl.__table__.insert(), missing)

    def _state(self, statement_id: int) -> _StatementState:
        state = self._states.get(statement_id)
        if state is not None:
            self._states.move_to_end(statement_id)
            return state
        report = self._reports.get(statement_id) or self._matched_report(statement_id)
        rows = self.session.execute(
            select(SignatureLine.printed_name_id, SignatureLine.position, PrintedName.organization_id, SignatureLine.sort_order)
            .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
            .where(SignatureLine.statement_id == statement_id)
        ).all()
        state = _StatementState(
            report,
            {(row.printed_name_id, row.position) for row in rows},
            {row.organization_id for row in rows},
            max((row.sort_order for row in rows), default=0) + 1,
        )
        self._states[statement_id] = state
        return state

    def _matched_report(self, statement_id: int) -> StatementReport:
        slug, title = self.session.execute(select(Statement.slug, Statement.title).where(Statement.id == statement_id)).one()
        self._reports[statement_id] = StatementReport(statement_id, slug, title, created=False)
        return self._reports[statement_id]

    def _forget_old_statements(self) -> None:
        while len(self._states) > _STATEMENT_STATES_KEPT:
            self._states.popitem(last=False)

    # ------------------------------------------------------------------ names and organizations

    def _write(self, lines: list[_Line]) -> None:
        first_of = {}
        for line in lines:
            first_of.setdefault(line.text, line)
        unknown = [text for text in first_of if text not in self._names]
        if unknown:
            self._look_up_names(unknown)
            self._create_names([first_of[text] for text in unknown if text not in self._names])
        self._write_lines(lines)

    def _look_up_names(self, texts: list[str]) -> None:
        for chunk in _chunks(texts, _LOOKUP_CHUNK):
            query = select(PrintedName.text, PrintedName.id, PrintedName.organization_id).where(PrintedName.text.in_(chunk))
            for text, printed_name_id, organization_id in self.session.execute(query):
                self._names[text] = (printed_name_id, organization_id)

    def _look_up_keys(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, _LOOKUP_CHUNK):
            query = (
                select(PrintedName.match_key, PrintedName.organization_id)
                .where(PrintedName.match_key.in_(chunk))
                .order_by(PrintedName.id)
            )
            for key, organization_id in self.session.execute(query):
                self._org_by_key.setdefault(key, organization_id)
        self._keys_missing.update(key for key in keys if key not in self._org_by_key)

    def _create_names(self, first_lines: list[_Line]) -> None:
        """New printed names: attached to the organization of an equal match key, else to a new one."""
        if not first_lines:
            return
        keyed = [(line, names.match_key(line.text)) for line in first_lines]
        unseen = list(dict.fromkeys(key for _, key in keyed if key not in self._org_by_key and key not in self._keys_missing))
        self._look_up_keys(unseen)
        founders = {}
        for line, key in keyed:
            if key not in self._org_by_key:
                founders.setdefault(key, line)
        self._create_organizations(founders)
        rows = []
        for line, key in keyed:
            self._introduced[line.text] = "new" if founders.get(key) is line else "key"
            rows.append(
                {
                    "text": line.text,
                    "match_key": key,
                    "key_version": names.MATCH_KEY_VERSION,
                    "search_text": names.search_text(line.text),
                    "organization_id": self._org_by_key[key],
                }
            )
        table = PrintedName.__table__
        ids = self.session.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        for row, printed_name_id in zip(rows, ids, strict=True):
            self._names[row["text"]] = (printed_name_id, row["organization_id"])

    def _create_organizations(self, founders: dict[str, _Line]) -> None:
        if not founders:
            return
        if self._organization_slugs is None:
            self._organization_slugs = set(self.session.scalars(select(Organization.slug)))
        rows = []
        for line in founders.values():
            described = describe_new_organization(line.text, line.hints)
            slug = names.first_free_slug(names.slugify(described["name"]), self._organization_slugs)
            self._organization_slugs.add(slug)
            rows.append({"slug": slug, **described})
        table = Organization.__table__
        ids = self.session.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
        self._new_organization_ids.extend(ids)
        self._org_by_key.update(zip(founders, ids, strict=True))
        self._keys_missing.difference_update(founders)

    # ------------------------------------------------------------------ lines

    def _write_lines(self, lines: list[_Line]) -> None:
        rows = []
        for line in lines:
            state = line.statement
            report = state.report
            printed_name_id, organization_id = self._names[line.text]
            how = self._introduced.pop(line.text, "exact")
            if how == "exact":
                report.names_exact += 1
            elif how == "key":
                report.names_by_key += 1
            else:
                report.organizations_created += 1
            if line.region:
                self._region_hints[organization_id] = line.region
            line_key = (printed_name_id, line.position)
            if line_key in state.lines:
                report.lines_present += 1
                continue
            rows.append(
                {
                    "statement_id": report.statement_id,
                    "sort_order": state.next_order,
                    "position": line.position,
                    "raw_text": line.raw,
                    "printed_name_id": printed_name_id,
                    "is_repeat": organization_id in state.organizations,
                }
            )
            state.lines.add(line_key)
            state.organizations.add(organization_id)
            state.next_order += 1
            report.lines_added += 1
        if rows:
            self.session.execute(SignatureLine.__table__.insert(), rows)

    def _apply_region_hints(self) -> None:
        """A region given in the file wins over an inferred one, never over an admin's."""
        hints = self._region_hints
        for chunk in _chunks(list(hints), _LOOKUP_CHUNK):
            current = self.session.execute(
                select(Organization.id, Organization.region_code, Organization.region_source).where(Organization.id.in_(chunk))
            )
            changes = [
                {"organization_id": row.id, "code": hints[row.id]}
                for row in current
                if row.region_source != "admin" and (row.region_code, row.region_source) != (hints[row.id], "import")
            ]
            for change in changes:
                self.session.execute(
                    update(Organization)
                    .where(Organization.id == change["organization_id"])
                    .values(region_code=change["code"], region_source="import", region_evidence=None)
                )


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
