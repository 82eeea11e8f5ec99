"""Read organizations: search over every printed name, details and the statements each signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app import names
from app.errors import InvalidInput, NotFound
from app.models import SECTORS, Organization, PrintedName, SignatureLine, Statement
from app.regions import region_name
from app.services import audit
from app.services.identity import normalize_region_code
from app.services.ids import row_id
from app.services.paging import Page, paginate


@dataclass
class SignedStatement:
    id: int
    slug: str
    title: str
    kind: str
    published_on: dt.date | None
    date_precision: str | None
    positions: list[str] = field(default_factory=list)


def get(session: Session, id_or_slug: str) -> Organization:
    """An organization by numeric id or slug, merged or not; NotFound otherwise."""
    number = row_id(id_or_slug)
    condition = Organization.id == number if number is not None else Organization.slug == id_or_slug
    organization = session.scalar(select(Organization).where(condition))
    if organization is None:
        raise NotFound(f"No organization with id or slug '{id_or_slug}'.", parameter="id_or_slug")
    return organization


def _byte_order(session: Session, column: ColumnElement[str]) -> ColumnElement[str]:
    """Order by code points on both engines, so pages and cursors agree across them."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def search(session: Session, *, q: str | None, limit: int, cursor: str | None = None) -> Page[Organization]:
    """Live organizations, by slug; with `q`, those with any printed name containing it.

    Matching ignores case, accents and punctuation: "aqui cabemos" finds "Aquí Cabemos Todos".
    """
    query: Select = select(Organization).where(Organization.merged_into_id.is_(None))
    folded = names.search_text(q) if q else ""
    if folded:
        matching = select(PrintedName.organization_id).where(PrintedName.search_text.contains(folded, autoescape=True))
        query = query.where(Organization.id.in_(matching))
    return paginate(
        session,
        query,
        keys=[_byte_order(session, Organization.slug)],
        key_of=lambda org: [org.slug],
        limit=limit,
        cursor=cursor,
    )


def printed_names(session: Session, organization_id: int) -> list[str]:
    return list(
        session.scalars(
            select(PrintedName.text).where(PrintedName.organization_id == organization_id).order_by(PrintedName.id)
        )
    )


def statements_signed(session: Session, organization_id: int) -> list[SignedStatement]:
    """Every statement with a line naming this organization, newest first, with the printed positions."""
    rows = session.execute(
        select(
            Statement.id,
            Statement.slug,
            Statement.title,
            Statement.kind,
            Statement.published_on,
            Statement.date_precision,
            SignatureLine.position,
        )
        .join(SignatureLine, SignatureLine.statement_id == Statement.id)
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .where(PrintedName.organization_id == organization_id)
        .order_by(Statement.published_on.desc().nulls_last(), Statement.id, SignatureLine.sort_order)
    )
    by_id: dict[int, SignedStatement] = {}
    for row in rows:
        signed = by_id.setdefault(
            row.id,
            SignedStatement(row.id, row.slug, row.title, row.kind, row.published_on, row.date_precision),
        )
        if row.position:
            signed.positions.append(row.position)
    return list(by_id.values())


_EDITABLE = ("name", "acronym", "region_code", "sector")


def update(session: Session, organization: Organization, changes: dict[str, str | None], *, actor: str) -> Organization:
    """An admin's corrections; a region or sector set here wins over inferred or imported ones.

    `changes` holds only the fields to change; None clears acronym, region or sector.
    """
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    before = {field: getattr(organization, field) for field in changes}
    if "name" in changes:
        name = names.normalize_whitespace(changes["name"] or "")
        if not name:
            raise InvalidInput("The name cannot be empty.", field="name")
        organization.name = name
    if "acronym" in changes:
        organization.acronym = (changes["acronym"] or "").strip() or None
    if "region_code" in changes:
        _set_region(organization, changes["region_code"])
    if "sector" in changes:
        _set_sector(organization, changes["sector"])
    audit.record(
        session,
        actor=actor,
        action="organization.update",
        subject_type="organization",
        subject_id=organization.id,
        details={"before": before, "after": {field: getattr(organization, field) for field in changes}},
    )
    session.flush()
    return organization


def _set_region(organization: Organization, code: str | None) -> None:
    region = normalize_region_code(code)
    if region is not None and region_name(region) is None:
        raise InvalidInput(f"'{region}' is not a known ISO 3166-2 region.", field="region_code")
    organization.region_code = region
    # why: an admin clearing the region is a decision too; inference must not fill it again.
    organization.region_source = "admin"
    organization.region_evidence = None


def _set_sector(organization: Organization, sector: str | None) -> None:
    if sector is not None and sector not in SECTORS:
        raise InvalidInput(f"Sector must be one of {', '.join(SECTORS)}.", field="sector")
    organization.sector = sector
    organization.sector_source = "admin"
