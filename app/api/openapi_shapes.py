"""Shapes of the responses that routes write by hand (no pydantic model): the reconciliation service
(after the 0.2 JSON schemas of github.com/reconciliation-api/specs), the Popolo export, CSV, NDJSON
and HTML, each with an example, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

_REF = "#/components/schemas/"
_TYPE = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
_SERVICE = {
    "type": "object",
    "properties": {
        "service_url": {"type": "string"},
        "service_path": {"type": "string"},
        "flyout_service_url": {"type": "string"},
        "flyout_service_path": {"type": "string", "pattern": ".*\\$\\{id\\}.*"},
    },
}
_NAMED = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}},
}

MANIFEST_EXAMPLE = {
    "versions": ["0.2"],
    "name": "Firmas: organizations that sign joint statements",
    "identifierSpace": "http://127.0.0.1:8000/api/organizations/",
    "schemaSpace": "http://127.0.0.1:8000/api/reconcile#types",
    "documentation": "http://127.0.0.1:8000/docs#/reconciliation",
    "defaultTypes": [{"id": "organization", "name": "Organization"}],
    "view": {"url": "http://127.0.0.1:8000/organizaciones/{{id}}"},
    "preview": {"url": "http://127.0.0.1:8000/api/reconcile/preview?id={{id}}", "width": 400, "height": 120},
    "feature_view": {"url": "http://127.0.0.1:8000/api/reconcile/features/{{id}}"},
    "suggest": {
        "entity": {"service_url": "http://127.0.0.1:8000", "service_path": "/api/reconcile/suggest/entity",
                   "flyout_service_path": "/api/reconcile/flyout?id=${id}"},
        "type": {"service_url": "http://127.0.0.1:8000", "service_path": "/api/reconcile/suggest/type"},
        "property": {"service_url": "http://127.0.0.1:8000", "service_path": "/api/reconcile/suggest/property"},
    },
    "extend": {"propose_properties": {"service_url": "http://127.0.0.1:8000", "service_path": "/api/reconcile/properties"},
               "property_settings": []},
}  # fmt: skip
RESULT_EXAMPLE = {
    "q0": {"result": [{
        "id": "92", "name": "Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)", "score": 90.0,
        "match": True, "type": [{"id": "organization", "name": "Organization"}], "description": "Provea",
        "features": [{"id": "name_similarity", "value": 0.0}, {"id": "match_key", "value": False},
                     {"id": "acronym_match", "value": True}],
    }]}
}  # fmt: skip
EXTEND_EXAMPLE = {
    "meta": [{"id": "region", "name": "Region code"}, {"id": "statement_count", "name": "Statements signed"}],
    "rows": {"92": {"region": [{"str": "VE-A"}], "statement_count": [{"int": 3}]}},
}

SCHEMAS: dict[str, Any] = {
    "ReconciliationManifest": {
        "type": "object",
        "description": "Reconciliation Service API 0.2 manifest (schemas/manifest.json).",
        "required": ["versions", "name", "identifierSpace", "schemaSpace"],
        "properties": {
            "versions": {"type": "array", "items": {"type": "string"}, "contains": {"enum": ["0.2"]}},
            "name": {"type": "string"},
            "identifierSpace": {"type": "string"},
            "schemaSpace": {"type": "string"},
            "documentation": {"type": "string"},
            "defaultTypes": {"type": "array", "items": _TYPE, "uniqueItems": True},
            "view": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "pattern": ".*\\{\\{id\\}\\}.*"}}},
            "feature_view": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "pattern": ".*\\{\\{id\\}\\}.*"}}},
            "preview": {
                "type": "object",
                "required": ["url", "width", "height"],
                "properties": {"url": {"type": "string"}, "width": {"type": "integer"}, "height": {"type": "integer"}},
            },
            "suggest": {"type": "object", "properties": {"entity": _SERVICE, "type": _SERVICE, "property": _SERVICE}},
            "extend": {
                "type": "object",
                "properties": {"propose_properties": _SERVICE, "property_settings": {"type": "array"}},
            },
        },
        "example": MANIFEST_EXAMPLE,
    },
    "ReconciliationResultBatch": {
        "type": "object",
        "description": "Query id -> candidates, best first (schemas/reconciliation-result-batch.json).",
        "additionalProperties": {
            "type": "object",
            "required": ["result"],
            "properties": {
                "result": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "name", "score"],
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "description": {"type": "string"},
                            "score": {"type": "number"},
                            "match": {"type": "boolean"},
                            "type": {"type": "array", "items": _TYPE},
                            "features": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {"id": {"type": "string"}, "value": {"type": ["boolean", "number"]}},
                                },
                            },
                        },
                    },
                }
            },
        },
        "example": RESULT_EXAMPLE,
    },
    "DataExtensionResponse": {
        "type": "object",
        "description": "Property values of each id (schemas/data-extension-response.json).",
        "required": ["meta", "rows"],
        "properties": {
            "meta": {"type": "array", "items": _NAMED},
            "rows": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "maxProperties": 1,
                            "properties": {"str": {"type": "string"}, "int": {"type": "integer"}, "float": {"type": "number"}},
                        },
                    },
                },
            },
        },
        "example": EXTEND_EXAMPLE,
    },
    "PropertyProposal": {
        "type": "object",
        "required": ["properties"],
        "properties": {"type": {"type": "string"}, "limit": {"type": "number"}, "properties": {"type": "array", "items": _NAMED}},
        "example": {"type": "organization", "limit": 1, "properties": [{"id": "region", "name": "Region code",
                                                                       "description": "ISO 3166-2 code of the region."}]},
    },
    "SuggestEntities": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {
                "type": "array",
                "items": {**_NAMED, "properties": {**_NAMED["properties"], "notable": {"type": "array", "items": _TYPE}}},
            }
        },
        "example": {"result": [{"id": "9", "name": "Acceso a la Justicia", "description": "Distrito Capital (VE-A)",
                                "notable": [{"id": "organization", "name": "Organization"}]}]},
    },
    "SuggestTypes": {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": _TYPE}},
        "example": {"result": [{"id": "organization", "name": "Organization"}]},
    },
    "SuggestProperties": {
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "items": _NAMED}},
        "example": {"result": [{"id": "region", "name": "Region code", "description": "ISO 3166-2 code."}]},
    },
    "Flyout": {
        "type": "object",
        "required": ["id", "html"],
        "properties": {"id": {"type": "string"}, "html": {"type": "string"}},
        "example": {"id": "9", "html": "<h1><a href=\"…\">Acceso a la Justicia</a></h1><p>2 statements</p>"},
    },
    "PopoloExport": {
        "type": "object",
        "description": "Popolo organizations and events (popolo-spec schemas/organization.json, event.json) and the "
        "`signatures` extension; see docs/exports.md.",
        "required": ["organizations", "events", "signatures"],
        "properties": {
            "organizations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}, "classification": {"type": "string"},
                        "other_names": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                        "identifiers": {"type": "array", "items": {"type": "object", "required": ["identifier"]}},
                        "area_id": {"type": ["string", "null"]},
                        "area": {"type": "object", "required": ["id", "name"]},
                        "country": {"type": ["string", "null"]},
                    },
                },
            },
            "events": {"type": "array", "items": {"type": "object", "required": ["id", "name"]}},
            "signatures": {
                "type": "array",
                "items": {"type": "object", "required": ["id", "event_id", "organization_id", "raw_text"]},
            },
        },  # fmt: skip
        "example": {
            "organizations": [{"id": "organization/1", "name": "Aquí Cabemos Todos", "classification": "ngo",
                               "other_names": [{"name": "Aquí Cabemos Todos", "note": "printed"}],
                               "identifiers": [{"scheme": "firmas", "identifier": "1"}],
                               "area_id": "VE-A", "area": {"id": "VE-A", "name": "Distrito Capital"}, "country": "VE"}],
            "events": [{"id": "statement/1", "name": "Comunicado conjunto", "classification": "joint_statement",
                        "start_date": "2021-11"}],
            "signatures": [{"id": "signature/1", "event_id": "statement/1", "organization_id": "organization/1",
                            "position": "10", "raw_text": "10) Aquí Cabemos Todos", "printed_name": "Aquí Cabemos Todos",
                            "is_repeat": False}],
        },  # fmt: skip
    },
    "DataPackage": {
        "type": "object",
        "description": "Frictionless Data Package descriptor (https://specs.frictionlessdata.io/data-package/).",
        "required": ["name", "resources"],
        "properties": {"name": {"type": "string"}, "resources": {"type": "array", "items": {"type": "object", "required": ["name", "path"]}}},
        "example": {"profile": "tabular-data-package", "name": "firmas", "resources": [
            {"name": "statements", "path": "statements.csv", "profile": "tabular-data-resource",
             "schema": {"fields": [{"name": "id", "type": "integer"}], "primaryKey": ["id"]}}]},
    },  # fmt: skip
}

NDJSON_EXAMPLE = '{"id":1,"slug":"aqui-cabemos-todos","name":"Aquí Cabemos Todos"}\n'
_CSV_EXAMPLES = {
    "/api/export/statements.csv": "id,slug,title,kind,date,date_precision,...\n1,2021-11-joint-statement,Comunicado,joint_statement,2021-11,month,...\n",
    "/api/export/organizations.csv": "id,slug,name,acronym,...\n1,aqui-cabemos-todos,Aquí Cabemos Todos,,...\n",
    "/api/export/signatures.csv": "statement_id,statement_slug,statement_title,statement_date,...\n1,2021-11-joint-statement,Comunicado,2021-11,...\n",
}
# (path, method) -> {media type: schema name}; "" for a media type described by its example alone.
_DECLARED: dict[tuple[str, str], dict[str, str]] = {
    ("/api/reconcile", "get"): {"application/json": "Reconciliation", "application/javascript": ""},
    ("/api/reconcile", "post"): {"application/json": "Reconciliation", "application/javascript": ""},
    ("/api/reconcile/suggest/entity", "get"): {"application/json": "SuggestEntities"},
    ("/api/reconcile/suggest/type", "get"): {"application/json": "SuggestTypes"},
    ("/api/reconcile/suggest/property", "get"): {"application/json": "SuggestProperties"},
    ("/api/reconcile/properties", "get"): {"application/json": "PropertyProposal"},
    ("/api/reconcile/flyout", "get"): {"application/json": "Flyout"},
    ("/api/export/popolo.json", "get"): {"application/json": "PopoloExport"},
    ("/api/export/datapackage.json", "get"): {"application/json": "DataPackage"},
}
_RECONCILIATION = {
    "oneOf": [
        {"$ref": _REF + "ReconciliationManifest"},
        {"$ref": _REF + "ReconciliationResultBatch"},
        {"$ref": _REF + "DataExtensionResponse"},
    ]
}


def declare(path: str, method: str, operation: dict[str, Any]) -> None:
    """Give the hand-written responses of `operation` their schema and example."""
    ok = operation.get("responses", {}).get("200")
    if ok is None:
        return
    content = ok.setdefault("content", {})
    for media_type, name in _DECLARED.get((path, method), {}).items():
        if name == "Reconciliation":
            content[media_type] = {"schema": _RECONCILIATION, "example": MANIFEST_EXAMPLE}
        elif name:
            content[media_type] = {"schema": {"$ref": _REF + name}}
        else:
            content[media_type] = {"schema": {"type": "string"}, "example": "jsonp_callback({...});"}
    for media_type, media in content.items():
        if media_type == "text/csv" and not media.get("example"):
            media["schema"] = {"type": "string"}
            media["example"] = _CSV_EXAMPLES.get(path, "id,name\n1,Aquí Cabemos Todos\n")
        elif media_type == "application/x-ndjson" and not media.get("example"):
            media["schema"] = {"type": "string"}
            media["example"] = NDJSON_EXAMPLE
        elif media_type == "text/html" and "example" not in media:
            media["example"] = "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>…</title></head><body>…</body></html>"
