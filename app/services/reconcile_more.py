"""The rest of the Reconciliation API 0.2 after matching: suggest (entities, types and properties,
as a person types) and data extension (columns of facts about reconciled organizations).

Lookups of organizations go through `organizations` (search, by id or slug, statements signed),
so a change of the identity model changes them in one place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.identity import names
from app.identity.regions import region_name
from app.models import Organization
from app.services import organizations
from app.services.bulk_export import at_precision
from app.services.organizations import OrganizationFilters
from app.services.reconcile import ORGANIZATION_TYPE, PROPERTIES

SUGGEST_LIMIT = 10
MAX_SUGGEST = 100
MAX_SUGGEST_OFFSET = 1000

# Properties a reconciled organization can be extended with: id -> (name, description).
EXTEND_PROPERTIES: dict[str, tuple[str, str]] = {
    "region": ("Region code", "ISO 3166-2 code of the region it is based in (VE-V)."),
    "region_name": ("Region", "Name of the region it is based in (Zulia)."),
    "country": ("Country", "ISO 3166-1 alpha-2 code (VE)."),
    "sector": ("Sector", "ngo, academic, professional_body, union, religious, business, government, intergovernmental or media."),
    "acronym": ("Acronym", "Its acronym, as recorded or as its name spells it out."),
    "statement_count": ("Statements signed", "How many statements it signed."),
    "first_signed": ("First signed", "Date of the earliest statement it signed, as precise as the source (2021-11)."),
    "last_signed": ("Last signed", "Date of the latest statement it signed, as precise as the source."),
    "statements": ("Statements", "Title of each statement it signed, newest first (one value each)."),
}
# Properties a reconciliation query may give (see reconcile.PROPERTIES).
QUERY_PROPERTIES: dict[str, tuple[str, str]] = {
    "region": EXTEND_PROPERTIES["region"][:1] + ("ISO 3166-2 code or region name the organization is based in.",),
    "country": EXTEND_PROPERTIES["country"],
}
assert set(QUERY_PROPERTIES) == set(PROPERTIES)


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    name: str
    description: str


# --- suggest ------------------------------------------------------------------------------------


def suggest_entities(session: Session, prefix: str, *, limit: int = SUGGEST_LIMIT, offset: int = 0) -> list[Suggestion]:
    """Organizations for what a person has typed so far: the one whose id or slug it is first, then
    those whose printed names have words starting with its words (or whose acronym starts with it),
    by name, as `GET /api/organizations?q=` finds them."""
    prefix = names.normalize_whitespace(prefix)
    found: list[Suggestion] = []
    identified = organizations.live_by_id_or_slug(session, prefix) if prefix else None
    if identified is not None:
        found.append(_suggestion(session.get_one(Organization, identified)))
    if names.search_text(prefix):
        page = organizations.search(session, OrganizationFilters(q=prefix), limit=min(offset + limit, MAX_SUGGEST_OFFSET))
        found += [_suggestion(row) for row in page.items if row.id != identified]
    return found[offset : offset + limit]


def _suggestion(organization: Any) -> Suggestion:
    parts = [organization.acronym] if organization.acronym else []
    if organization.region_code:
        parts.append(f"{region_name(organization.region_code) or organization.region_code} ({organization.region_code})")
    return Suggestion(str(organization.id), organization.name, " · ".join(parts))


def suggest_types(prefix: str) -> list[dict[str, str]]:
    """The types (there is one) whose id or name starts with `prefix`, any case."""
    wanted = prefix.strip().lower()
    return [ORGANIZATION_TYPE] if any(t.lower().startswith(wanted) for t in ORGANIZATION_TYPE.values()) else []


def suggest_properties(prefix: str) -> list[Suggestion]:
    """Properties (to send with a query, or to extend with) whose id or name has a word starting
    with `prefix`, any case."""
    wanted = names.search_text(prefix)
    every = {**EXTEND_PROPERTIES, **{k: v for k, v in QUERY_PROPERTIES.items() if k not in EXTEND_PROPERTIES}}
    return [
        Suggestion(pid, name, description)
        for pid, (name, description) in every.items()
        if not wanted or any(word.startswith(wanted) for word in names.search_text(f"{pid.replace('_', ' ')} {name}").split())
        or pid.startswith(wanted.replace(" ", "_"))
    ]


# --- data extension -----------------------------------------------------------------------------


class ExtendProperty(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    settings: dict[str, Any] = Field(default_factory=dict)


class ExtendQuery(BaseModel):
    """`extend=` as OpenRefine sends it: {"ids": [...], "properties": [{"id": ...}]}."""

    model_config = ConfigDict(extra="ignore")
    ids: list[str] = Field(max_length=1000)
    properties: list[ExtendProperty] = Field(max_length=len(EXTEND_PROPERTIES) * 2)


def parse_extend(raw: str) -> ExtendQuery:
    """The `extend` parameter, or InvalidInput naming what is wrong."""
    try:
        query = ExtendQuery.model_validate(json.loads(raw))
    except ValueError as error:
        detail = error.errors()[0] if isinstance(error, ValidationError) else None
        where = ".".join(str(part) for part in detail["loc"]) if detail else ""
        reason = detail["msg"] if detail else f"not valid JSON: {error}"
        raise InvalidInput(f"extend{'.' + where if where else ''}: {reason}.", parameter="extend") from error
    unknown = [prop.id for prop in query.properties if prop.id not in EXTEND_PROPERTIES]
    if unknown:
        raise InvalidInput(
            f"extend: unknown property '{unknown[0]}'; this service offers {', '.join(EXTEND_PROPERTIES)}.", parameter="extend"
        )
    return query


def extend(session: Session, query: ExtendQuery) -> dict[str, Any]:
    """{meta: [{id, name}], rows: {id: {property: [values]}}}: one row per id asked for; an id that
    names no organization gets no values, a merged one its survivor's."""
    wanted = [prop.id for prop in query.properties]
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id in query.ids:
        live = organizations.live_by_id_or_slug(session, entity_id)
        facts = _facts(session, session.get_one(Organization, live)) if live is not None else {}
        rows[entity_id] = {pid: facts.get(pid, []) for pid in wanted}
    return {"meta": [{"id": pid, "name": EXTEND_PROPERTIES[pid][0]} for pid in wanted], "rows": rows}


def _facts(session: Session, organization: Organization) -> dict[str, list[dict[str, Any]]]:
    signed = organizations.statements_signed(session, organization.id)
    dated = [s for s in signed if s.published_on is not None]
    acronym = organization.acronym or names.extract_acronym(organization.name)
    facts: dict[str, list[dict[str, Any]]] = {
        "region": _text(organization.region_code),
        "region_name": _text(region_name(organization.region_code) if organization.region_code else None),
        "country": _text(organization.country),
        "sector": _text(organization.sector),
        "acronym": _text(acronym),
        "statement_count": [{"int": len(signed)}],
        "statements": [{"str": s.title} for s in signed],
    }
    if dated:
        first = min(dated, key=lambda s: s.published_on or dt.date.min)
        last = max(dated, key=lambda s: s.published_on or dt.date.min)
        facts["first_signed"] = [{"str": at_precision(first.published_on, first.date_precision)}]
        facts["last_signed"] = [{"str": at_precision(last.published_on, last.date_precision)}]
    return facts


def _text(value: str | None) -> list[dict[str, Any]]:
    return [{"str": value}] if value else []
