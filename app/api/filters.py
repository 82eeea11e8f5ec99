"""Query parameters of the list endpoints, documented once and turned into the services' filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query

from app.api.listing import split_values
from app.services.organizations import OrganizationFilters, OrganizationSort
from app.services.statements import StatementFilters

_REGION = Query(
    [],
    description="ISO 3166-2 code or region name, accents and case optional; repeat it or separate by commas for several.",
    examples=["VE-V,Lara"],
)
_SINCE = Query(None, description="Only what was signed on or after this date (statement date, YYYY-MM-DD).", examples=["2021-01-01"])
_UNTIL = Query(None, description="Only what was signed on or before this date (YYYY-MM-DD).", examples=["2021-12-31"])


async def organization_filters(
    q: str | None = Query(
        None,
        max_length=500,
        description="Words that start words of any printed name, or the start of the acronym; accents, case and "
        "punctuation are ignored (\"funda justicia\"). When nothing matches, close spellings are found instead.",
        examples=["acceso a la justicia"],
    ),
    region: list[str] = _REGION,
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 country code.", examples=["VE"]),
    sector: list[str] = Query(
        [],
        description="ngo, academic, professional_body, union, religious, business, government, intergovernmental or media; "
        "several allowed.",
        examples=["ngo"],
    ),
    signed: str | None = Query(
        None, description="Only signatories of this statement (id or slug).", examples=["2021-11-joint-statement-icc-criminalization"]
    ),
    signed_with: str | None = Query(
        None,
        description="Only organizations that signed at least one statement together with this one (id, slug or printed name).",
        examples=["acceso-a-la-justicia"],
    ),
    min_statements: int | None = Query(None, ge=1, description="Only organizations that signed at least this many statements.", examples=[3]),
    since: dt.date | None = _SINCE,
    until: dt.date | None = _UNTIL,
    sort: OrganizationSort = Query(
        "name",
        description="name (A-Z), statements (most signed first) or last_signed (latest signature first).",
        examples=["statements"],
    ),
) -> OrganizationFilters:
    return OrganizationFilters(
        q=q,
        region=split_values(region),
        country=country,
        sector=split_values(sector),
        signed=signed,
        signed_with=signed_with,
        min_statements=min_statements,
        since=since,
        until=until,
        sort=sort,
    )


async def signatory_filters(
    q: str | None = Query(
        None, max_length=500, description="Words that start words of any printed name, or of the acronym.", examples=["observatorio"]
    ),
    region: list[str] = _REGION,
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 country code.", examples=["VE"]),
    sector: list[str] = Query([], description="Sector(s); several allowed.", examples=["ngo"]),
    min_statements: int | None = Query(None, ge=1, description="Only organizations that signed at least this many statements.", examples=[3]),
    sort: OrganizationSort = Query("name", description="name, statements or last_signed.", examples=["name"]),
) -> OrganizationFilters:
    return OrganizationFilters(
        q=q, region=split_values(region), country=country, sector=split_values(sector), min_statements=min_statements, sort=sort
    )


async def statement_filters(
    q: str | None = Query(
        None,
        max_length=500,
        description="Words that start words of the title, summary or body; accents and case ignored.",
        examples=["corte penal"],
    ),
    signatory: str | None = Query(
        None, description="Only statements signed by this organization (id, slug or printed name).", examples=["Acceso a la Justicia"]
    ),
    region: list[str] = Query(
        [],
        description="Only statements signed by an organization of this region (ISO 3166-2 code or name); several allowed.",
        examples=["Zulia"],
    ),
    kind: list[str] = Query(
        [],
        description="joint_statement, open_letter, agreement, report or other; several allowed.", examples=["joint_statement"]
    ),
    language: str | None = Query(None, description="BCP 47 language tag of the text.", examples=["es"]),
    since: dt.date | None = _SINCE,
    until: dt.date | None = _UNTIL,
) -> StatementFilters:
    return StatementFilters(
        q=q,
        signatory=signatory,
        region=split_values(region),
        kind=split_values(kind),
        language=language,
        since=since,
        until=until,
    )


async def facet_names(
    facets: str | None = Query(
        None, description="Also count the matches by region, sector and/or year: comma-separated.", examples=["region,sector,year"]
    ),
) -> list[str]:
    return split_values([facets]) if facets else []


OrganizationFiltersDep = Annotated[OrganizationFilters, Depends(organization_filters)]
SignatoryFiltersDep = Annotated[OrganizationFilters, Depends(signatory_filters)]
StatementFiltersDep = Annotated[StatementFilters, Depends(statement_filters)]
FacetsDep = Annotated[list[str], Depends(facet_names)]
