"""The Frictionless Data Package that describes the bulk CSV downloads: one Table Schema per file,
with types, primary keys and the foreign keys that join them, so data portals and `frictionless`
read the files as they are (https://specs.frictionlessdata.io/data-package/)."""

from __future__ import annotations

from typing import Any

from app.models import DATE_PRECISIONS, SECTORS, STATEMENT_KINDS
from app.services.bulk_export import ORGANIZATION_COLUMNS, SIGNATURE_COLUMNS, STATEMENT_COLUMNS

_DATE_AT_PRECISION = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_LIST = "Several values separated by ' | '."
_NEUTRALIZED = "Exactly as printed, except that a leading = + - @ tab or carriage return gets an apostrophe in front."


def _field(name: str, type_: str = "string", description: str = "", **constraints: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_}
    if description:
        field["description"] = description
    if type_ == "boolean":
        field |= {"trueValues": ["true"], "falseValues": ["false"]}
    if constraints:
        field["constraints"] = constraints
    return field


STATEMENT_FIELDS = [
    _field("id", "integer", "Statement id (the API's).", required=True, unique=True),
    _field("slug", description="Statement slug: /api/statements/{slug}.", required=True, unique=True),
    _field("title", required=True),
    _field("kind", description="What sort of text it is.", enum=list(STATEMENT_KINDS)),
    _field("date", description="Publication date as precise as the source: 2021-11-03, 2021-11 or 2021 (ISO 8601); "
           "a string because the precision varies, given in date_precision.", pattern=_DATE_AT_PRECISION),
    _field("date_precision", description="day, month or year: how much of `date` the source gives.", enum=list(DATE_PRECISIONS)),
    _field("language", description="BCP 47 tag of the text."),
    _field("translator"),
    _field("addressees", description=_LIST),
    _field("urls", description=_LIST),
    _field("line_count", "integer", "Signature lines printed.", minimum=0),
    _field("organization_count", "integer", "Distinct organizations among the lines.", minimum=0),
    _field("summary"),
    _field("body"),
    _field("notes"),
]  # fmt: skip
ORGANIZATION_FIELDS = [
    _field("id", "integer", "Organization id (the API's).", required=True, unique=True),
    _field("slug", required=True, unique=True),
    _field("name", required=True),
    _field("acronym"),
    _field("country", description="ISO 3166-1 alpha-2 code.", pattern="^[A-Z]{2}$"),
    _field("region_code", description="ISO 3166-2 code of its region."),
    _field("region_name"),
    _field("region_source", description="Where the region came from.", enum=["admin", "import", "inferred"]),
    _field("sector", enum=list(SECTORS)),
    _field("sector_source", enum=["admin", "inferred"]),
    _field("merged_into_id", "integer", "The organization it was merged into (its lines are that one's)."),
    _field("printed_names", description=_LIST + " Every printed name that resolves to it, verbatim."),
    _field("statement_count", "integer", "Statements it signed.", minimum=0),
    _field("first_signed_on", "date", "Date of the earliest statement it signed (the first day of a month or year "
           "when the source gives only that)."),
    _field("last_signed_on", "date", "Date of the latest statement it signed (first day of its period)."),
]  # fmt: skip
SIGNATURE_FIELDS = [
    _field("statement_id", "integer", "The statement (statements.csv id).", required=True),
    _field("statement_slug"),
    _field("statement_title"),
    _field("statement_date", "date", "The statement's date as a day (the first day of a month or year); its "
           "precision is statements.csv date_precision."),
    _field("sort_order", "integer", "Order of the line on the statement, from 1.", required=True, minimum=1),
    _field("position", description="The printed number, as text."),
    _field("raw_text", description=_NEUTRALIZED, required=True),
    _field("printed_name", description=_NEUTRALIZED),
    _field("organization_id", "integer", "The organization the line names now (organizations.csv id).", required=True),
    _field("organization_slug"),
    _field("organization_name"),
    _field("region_code"),
    _field("region_source", enum=["admin", "import", "inferred"]),
    _field("is_repeat", "boolean", "The organization already has an earlier line on this statement."),
]  # fmt: skip
assert [f["name"] for f in STATEMENT_FIELDS] == list(STATEMENT_COLUMNS)
assert [f["name"] for f in ORGANIZATION_FIELDS] == list(ORGANIZATION_COLUMNS)
assert [f["name"] for f in SIGNATURE_FIELDS] == list(SIGNATURE_COLUMNS)


def _resource(name: str, title: str, fields: list[dict[str, Any]], **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": ["id"] if name != "signatures" else ["statement_id", "sort_order"], **schema},
    }


def descriptor() -> dict[str, Any]:
    """datapackage.json; its resource paths are relative to it (/api/export/)."""
    return {
        "profile": "tabular-data-package",
        "name": "firmas",
        "title": "Firmas: joint statements and the organizations that sign them",
        "resources": [
            _resource("statements", "Statements", STATEMENT_FIELDS),
            _resource(
                "organizations", "Organizations", ORGANIZATION_FIELDS,
                foreignKeys=[{"fields": "merged_into_id", "reference": {"resource": "", "fields": "id"}}],
            ),
            _resource(
                "signatures", "Signature lines as printed", SIGNATURE_FIELDS,
                foreignKeys=[
                    {"fields": "statement_id", "reference": {"resource": "statements", "fields": "id"}},
                    {"fields": "organization_id", "reference": {"resource": "organizations", "fields": "id"}},
                ],
            ),
        ],
    }  # fmt: skip
