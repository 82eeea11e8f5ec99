"""Response shapes of the JSON API (named `XPublic` for what the API shows of X)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from app.services.ids import MAX_ID

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items match in all pages.")
    limit: int
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")
    next: str | None = Field(description="URL of the next page (also in the Link header).")


class FacetPublic(BaseModel):
    value: str | None = Field(description="The region code, sector or year; null for unknown.", examples=["VE-V"])
    label: str | None = Field(description="Its name (regions) or the value again.", examples=["Zulia"])
    count: int = Field(examples=[42])


class ListOut(PageOut[T], Generic[T]):
    facets: dict[str, list[FacetPublic]] | None = Field(
        None, description="With `facets=`: counts of all matches (not just this page) by region, sector or year."
    )


class RegionPublic(BaseModel):
    code: str = Field(examples=["VE-N"])
    name: str | None = Field(examples=["Monagas"])
    source: str | None = Field(description="admin, import or inferred", examples=["import"])
    evidence: str | None = Field(None, description="For an inferred region: the words that named the place.", examples=["Monagas"])


class OrganizationRef(BaseModel):
    id: int
    slug: str
    name: str


class OrganizationPublic(BaseModel):
    id: int
    slug: str = Field(examples=["aqui-cabemos-todos"])
    name: str = Field(examples=["Aquí Cabemos Todos"])
    acronym: str | None = Field(examples=["Cepaz"])
    country: str | None = Field(examples=["VE"])
    region: RegionPublic | None
    sector: str | None = Field(examples=["ngo"])
    sector_source: str | None = Field(
        description="Where the sector came from: 'inferred' from the name, or set by an 'admin'.", examples=["inferred"]
    )
    region_conflict: list[str] | None = Field(
        None,
        description="When the files disagree on where it is: every region (or country) code its lines were given; "
        "the region shown is the one it had, or the one most lines gave. Null when they agree.",
        examples=[["VE-B", "VE-V"]],
    )
    url: str


class RegionSummary(BaseModel):
    code: str = Field(examples=["VE-V"])
    name: str | None = Field(examples=["Zulia"])
    source: str | None = Field(description="admin, import or inferred", examples=["import"])


class OrganizationListItem(BaseModel):
    id: int
    slug: str = Field(examples=["acceso-a-la-justicia"])
    name: str = Field(examples=["Acceso a la Justicia"])
    acronym: str | None = Field(examples=["AJ"])
    country: str | None = Field(examples=["VE"])
    region: RegionSummary | None
    sector: str | None = Field(examples=["ngo"])
    statement_count: int = Field(description="Statements it signed.", examples=[12])
    first_signed: dt.date | None = Field(description="Date of the earliest statement it signed.", examples=["2014-03-01"])
    last_signed: dt.date | None = Field(description="Date of the latest statement it signed.", examples=["2024-06-12"])
    url: str
    match: Literal["exact", "approximate"] | None = Field(
        None,
        description="With `q`: `exact` when its names have the words as typed, `approximate` when nothing did and it "
        "is returned for a close spelling.",
        examples=["exact"],
    )


class SharedStatement(BaseModel):
    id: int
    slug: str
    title: str
    published_on: dt.date | None = Field(description="First day of the period the date names.")
    date_precision: str | None = Field(examples=["month"])
    date: str | None = Field(None, description="The date at its precision: 2021-11-03, 2021-11 or 2021.", examples=["2021-11"])


class CosignatoryPublic(BaseModel):
    organization: OrganizationListItem
    shared_count: int = Field(description="Statements both signed.", examples=[7])
    shared_statements: list[SharedStatement] = Field(description="Those statements, newest first.")


class RegionCountPublic(BaseModel):
    code: str = Field(examples=["VE-V"])
    name: str | None = Field(examples=["Zulia"])
    organization_count: int = Field(description="Live organizations based there.", examples=[120])
    statement_count: int = Field(description="Statements signed by at least one of them.", examples=[310])
    url: str = Field(description="Its organizations.")


class SignedStatementPublic(BaseModel):
    id: int
    slug: str
    title: str
    kind: str
    published_on: dt.date | None
    date_precision: str | None
    positions: list[str] = Field(description="The numbers this organization was printed at on the statement.")


class OrganizationDetail(OrganizationPublic):
    names: list[str] = Field(description="Every printed name that resolves to this organization, verbatim.")
    statements: list[SignedStatementPublic]
    merged_into: OrganizationRef | None = None


class LineEvidencePublic(BaseModel):
    region: str | None = Field(description="The file's region cell for this line, verbatim.", examples=["Zulia"])
    region_code: str | None = Field(description="Its ISO 3166-2 code.", examples=["VE-V"])
    country: str | None = Field(description="The file's country cell, verbatim.", examples=["VE"])
    country_code: str | None = Field(description="ISO 3166-1: the cell's, or the import's country option.", examples=["VE"])
    acronym: str | None = Field(description="The file's acronym cell, verbatim.", examples=["Codhez"])


class LinePublic(BaseModel):
    id: int = Field(description="The line's id (what a split names).")
    position: str | None = Field(description="The printed number, as text; null when unnumbered.", examples=["10"])
    raw_text: str = Field(description="The line exactly as printed.")
    printed_name: str
    is_repeat: bool = Field(description="The organization already appears on an earlier line of this statement.")
    organization: OrganizationRef
    evidence: LineEvidencePublic = Field(description="What the line's own file said about the organization.")


class StatementPublic(BaseModel):
    id: int
    slug: str
    title: str
    kind: str = Field(examples=["joint_statement"])
    published_on: dt.date | None = Field(description="First day of the period the date names.")
    date_precision: str | None = Field(examples=["month"])
    date: str | None = Field(description="The date at its precision: 2021-11-03, 2021-11 or 2021.", examples=["2021-11"])
    language: str | None
    urls: list[str]
    line_count: int
    organization_count: int = Field(description="Distinct organizations among the lines.")
    url: str


class StatementDetail(StatementPublic):
    translator: str | None
    addressees: list[str]
    summary: str | None
    body: str | None
    notes: str | None
    lines: list[LinePublic]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["sqlite"])
    statements: int


class OrganizationUpdate(BaseModel):
    """Only the fields present are changed; null clears acronym, region or sector."""

    model_config = {"extra": "forbid"}

    name: str | None = Field(None, min_length=1, max_length=1000, examples=["Aquí Cabemos Todos"])
    acronym: str | None = Field(None, max_length=100, examples=["ACT"])
    region: str | None = Field(None, description="ISO 3166-2 code.", examples=["VE-A"])
    sector: str | None = Field(None, examples=["ngo"])


class MergeRequest(BaseModel):
    model_config = {"extra": "forbid"}

    into: int = Field(description="Id of the organization that survives.", ge=1, le=MAX_ID, examples=[12])


class SplitRequest(BaseModel):
    """Which lines move (`lines`, and/or every line printed as `printed_name`) and where: `into` an
    existing organization, or a new one (named `name`, else after the first line moved)."""

    model_config = {"extra": "forbid"}

    lines: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=100_000, description="Signature line ids (see a statement's `lines`).", examples=[[431]]
    )
    printed_name: str | None = Field(None, max_length=1000, description="Every line of this organization printed exactly so.")
    into: int | None = Field(None, ge=1, le=MAX_ID, description="Id of the organization the lines move to; null: a new one.")
    name: str | None = Field(None, max_length=1000, description="Name of the new organization (only without `into`).")
    note: str | None = Field(None, max_length=2000, description="Why, for the record.")


class SplitPublic(BaseModel):
    id: int
    organization: OrganizationRef = Field(description="Where the lines were.")
    into: OrganizationRef | None = Field(description="Where they went (null once an undo removed the organization the split created).")
    into_name: str
    created_into: bool = Field(description="The split created `into`.")
    lines: list[int] = Field(description="The lines it moved.")
    note: str | None
    actor: str
    created_at: dt.datetime
    undone_at: dt.datetime | None
    undone_by: str | None


class MergePublic(BaseModel):
    id: int
    merged: OrganizationRef
    survivor: OrganizationRef
    candidate_id: int | None
    actor: str
    created_at: dt.datetime
    undone_at: dt.datetime | None
    undone_by: str | None


class CandidateSide(BaseModel):
    id: int
    slug: str
    name: str
    names: list[str]
    acronym: str | None
    region: RegionPublic | None
    statements: list[str] = Field(description="Slugs of the statements it signed.")


class CandidatePublic(BaseModel):
    id: int
    default_survivor: int | None = Field(
        None, description="Which side survives a `same` decision unless another is chosen (live pairs only).", examples=[12]
    )
    score: float = Field(examples=[0.82])
    reasons: list[str] = Field(examples=[["share the distinctive word 'tebripar'"]])
    status: str = Field(examples=["open"])
    decided_by: str | None
    decided_at: dt.datetime | None
    organization_a: CandidateSide
    organization_b: CandidateSide


class DecisionRequest(BaseModel):
    model_config = {"extra": "forbid"}

    decision: str = Field(description="same, different or unsure.", pattern="^(same|different|unsure)$", examples=["same"])
    survivor: int | None = Field(
        None,
        description="For `same`: the id of the side that survives (default: the established record, see the "
        "candidate's `default_survivor`).",
        ge=1,
        le=MAX_ID,
        examples=[12],
    )


class DecisionPublic(BaseModel):
    candidate: CandidatePublic
    merge: MergePublic | None


class RefreshPublic(BaseModel):
    raised: int = Field(description="New suggestions stored.")
