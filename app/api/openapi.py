"""The OpenAPI document as the server behaves: errors as RFC 9457 problem+json (422 on every /api
operation, 404 with a path parameter, 401 with the admin token, 413 with a body), an example on
every success response, the reconciliation and Popolo shapes declared, and HEAD left implicit.

FastAPI describes validation errors as its own `HTTPValidationError`; the app never sends that
(problems.py renders them), so the document is corrected once, when first asked for.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

from fastapi import FastAPI

from app.api import openapi_shapes

PROBLEM = "application/problem+json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `type` leads to the problem's documentation (/problems/{slug}) or is "
    "`about:blank`; extension members name what was wrong.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "examples": ["/problems/invalid-input"]},
        "title": {"type": "string", "examples": ["Invalid input"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "examples": [422]},
        "detail": {"type": "string", "examples": ["limit: Input should be a valid integer"]},
        "instance": {"type": "string", "examples": ["/api/organizations"]},
        "parameter": {"type": ["string", "null"], "description": "The query parameter, form field or path parameter at fault."},
        "field": {"type": ["string", "null"], "description": "For file input: the column at fault."},
        "line": {"type": ["integer", "null"], "description": "For file input: the line at fault."},
        "errors": {"type": "array", "description": "Every error found, when there are several."},
        "candidates": {
            "type": "array",
            "description": "An identifier that denotes several organizations: each of them.",
            "items": {"$ref": "#/components/schemas/OrganizationRef"},
        },
        "limit": {"type": "integer", "description": "With 413: the largest body accepted, in bytes."},
    },
    "additionalProperties": True,
}

_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "422": (
        "A bad or unknown parameter or value, named in `parameter`.",
        {"type": "/problems/invalid-input", "title": "Invalid input", "status": 422,
         "detail": "Unknown query parameter: regoin.", "instance": "/api/organizations", "parameter": "regoin"},
    ),
    "404": (
        "Nothing has that id or slug.",
        {"type": "/problems/not-found", "title": "Not found", "status": 404,
         "detail": "No organization with id or slug 'x'.", "instance": "/api/organizations/x", "parameter": "id_or_slug"},
    ),
    "401": (
        "No valid admin token (`Authorization: Bearer <token>`); the answer carries `WWW-Authenticate: Bearer`.",
        {"type": "/problems/unauthorized", "title": "Unauthorized", "status": 401,
         "detail": "A valid admin token is required.", "instance": "/api/review/refresh"},
    ),
    "413": (
        "The body is larger than MAX_BODY_BYTES (JSON, forms) or MAX_UPLOAD_BYTES (files).",
        {"type": "/problems/payload-too-large", "title": "Payload too large", "status": 413,
         "detail": "The request body is larger than 1,048,576 bytes.", "instance": "/api/reconcile", "limit": 1048576},
    ),
}  # fmt: skip


def install(app: FastAPI) -> None:
    """Serve the corrected document at /openapi.json (built once, on first request)."""

    def corrected() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                # why: a route's HEAD shares its GET's operation id until `refine` drops HEAD
                warnings.filterwarnings("ignore", message=r"Duplicate Operation ID \S+_get for", category=UserWarning)
                app.openapi_schema = refine(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = corrected  # type: ignore[method-assign]


def refine(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.update(openapi_shapes.SCHEMAS)
    for path, item in spec["paths"].items():
        item.pop("head", None)  # why: every GET answers HEAD (RFC 9110); listing it twice says nothing
        for method, operation in item.items():
            openapi_shapes.declare(path, method, operation)
            _document_errors(path, operation)
            _add_examples(operation, schemas)
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    return spec


def _document_errors(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    wanted = []
    if path.startswith("/api/"):
        wanted.append("422")
    if "{" in path:
        wanted.append("404")
    if operation.get("security"):
        wanted.append("401")
    if "requestBody" in operation:
        wanted.append("413")
    for status in wanted:
        description, example = _ERRORS[status]
        existing = responses.get(status, {})
        response = {
            "description": existing.get("description") or description,
            "content": {PROBLEM: {"schema": _PROBLEM_REF, "example": example}},
        }
        if status == "401":
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "example": "Bearer"}}
        responses[status] = response
    if "422" in responses and not path.startswith("/api/"):
        responses.pop("422")  # why: outside /api FastAPI would promise a validation error that cannot happen


def _add_examples(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        for media in (response.get("content") or {}).values():
            if "example" in media or "examples" in media:
                continue
            if "schema" in media and media["schema"]:
                media["example"] = example_of(media["schema"], schemas)


def example_of(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """An instance of `schema` built from the examples its fields declare (valid by construction;
    tests/api/test_openapi.py checks each against its schema)."""
    if "$ref" in schema:
        target = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return copy.deepcopy(target["example"]) if "example" in target else example_of(target, schemas, depth + 1)
    for key in ("example", "const", "default"):
        if key in schema and schema[key] is not None:
            return copy.deepcopy(schema[key])
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            variants = [v for v in schema[combined] if v.get("type") != "null"] or schema[combined]
            return example_of(variants[0], schemas, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        example = {name: example_of(prop, schemas, depth + 1) for name, prop in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties")
        if not example and isinstance(extra, dict) and depth < 6:
            example = {"key": example_of(extra, schemas, depth + 1)}
        return example
    if kind == "array":
        return [example_of(schema["items"], schemas, depth + 1)] if "items" in schema and depth < 8 else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 0.5)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _string_example(schema)


def _string_example(schema: dict[str, Any]) -> str:
    return {
        "date": "2021-11-03",
        "date-time": "2021-11-03T14:05:00Z",
        "uri": "https://firmas.example/api/organizations/12",
    }.get(schema.get("format", ""), schema.get("title", "text").lower().replace(" ", "_"))
