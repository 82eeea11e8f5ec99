"""The reconciliation service, driven with requests shaped as OpenRefine sends them."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.models import Organization
from app.services import organizations
from tests.web.html import parse, text_of

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CHAPTER = "Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela"


def post_queries(client: TestClient, queries: dict) -> dict:
    """POST the batch exactly as OpenRefine does: a form-encoded `queries` field holding JSON."""
    response = client.post("/api/reconcile", content=urlencode({"queries": json.dumps(queries)}), headers=FORM)
    assert response.status_code == 200, response.text
    return response.json()


def org_id(seeded: sessionmaker[Session], slug: str) -> str:
    with seeded() as session:
        return str(organizations.get(session, slug).id)


def test_manifest_describes_the_service_for_openrefine(seeded_client: TestClient) -> None:
    manifest = seeded_client.get("/api/reconcile").json()
    assert manifest["versions"] == ["0.2"]
    assert manifest["defaultTypes"] == [{"id": "organization", "name": "Organization"}]
    assert manifest["view"]["url"] == "http://testserver/organizaciones/{{id}}"
    assert manifest["preview"] == {"url": "http://testserver/api/reconcile/preview?id={{id}}", "width": 400, "height": 120}
    assert manifest["identifierSpace"] and manifest["schemaSpace"] and manifest["name"]


def test_view_url_of_a_candidate_opens_the_organization(seeded_client: TestClient) -> None:
    manifest = seeded_client.get("/api/reconcile").json()
    candidate = post_queries(seeded_client, {"q0": {"query": "Foro Penal"}})["q0"]["result"][0]
    page = seeded_client.get(manifest["view"]["url"].replace("{{id}}", candidate["id"]))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert [text_of(h1) for h1 in parse(page.text).iter("h1")] == ["Foro Penal"]


def test_a_batch_answers_every_query_by_its_id(seeded_client: TestClient, seeded: sessionmaker[Session]) -> None:
    batch = {
        "q0": {"query": "Acceso a la Justicia", "type": "organization", "type_strict": "should"},
        "q1": {"query": "Foro Penal", "type": "organization", "type_strict": "should"},
        "q2": {"query": "Aqui cabemos todos", "type": "organization", "type_strict": "should"},
        "q3": {"query": "Nadie se llama así en el registro", "type": "organization", "type_strict": "should"},
    }
    results = post_queries(seeded_client, batch)
    assert set(results) == set(batch)
    best = {key: answer["result"][0] if answer["result"] else None for key, answer in results.items()}
    assert best["q0"]["id"] == org_id(seeded, "acceso-a-la-justicia")
    assert best["q1"]["id"] == org_id(seeded, "foro-penal")
    assert best["q2"]["name"] == "Aquí Cabemos Todos"
    assert best["q3"] is None or not best["q3"]["match"]
    for key in ("q0", "q1", "q2"):
        assert (best[key]["score"], best[key]["match"]) == (100.0, True)
        assert best[key]["type"] == [{"id": "organization", "name": "Organization"}]


def test_candidates_are_ordered_by_score_within_the_limit(seeded_client: TestClient) -> None:
    result = post_queries(seeded_client, {"q0": {"query": "Acceso a la Justicia", "limit": 3}})["q0"]["result"]
    scores = [candidate["score"] for candidate in result]
    assert 1 < len(result) <= 3
    assert scores == sorted(scores, reverse=True) and all(0 < score <= 100 for score in scores)
    assert [candidate["match"] for candidate in result] == [True] + [False] * (len(result) - 1)


def test_accents_and_case_do_not_matter(seeded_client: TestClient) -> None:
    result = post_queries(seeded_client, {"q0": {"query": "ACCESO A LA JUSTICIA"}, "q1": {"query": "aquí cabemos todos"}})
    assert result["q0"]["result"][0]["name"] == "Acceso a la Justicia" and result["q0"]["result"][0]["match"]
    assert result["q1"]["result"][0]["name"] == "Aquí Cabemos Todos" and result["q1"]["result"][0]["match"]


def test_a_typo_finds_the_organization_but_is_no_certain_match(seeded_client: TestClient) -> None:
    best = post_queries(seeded_client, {"q0": {"query": "Acseso a la Justisia"}})["q0"]["result"][0]
    assert best["name"] == "Acceso a la Justicia"
    assert 80 <= best["score"] < 100 and best["match"] is False


def test_an_acronym_finds_the_organization_that_prints_it(seeded_client: TestClient) -> None:
    best = post_queries(seeded_client, {"q0": {"query": "PROVEA"}})["q0"]["result"][0]
    assert best["name"] == "Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)"
    assert best["score"] == 90.0
    assert best["match"] is True  # the only organization with that acronym
    assert "Provea" in best["description"]


def test_a_translated_name_is_found_without_a_match(seeded_client: TestClient) -> None:
    best = post_queries(seeded_client, {"q0": {"query": "Amnistia Internacional"}})["q0"]["result"][0]
    assert best["name"] == "Amnesty International"
    assert 90 <= best["score"] < 100 and best["match"] is False


def test_region_property_prefers_the_chapter_of_that_region(seeded_client: TestClient) -> None:
    def ranked(region: str) -> list[dict]:
        query = {"query": CHAPTER, "properties": [{"pid": "region", "v": region}]}
        return post_queries(seeded_client, {"q0": query})["q0"]["result"][:2]

    tachira, merida = ranked("Táchira"), ranked("VE-L")
    assert "Táchira" in tachira[0]["name"] and "Táchira (VE-S)" in tachira[0]["description"]
    assert "Mérida" in merida[0]["name"] and "Mérida (VE-L)" in merida[0]["description"]
    assert tachira[0]["score"] > tachira[1]["score"]
    assert merida[0]["score"] > merida[1]["score"]


def test_a_region_that_contradicts_the_candidate_forbids_a_match(seeded_client: TestClient) -> None:
    query = {"query": "Comisión para los Derechos Humanos del Estado Zulia (Codhez)"}
    in_zulia = post_queries(seeded_client, {"q0": {**query, "properties": [{"pid": "region", "v": "Zulia"}]}})
    elsewhere = post_queries(seeded_client, {"q0": {**query, "properties": [{"pid": "region", "v": {"id": "VE-L"}}]}})
    assert (in_zulia["q0"]["result"][0]["match"], in_zulia["q0"]["result"][0]["score"]) == (True, 100.0)
    assert elsewhere["q0"]["result"][0]["match"] is False and elsewhere["q0"]["result"][0]["score"] < 100


def test_another_type_gets_no_candidates(seeded_client: TestClient) -> None:
    assert post_queries(seeded_client, {"q0": {"query": "Foro Penal", "type": "person"}}) == {"q0": {"result": []}}


def test_get_with_queries_and_jsonp_callback(seeded_client: TestClient) -> None:
    queries = json.dumps({"q0": {"query": "Foro Penal"}})
    plain = seeded_client.get("/api/reconcile", params={"queries": queries}).json()
    wrapped = seeded_client.get("/api/reconcile", params={"queries": queries, "callback": "jsonp123"})
    assert plain["q0"]["result"][0]["name"] == "Foro Penal"
    assert wrapped.headers["content-type"].startswith("application/javascript")
    assert wrapped.text.startswith("jsonp123(") and wrapped.text.endswith(");")
    assert json.loads(wrapped.text[len("jsonp123(") : -2]) == plain


def test_callback_that_is_not_an_identifier_is_refused(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/reconcile", params={"callback": "alert(1)//"})
    assert response.status_code == 422 and response.json()["parameter"] == "callback"


def test_bad_json_is_a_problem_naming_queries(seeded_client: TestClient) -> None:
    response = seeded_client.post("/api/reconcile", content=urlencode({"queries": "{not json"}), headers=FORM)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == "queries" and "JSON" in response.json()["detail"]


def test_bad_query_shapes_are_problems_naming_the_query(seeded_client: TestClient) -> None:
    for batch, said in (
        ([{"query": "x"}], "JSON object"),
        ({"q0": {"query": "x", "limit": "many"}}, "queries.q0.limit"),
        ({"q7": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}, "unknown property 'colour'"),
        ({"q0": {"query": "x", "properties": [{"pid": "region", "v": "Atlantis"}]}}, "unknown region 'Atlantis'"),
    ):
        response = seeded_client.post("/api/reconcile", content=urlencode({"queries": json.dumps(batch)}), headers=FORM)
        assert response.status_code == 422, batch
        assert said in response.json()["detail"] and response.json()["parameter"] == "queries"


def test_post_without_queries_is_a_problem(seeded_client: TestClient) -> None:
    response = seeded_client.post("/api/reconcile", content="", headers=FORM)
    assert response.status_code == 422 and response.json()["parameter"] == "queries"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_preview_is_a_small_html_card(seeded_client: TestClient, seeded: sessionmaker[Session]) -> None:
    response = seeded_client.get("/api/reconcile/preview", params={"id": org_id(seeded, "foro-penal")})
    page = _Text()
    page.feed(response.text)
    assert response.headers["content-type"].startswith("text/html")
    assert "Foro Penal" in page.text and "1 statement" in "".join(page.text)


def test_preview_escapes_names(seeded_client: TestClient, seeded: sessionmaker[Session]) -> None:
    with seeded() as session, session.begin():
        organization = session.get_one(Organization, int(org_id(seeded, "foro-penal")))
        organization.name = "<script>alert(1)</script> & Co"
    page = _Text()
    page.feed(seeded_client.get("/api/reconcile/preview", params={"id": "foro-penal"}).text)
    assert "script" not in page.tags
    assert "<script>alert(1)</script> & Co" in page.text


def test_preview_of_an_unknown_id_is_not_found(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/reconcile/preview", params={"id": "999999"})
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_a_preview_id_with_a_nul_byte_is_not_found(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/reconcile/preview", params={"id": "\x00"})
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
