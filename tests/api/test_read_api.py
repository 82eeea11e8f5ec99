"""The read API over the seed, through the real app and database."""

from fastapi.testclient import TestClient

JOINT = "2021-11-joint-statement-icc-criminalization"


def test_statements_list_shows_the_seed_newest_first(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/statements")
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 4
    assert [item["slug"] for item in body["items"]] == [
        "2024-amnesty-open-letter-icc-prosecutor",
        "2023-06-second-mou-icc-otp-venezuela",
        "2021-11-mou-icc-otp-venezuela",
        JOINT,
    ]
    joint = body["items"][-1]
    assert (joint["line_count"], joint["organization_count"], joint["date"]) == (111, 110, "2021-11")


def test_statements_are_paged_with_a_cursor_and_a_link_header(seeded_client: TestClient) -> None:
    first = seeded_client.get("/api/statements", params={"limit": 3})
    second = seeded_client.get(first.json()["next"])
    assert first.headers["link"] == f'<{first.json()["next"]}>; rel="next"'
    assert [len(first.json()["items"]), len(second.json()["items"])] == [3, 1]
    assert second.json()["next"] is None and "link" not in second.headers
    slugs = [i["slug"] for i in first.json()["items"] + second.json()["items"]]
    assert len(set(slugs)) == 4


def test_statement_detail_lists_lines_in_printed_order_with_organizations(seeded_client: TestClient) -> None:
    body = seeded_client.get(f"/api/statements/{JOINT}").json()
    lines = body["lines"]
    assert (body["line_count"], body["organization_count"]) == (111, 110)
    assert body["translator"] == "José Rafael Medina"
    assert [line["position"] for line in lines[:3]] == ["1", "2", "3"]
    assert lines[9]["raw_text"] == "Aquí Cabemos Todos" and lines[12]["raw_text"] == "Aquí Cabemos Todos"
    assert lines[9]["organization"] == lines[12]["organization"]
    assert (lines[9]["is_repeat"], lines[12]["is_repeat"]) == (False, True)
    assert "108" not in [line["position"] for line in lines]


def test_statement_by_numeric_id_equals_by_slug(seeded_client: TestClient) -> None:
    by_slug = seeded_client.get(f"/api/statements/{JOINT}").json()
    assert seeded_client.get(f"/api/statements/{by_slug['id']}").json() == by_slug


def test_organization_search_ignores_accents_and_case(seeded_client: TestClient) -> None:
    body = seeded_client.get("/api/organizations", params={"q": "aqui cabemos"}).json()
    assert [item["name"] for item in body["items"]] == ["Aquí Cabemos Todos"]
    assert body["total"] == 1


def test_organization_search_matches_any_printed_name(seeded_client: TestClient) -> None:
    body = seeded_client.get("/api/organizations", params={"q": "FEDERACION DE COLEGIOS"}).json()
    assert body["total"] == 1  # the Mérida chapter; the Táchira one was printed "deColegios"
    body = seeded_client.get("/api/organizations", params={"q": "de abogados"}).json()
    assert body["total"] == 2
    body = seeded_client.get("/api/organizations", params={"q": "decolegios"}).json()
    assert [item["region"]["code"] for item in body["items"]] == ["VE-S"]


def test_organization_detail_lists_its_statements_and_positions(seeded_client: TestClient) -> None:
    slug = seeded_client.get("/api/organizations", params={"q": "aqui cabemos"}).json()["items"][0]["slug"]
    body = seeded_client.get(f"/api/organizations/{slug}").json()
    assert body["names"] == ["Aquí Cabemos Todos"]
    assert [(s["slug"], s["positions"]) for s in body["statements"]] == [(JOINT, ["10", "13"])]


def test_organizations_list_pages_through_all_113(seeded_client: TestClient) -> None:
    seen, url = [], "/api/organizations?limit=40"
    while url:
        body = seeded_client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 113 == body["total"]


def test_unknown_statement_is_a_404_problem(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/statements/no-such-statement")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() | {"detail": None} == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": None,
        "instance": "/api/statements/no-such-statement",
        "parameter": "id_or_slug",
    }


def test_unknown_organization_and_route_are_404_problems(seeded_client: TestClient) -> None:
    for path in ("/api/organizations/999999", "/api/nothing-here"):
        response = seeded_client.get(path)
        assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")


def test_bad_parameter_is_a_422_problem_naming_it(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/statements", params={"limit": 5000})
    assert response.status_code == 422
    assert response.json()["parameter"] == "limit"
    response = seeded_client.get("/api/statements", params={"cursor": "garbage"})
    assert (response.status_code, response.json()["parameter"]) == (422, "cursor")


def test_healthz_reports_the_database(seeded_client: TestClient) -> None:
    body = seeded_client.get("/healthz").json()
    assert body["status"] == "ok" and body["statements"] == 4


def test_openapi_is_served_with_docs(seeded_client: TestClient) -> None:
    spec = seeded_client.get("/openapi.json").json()
    assert {"/api/statements", "/api/statements/{id_or_slug}", "/api/organizations", "/healthz"} <= set(spec["paths"])
    assert seeded_client.get("/docs").status_code == 200
