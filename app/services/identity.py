"""Resolve printed names to organizations: exact printed name, then match key, else a new organization.

Nothing fuzzy happens here: two names share an organization automatically only when their match
keys are equal (see `app.names.match_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import names, regions, sectors
from app.errors import InvalidInput
from app.models import Organization, PrintedName

Resolution = Literal["exact", "key", "new"]
# The registry's home: place names in a row without a country are read as Venezuelan places.
DEFAULT_COUNTRY = "VE"
_REGION_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


@dataclass(frozen=True, slots=True)
class Resolved:
    printed_name_id: int
    organization_id: int
    how: Resolution


@dataclass(frozen=True, slots=True)
class OrganizationHints:
    """What an import file says about the organization behind a printed name."""

    region: str | None = None
    acronym: str | None = None
    country: str | None = None


def normalize_region_code(code: str | None) -> str | None:
    """'ve-n ' -> 'VE-N'; anything that is not an ISO 3166-2 code is refused."""
    if code is None or not code.strip():
        return None
    normalized = code.strip().upper()
    if not _REGION_CODE.match(normalized):
        raise InvalidInput(f"'{code}' is not an ISO 3166-2 region code such as VE-N.", field="region")
    return normalized


def normalize_country(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    normalized = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", normalized):
        raise InvalidInput(f"'{code}' is not an ISO 3166-1 alpha-2 country code such as VE.", field="country")
    return normalized


class NameResolver:
    """Resolves printed names within one session, caching what it has looked up or created."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_text: dict[str, Resolved] = {}
        self._org_by_key: dict[str, int] = {}

    def resolve(self, printed: str, hints: OrganizationHints = OrganizationHints()) -> Resolved:
        """The organization `printed` names, creating the printed name (and organization) if new."""
        text = printed.strip()
        if not text:
            raise InvalidInput("The organization name is empty.", field="organization")
        cached = self._by_text.get(text)
        if cached is not None:
            return cached
        resolved = self._find_exact(text) or self._attach_by_key(text) or self._create_organization(text, hints)
        self._by_text[text] = resolved
        self._apply_hints(resolved.organization_id, hints)
        return resolved

    def _find_exact(self, text: str) -> Resolved | None:
        row = self.session.execute(
            select(PrintedName.id, PrintedName.organization_id).where(PrintedName.text == text)
        ).first()
        return Resolved(row.id, row.organization_id, "exact") if row else None

    def _attach_by_key(self, text: str) -> Resolved | None:
        key = names.match_key(text)
        organization_id = self._org_by_key.get(key) or self.session.scalar(
            select(PrintedName.organization_id).where(PrintedName.match_key == key).limit(1)
        )
        if organization_id is None:
            return None
        return Resolved(self._add_printed_name(text, key, organization_id), organization_id, "key")

    def _create_organization(self, text: str, hints: OrganizationHints) -> Resolved:
        fields = describe_new_organization(text, hints)
        organization = Organization(slug=unique_slug(self.session, names.slugify(fields["name"])), **fields)
        self.session.add(organization)
        self.session.flush()
        key = names.match_key(text)
        self._org_by_key[key] = organization.id
        return Resolved(self._add_printed_name(text, key, organization.id), organization.id, "new")

    def _add_printed_name(self, text: str, key: str, organization_id: int) -> int:
        printed = PrintedName(
            text=text,
            match_key=key,
            key_version=names.MATCH_KEY_VERSION,
            search_text=names.search_text(text),
            organization_id=organization_id,
        )
        self.session.add(printed)
        self.session.flush()
        return printed.id

    def _apply_hints(self, organization_id: int, hints: OrganizationHints) -> None:
        """A region given in the file wins over an inferred one, never over an admin's."""
        region = normalize_region_code(hints.region)
        if region is None:
            return
        organization = self.session.get(Organization, organization_id)
        if organization is not None and organization.region_source != "admin":
            organization.region_code = region
            organization.region_source = "import"


def describe_new_organization(
    printed: str, hints: OrganizationHints, *, default_country: str | None = DEFAULT_COUNTRY
) -> dict[str, Any]:
    """Column values (all but the slug) of the organization a never-seen printed name creates.

    Pure: every importer, row by row or in bulk, derives new organizations the same way. The name
    is the display-clean form of the printed text (which stays verbatim on its printed name); the
    acronym is the file's, else the one the name spells out; the sector is inferred from the name.
    A region given in the file wins; otherwise it is inferred from the name (with the words as
    evidence), reading place names as those of the row's country, or of `default_country`.
    """
    country = normalize_country(hints.country)
    given_acronym = hints.acronym.strip() if hints.acronym else ""
    fields: dict[str, Any] = {
        "name": names.clean(printed),
        "acronym": given_acronym or names.extract_acronym(printed),
        "country": country,
        "region_code": None,
        "region_source": None,
        "region_evidence": None,
        "sector": sectors.infer_sector(printed).sector,
        "sector_source": "inferred",
    }
    given = normalize_region_code(hints.region)
    if given:
        fields.update(region_code=given, region_source="import", country=country or given[:2])
        return fields
    inferred = regions.infer_region(printed, country or default_country)
    if inferred:
        fields.update(
            region_code=inferred.code,
            region_source="inferred",
            region_evidence=" ".join(inferred.evidence),
            country=country or inferred.code[:2],
        )
    return fields


def unique_slug(session: Session, base: str) -> str:
    """`base`, or `base-2`, `base-3`… whichever no organization uses yet."""
    taken = set(
        session.scalars(
            select(Organization.slug).where((Organization.slug == base) | Organization.slug.like(f"{base}-%"))
        )
    )
    return names.first_free_slug(base, taken)
