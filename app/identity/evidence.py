"""What an import says about organizations: the hints a row gives and the columns of a new one.

Resolution happens in bulk in `app.services.bulk`, by the rules of `app.identity.attribution`;
nothing fuzzy happens there: a line joins an organization automatically only when their match
keys are equal (see `app.identity.names.match_key`) and no evidence contradicts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.identity import names, regions, sectors
from app.errors import InvalidInput

# The registry's home: place names in a row without a country are read as Venezuelan places.
DEFAULT_COUNTRY = "VE"
_REGION_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


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
        "country_source": "import" if country else None,
        "region_code": None,
        "region_source": None,
        "region_evidence": None,
        "sector": sectors.infer_sector(printed).sector,
        "sector_source": "inferred",
    }
    given = normalize_region_code(hints.region)
    if given:
        fields.update(region_code=given, region_source="import", country=country or given[:2], country_source="import")
        return fields
    inferred = regions.infer_region(printed, country or default_country)
    if inferred:
        fields.update(
            region_code=inferred.code,
            region_source="inferred",
            region_evidence=" ".join(inferred.evidence),
            country=country or inferred.code[:2],
            country_source="import" if country else "inferred",
        )
    return fields
