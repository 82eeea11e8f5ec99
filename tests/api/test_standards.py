"""The ecosystem's standards, checked with validators and schemas written elsewhere: the
Reconciliation API 0.2 and Popolo JSON schemas (tests/data/specs, copied unchanged), RFC 9110
(HEAD, Vary), RFC 9457 problem types, OpenAPI, and frictionless for the Data Package."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
import referencing
from fastapi.testclient import TestClient
from jsonschema import Draft3Validator, Draft7Validator, Draft202012Validator
from referencing.jsonschema import DRAFT3, DRAFT7, DRAFT202012

from tests.web.html import parse, text_of

SPECS = Path(__file__).resolve().parents[1] / "data" / "specs"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _load(folder: str) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted((SPECS / folder).glob("*.json"))}


RECONCILIATION = _load("reconciliation/0.2")
POPOLO = _load("popolo")


def reconciliation_validator(name: str) -> Draft7Validator:
    registry = referencing.Registry()
    for document in RECONCILIATION.values():
        resource = referencing.Resource(contents=document, specification=DRAFT7)
        uri = document.get("$id") or document.get("id")
        if uri:
            registry = registry.with_resource(uri.rstrip("#"), resource).with_resource(uri, resource)
    registry = registry.with_resource("type.json", referencing.Resource(RECONCILIATION["type.json"], DRAFT7))
    return Draft7Validator(RECONCILIATION[name], registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def assert_valid(validator: jsonschema.protocols.Validator, instance: object) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors[:5]


def post_form(client: TestClient, **fields: str):
    return client.post("/api/reconcile", content=urlencode(fields), headers=FORM)


# --- RFC 9110 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/healthz", "/api/organizations", "/api/organizations/1", "/api/reconcile", "/api/export/organizations.csv", "/"])
def test_head_answers_like_get_without_a_body(seeded_client: TestClient, url: str) -> None:
    got, head = seeded_client.get(url), seeded_client.head(url)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_head_is_not_listed_as_an_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert not [path for path, item in spec["paths"].items() if "head" in item]
    assert spec["paths"]["/api/organizations"]["get"]["operationId"] == "list_organizations_api_organizations_get"


def test_negotiated_lists_vary_on_accept_also_in_304(seeded_client: TestClient) -> None:
    as_csv = seeded_client.get("/api/organizations?limit=5", headers={"Accept": "text/csv"})
    assert "Accept" in as_csv.headers["vary"]
    again = seeded_client.get("/api/organizations?limit=5", headers={"Accept": "text/csv", "If-None-Match": as_csv.headers["etag"]})
    assert again.status_code == 304 and "Accept" in again.headers["vary"]


def test_cors_preflight_grants_post_to_the_reconciliation_service_only(client: TestClient) -> None:
    asking = {"Origin": "https://openrefine.example", "Access-Control-Request-Method": "POST",
              "Access-Control-Request-Headers": "content-type"}  # fmt: skip
    granted = client.options("/api/reconcile", headers=asking)
    assert granted.status_code == 200 and "POST" in granted.headers["access-control-allow-methods"]
    assert client.options("/api/organizations/1/merge", headers=asking).status_code == 400


# --- RFC 9457 ----------------------------------------------------------------------------------


def test_problem_types_lead_to_their_documentation_in_both_languages(client: TestClient) -> None:
    problem = client.get("/api/organizations?bogus=1").json()
    assert problem["type"] == "/problems/invalid-input"
    spanish = client.get(problem["type"], headers={"Accept-Language": "es"})
    english = client.get(problem["type"] + "?lang=en")
    assert spanish.status_code == english.status_code == 200
    assert text_of(next(parse(spanish.text).iter("h1"))) == "Entrada no válida"
    assert text_of(next(parse(english.text).iter("h1"))) == "Invalid input"


def test_a_status_without_a_documented_type_is_about_blank(client: TestClient) -> None:
    from app.api.problems import problem_response

    assert json.loads(problem_response(418, "Teapot", "short and stout", type_slug="teapot").body)["type"] == "about:blank"


def test_preview_404_names_the_id_parameter(client: TestClient) -> None:
    problem = client.get("/api/reconcile/preview?id=does-not-exist").json()
    assert (problem["status"], problem["parameter"]) == (404, "id")


# --- OpenAPI -----------------------------------------------------------------------------------


def test_openapi_documents_problem_responses_as_sent(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
    problem = "application/problem+json"
    for path, method, op in operations:
        statuses = {status for status, response in op["responses"].items() if problem in (response.get("content") or {})}
        assert not path.startswith("/api/") or "422" in statuses, (method, path)
        assert "{" not in path or "404" in statuses, (method, path)
        assert not op.get("security") or "401" in statuses, (method, path)
        assert "requestBody" not in op or "413" in statuses, (method, path)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_success_example_is_valid_against_its_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    registry = referencing.Registry().with_resource("urn:spec", referencing.Resource(spec, DRAFT202012))
    checked = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                for media_type, media in (response.get("content") or {}).items():
                    assert status[0] != "2" or "example" in media, (method, path, media_type)
                    if "example" in media and "schema" in media:
                        pointer = "/".join(s.replace("~", "~0").replace("/", "~1") for s in ("paths", path, method, "responses", status, "content", media_type, "schema"))
                        assert_valid(Draft202012Validator({"$ref": f"urn:spec#/{pointer}"}, registry=registry), media["example"])
                        checked += 1
    assert checked > 40


def test_live_422_matches_the_documented_problem_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    registry = referencing.Registry().with_resource("urn:spec", referencing.Resource(spec, DRAFT202012))
    response = client.get("/api/organizations?limit=abc")
    assert response.headers["content-type"] == "application/problem+json"
    assert_valid(Draft202012Validator({"$ref": "urn:spec#/components/schemas/Problem"}, registry=registry), response.json())


# --- Popolo ------------------------------------------------------------------------------------


def test_popolo_organizations_and_events_validate_against_popolo_schemas(seeded_client: TestClient) -> None:
    registry = referencing.Registry()
    for document in POPOLO.values():
        resource = referencing.Resource(contents=document, specification=DRAFT3)
        registry = registry.with_resource(document["id"].rstrip("#"), resource).with_resource(document["id"], resource)
    export = seeded_client.get("/api/export/popolo.json").json()
    for collection, schema in (("organizations", "organization.json"), ("events", "event.json")):
        validator = Draft3Validator(POPOLO[schema], registry=registry, format_checker=Draft3Validator.FORMAT_CHECKER)
        for item in export[collection]:
            assert_valid(validator, item)
    assert any("area" not in o and o["area_id"] is None for o in export["organizations"])


# --- reconciliation ----------------------------------------------------------------------------


def test_manifest_validates_and_advertises_suggest_extend_and_features(client: TestClient) -> None:
    manifest = client.get("/api/reconcile").json()
    assert_valid(reconciliation_validator("manifest.json"), manifest)
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"]["service_path"] == "/api/reconcile/properties"
    assert manifest["feature_view"]["url"].endswith("/api/reconcile/features/{{id}}")


def test_openrefine_batch_with_type_name_id_and_properties_only(seeded_client: TestClient) -> None:
    provea = seeded_client.get("/api/organizations/provea").json()
    batch = {
        "q0": {"query": "Provea", "type": "Organization", "type_strict": "should", "limit": 3},
        "q1": {"query": str(provea["id"]), "type": "organization"},
        "q2": {"query": provea["slug"]},
        "q3": {"properties": [{"pid": "region", "v": "Táchira"}], "type": "organization"},
        "q4": {"query": "Provea", "type": "person"},
    }
    body = post_form(seeded_client, queries=json.dumps(batch)).json()
    assert_valid(reconciliation_validator("reconciliation-result-batch.json"), body)
    for key in ("q0", "q1", "q2"):
        first = body[key]["result"][0]
        assert (first["id"], first["match"]) == (str(provea["id"]), True), key
    assert body["q1"]["result"][0]["score"] == 100
    in_tachira = body["q3"]["result"]
    assert in_tachira and all(not c["match"] for c in in_tachira)
    assert all(seeded_client.get(f"/api/organizations/{c['id']}").json()["region"]["code"] == "VE-S" for c in in_tachira)
    assert body["q4"]["result"] == []


def test_candidates_carry_features_each_documented_by_feature_view(seeded_client: TestClient) -> None:
    manifest = seeded_client.get("/api/reconcile").json()
    batch = {"q": {"query": "Acceso a la Justicia", "properties": [{"pid": "region", "v": "VE-A"}]}}
    candidate = post_form(seeded_client, queries=json.dumps(batch)).json()["q"]["result"][0]
    features = {f["id"]: f["value"] for f in candidate["features"]}
    assert features["match_key"] is True and features["name_similarity"] == 1.0 and "place_match" in features
    for feature in features:
        page = seeded_client.get(manifest["feature_view"]["url"].replace("{{id}}", feature).replace("http://testserver", ""))
        assert page.status_code == 200 and text_of(next(parse(page.text).iter("h1"))) == feature


@pytest.mark.parametrize(
    ("kind", "schema", "prefix"),
    [("entity", "suggest-entities-response.json", "acceso"), ("type", "suggest-types-response.json", "Org"),
     ("property", "suggest-properties-response.json", "reg")],
)  # fmt: skip
def test_suggest_services_answer_openrefine_requests_valid_against_0_2(
    seeded_client: TestClient, kind: str, schema: str, prefix: str
) -> None:
    service = seeded_client.get("/api/reconcile").json()["suggest"][kind]
    url = service["service_url"].replace("http://testserver", "") + service["service_path"]
    body = seeded_client.get(url, params={"prefix": prefix, "type": "organization", "type_strict": "should"}).json()
    assert_valid(reconciliation_validator(schema), body)
    assert body["result"]


def test_suggest_entity_finds_by_word_prefix_and_by_id_with_a_flyout(seeded_client: TestClient) -> None:
    names = [r["name"] for r in seeded_client.get("/api/reconcile/suggest/entity", params={"prefix": "acceso just"}).json()["result"]]
    assert "Acceso a la Justicia" in names
    first = seeded_client.get("/api/reconcile/suggest/entity", params={"prefix": "1"}).json()["result"][0]
    assert first["id"] == "1"
    flyout = seeded_client.get("/api/reconcile/flyout", params={"id": first["id"]}).json()
    assert flyout["id"] == "1" and first["name"] in text_of(parse("<!doctype html><title>t</title>" + flyout["html"]))


def test_extend_adds_columns_valid_against_0_2(seeded_client: TestClient) -> None:
    proposal = seeded_client.get("/api/reconcile/properties", params={"type": "organization"}).json()
    assert_valid(reconciliation_validator("data-extension-property-proposal.json"), proposal)
    wanted = [{"id": p["id"]} for p in proposal["properties"]]
    provea = seeded_client.get("/api/organizations/provea").json()
    query = {"ids": [str(provea["id"]), "999999"], "properties": wanted}
    assert_valid(reconciliation_validator("data-extension-query.json"), query)
    body = post_form(seeded_client, extend=json.dumps(query)).json()
    assert_valid(reconciliation_validator("data-extension-response.json"), body)
    row = body["rows"][str(provea["id"])]
    assert row["statement_count"] == [{"int": len(provea["statements"])}]
    assert [v["str"] for v in row["statements"]] == [s["title"] for s in provea["statements"]]
    assert row["acronym"] == [{"str": "Provea"}]
    assert body["rows"]["999999"] == {p["id"]: [] for p in wanted}


def test_extend_names_an_unknown_property(client: TestClient) -> None:
    problem = post_form(client, extend=json.dumps({"ids": ["1"], "properties": [{"id": "budget"}]})).json()
    assert (problem["status"], problem["parameter"]) == (422, "extend") and "budget" in problem["detail"]


# --- identifiers people type -------------------------------------------------------------------


def test_an_acronym_works_where_an_id_or_slug_does(seeded_client: TestClient) -> None:
    provea = seeded_client.get("/api/organizations/provea").json()
    assert provea["acronym"] == "Provea"
    by_slug = seeded_client.get("/api/statements", params={"signatory": provea["slug"]}).json()
    by_acronym = seeded_client.get("/api/statements", params={"signatory": "Provea"}).json()
    assert by_acronym["items"] and by_acronym == by_slug
    partners = seeded_client.get("/api/organizations", params={"signed_with": "PROVEA", "limit": 1000}).json()
    assert partners["total"] == seeded_client.get("/api/organizations", params={"signed_with": provea["slug"]}).json()["total"] > 0


def test_a_name_that_denotes_several_organizations_is_a_422_listing_them(seeded_client: TestClient, seeded) -> None:
    from app.models import Organization

    with seeded() as session, session.begin():
        twins = session.query(Organization).filter(Organization.merged_into_id.is_(None)).order_by(Organization.id).limit(2).all()
        for twin in twins:
            twin.acronym = "GEMELAS"
        expected = sorted(t.id for t in twins)
    for response in (seeded_client.get("/api/organizations/gemelas"), seeded_client.get("/api/statements", params={"signatory": "Gemelas"})):
        problem = response.json()
        assert response.status_code == 422 and sorted(c["id"] for c in problem["candidates"]) == expected


def test_fuzzy_matches_are_marked_approximate(seeded_client: TestClient) -> None:
    exact = seeded_client.get("/api/organizations", params={"q": "acceso justicia"}).json()["items"]
    fuzzy = seeded_client.get("/api/organizations", params={"q": "Acseso a la Justisia"}).json()["items"]
    assert exact and {item["match"] for item in exact} == {"exact"}
    assert fuzzy and {item["match"] for item in fuzzy} == {"approximate"}


def test_derechos_humanos_finds_names_printed_with_ddhh(seeded_client: TestClient) -> None:
    found = [i["name"] for i in seeded_client.get("/api/organizations", params={"q": "derechos humanos", "limit": 1000}).json()["items"]]
    assert any("DDHH" in name for name in found), found
    short = [i["name"] for i in seeded_client.get("/api/organizations", params={"q": "ddhh", "limit": 1000}).json()["items"]]
    assert any("Derechos Humanos" in name for name in short), short


# --- CSV ---------------------------------------------------------------------------------------


def test_limit_all_streams_the_complete_list(seeded_client: TestClient) -> None:
    paged = seeded_client.get("/api/statements/1/signatories", params={"limit": 1000}).json()
    assert paged["total"] > 50
    whole = seeded_client.get("/api/statements/1/signatories", params={"format": "csv", "limit": "all"})
    rows = list(csv.DictReader(io.StringIO(whole.text)))
    assert [int(r["id"]) for r in rows] == [item["id"] for item in paged["items"]]
    assert whole.headers["x-total-count"] == str(paged["total"]) and "link" not in whole.headers
    problem = seeded_client.get("/api/organizations", params={"limit": "all"}).json()
    assert (problem["status"], problem["parameter"]) == (422, "limit")


def test_limit_all_reads_page_after_page(seeded_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.api import queries

    monkeypatch.setattr(queries, "ALL_PAGE_SIZE", 7)  # why: more pages than the seed's size gives otherwise
    lines = seeded_client.get("/api/organizations", params={"format": "ndjson", "limit": "all"}).text.splitlines()
    total = seeded_client.get("/api/organizations").json()["total"]
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == total


@pytest.mark.parametrize("url", ["/api/organizations?format=csv", "/api/export/organizations.csv", "/regiones/ve-s/organizaciones.csv"])
def test_semicolon_delimiter_for_spanish_excel(seeded_client: TestClient, url: str) -> None:
    text = seeded_client.get(url + ("&" if "?" in url else "?") + "delimiter=%3B&bom=1").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["id", "slug", "name"] and len(rows) > 1


def test_the_pages_csv_links_carry_a_bom(seeded_client: TestClient) -> None:
    page = parse(seeded_client.get("/comunicados/2021-11-joint-statement-icc-criminalization").text)
    link = next(a.get("href") for a in page.iter("a") if (a.get("href") or "").endswith(".csv?bom=1"))
    assert seeded_client.get(link).content.startswith(b"\xef\xbb\xbf")


def test_data_package_validates_with_frictionless(seeded_client: TestClient, tmp_path: Path) -> None:
    """why frictionless here: the package must pass `frictionless validate`, so the test runs it."""
    package = seeded_client.get("/api/export/datapackage.json").json()
    for resource in package["resources"]:
        (tmp_path / resource["path"]).write_bytes(seeded_client.get(f"/api/export/{resource['path']}").content)
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    limit = csv.field_size_limit()
    try:
        import frictionless  # why here: importing it raises csv.field_size_limit for the whole process

        report = frictionless.validate(str(tmp_path / "datapackage.json"))
    finally:
        csv.field_size_limit(limit)  # the import tests rely on the default
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    assert {r["name"] for r in package["resources"]} == {"statements", "organizations", "signatures"}
