"""The journalists' read API: filters, facets, co-signatories, regions, paging and formats.

Five organizations on three statements, imported through the real importer:

    S1 2021-03-10  Comunicado sobre la Corte Penal Internacional   A O C N
    S2 2021-11     Open letter to the Prosecutor (open_letter, en)  A C U
    S3 2019        Pronunciamiento por la educación                 A O U   (A printed in capitals)

A Fundación Acceso a la Justicia (VE-A), O Observatorio Venezolano de Prisiones (VE-L),
C Colegio de Abogados del Estado Zulia, N Asociación Civil Niña Madre (ANM, VE-V),
U Universidad del Zulia.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Organization, OrganizationStats, PrintedName, StatementStats
from app.services import organizations, review, signing_stats
from app.identity.evidence import OrganizationHints
from tests.importing import LineFields, StatementFields, import_statement, organization_printed_as

ACCESO = "Fundación Acceso a la Justicia"
OBSERVATORIO = "Observatorio Venezolano de Prisiones"
COLEGIO = "Colegio de Abogados del Estado Zulia"
NINA = "Asociación Civil Niña Madre"
LUZ = "Universidad del Zulia"
HINTS = {
    ACCESO: OrganizationHints(region="VE-A"),
    OBSERVATORIO: OrganizationHints(region="VE-L"),
    NINA: OrganizationHints(region="VE-V", acronym="ANM"),
}


def _lines(*printed: str) -> list[LineFields]:
    return [
        LineFields(raw_text=f"{i}) {name}", name=name, position=str(i), hints=HINTS.get(name, OrganizationHints()))
        for i, name in enumerate(printed, start=1)
    ]


@pytest.fixture
def registry(db: sessionmaker[Session]) -> sessionmaker[Session]:
    with db() as session, session.begin():
        import_statement(
            session,
            StatementFields(
                title="Comunicado sobre la Corte Penal Internacional",
                published_on=dt.date(2021, 3, 10),
                date_precision="day",
                summary="Rechazo a la criminalización de quienes cooperaron con la Fiscalía.",
                slug="s1",
                language="es",
            ),
            _lines(ACCESO, OBSERVATORIO, COLEGIO, NINA),
        )
        import_statement(
            session,
            StatementFields(
                title="Open letter to the Prosecutor",
                published_on=dt.date(2021, 11, 1),
                date_precision="month",
                kind="open_letter",
                language="en",
                slug="s2",
            ),
            _lines(ACCESO, COLEGIO, LUZ),
        )
        import_statement(
            session,
            StatementFields(
                title="Pronunciamiento por la educación",
                published_on=dt.date(2019, 1, 1),
                date_precision="year",
                slug="s3",
                language="es",
            ),
            _lines(ACCESO.upper(), OBSERVATORIO, LUZ),
        )
    with db() as session, session.begin():
        for printed, sector in ((LUZ, "academic"), (COLEGIO, "professional_body")):
            organization = session.get_one(
                Organization, organization_printed_as(session, printed)
            )
            organizations.update(session, organization, {"sector": sector}, actor="test")
    return db


@pytest.fixture
def api(settings, registry) -> TestClient:
    from app.main import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client


def names_of(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def org(session_factory: sessionmaker[Session], printed: str) -> Organization:
    with session_factory() as session:
        return session.get_one(Organization, organization_printed_as(session, printed))


# --- organizations: q -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("funda", [ACCESO]),
        ("FUNDACION acceso", [ACCESO]),
        ("justi funda", [ACCESO]),
        ("nina madre", [NINA]),
        ("niña-madre!", [NINA]),
        ("anm", [NINA]),
        ("zulia", [COLEGIO, LUZ]),
    ],
)
def test_q_matches_word_starts_of_any_printed_name_or_the_acronym(api: TestClient, q: str, expected: list[str]) -> None:
    assert names_of(api.get("/api/organizations", params={"q": q})) == expected


def test_q_does_not_match_inside_words(api: TestClient) -> None:
    assert api.get("/api/organizations", params={"q": "ccceso"}).json()["total"] == 0
    assert api.get("/api/organizations", params={"q": "undacion"}).json()["total"] == 0


def test_q_with_typos_falls_back_to_close_names(api: TestClient) -> None:
    assert names_of(api.get("/api/organizations", params={"q": "Fundasion Acseso a la Justisia"})) == [ACCESO]
    assert names_of(api.get("/api/organizations", params={"q": "Obserbatorio Venezolano de Prisones"})) == [OBSERVATORIO]
    assert api.get("/api/organizations", params={"q": "Zzyzx Qwerty"}).json()["total"] == 0


# --- organizations: other filters -------------------------------------------------------------


def test_region_accepts_codes_names_and_several(api: TestClient) -> None:
    zulia = [COLEGIO, NINA, LUZ]
    assert names_of(api.get("/api/organizations", params={"region": "VE-V"})) == sorted(zulia)
    assert names_of(api.get("/api/organizations", params={"region": "zulia"})) == sorted(zulia)
    assert names_of(api.get("/api/organizations?region=VE-V&region=Mérida")) == sorted([*zulia, OBSERVATORIO])
    assert names_of(api.get("/api/organizations?region=ve-v,VE-A")) == sorted([*zulia, ACCESO])


def test_unknown_region_is_a_422_naming_it(api: TestClient) -> None:
    response = api.get("/api/organizations", params={"region": "Atlantis"})
    assert (response.status_code, response.json()["parameter"]) == (422, "region")
    assert "Atlantis" in response.json()["detail"]


def test_sector_and_country(api: TestClient) -> None:
    assert names_of(api.get("/api/organizations", params={"sector": "academic"})) == [LUZ]
    assert names_of(api.get("/api/organizations", params={"sector": "professional_body,academic"})) == [COLEGIO, LUZ]
    assert api.get("/api/organizations", params={"country": "VE"}).json()["total"] == 5
    assert api.get("/api/organizations", params={"country": "AR"}).json()["total"] == 0
    for parameter, value in (("sector", "pirates"), ("country", "Venezuela")):
        response = api.get("/api/organizations", params={parameter: value})
        assert (response.status_code, response.json()["parameter"]) == (422, parameter)


def test_signed_and_signed_with(api: TestClient, registry) -> None:
    assert names_of(api.get("/api/organizations", params={"signed": "s2"})) == sorted([ACCESO, COLEGIO, LUZ])
    nina = org(registry, NINA)
    assert names_of(api.get("/api/organizations", params={"signed_with": nina.slug})) == sorted([ACCESO, OBSERVATORIO, COLEGIO])
    assert names_of(api.get("/api/organizations", params={"signed_with": str(nina.id)})) == sorted([ACCESO, OBSERVATORIO, COLEGIO])
    assert names_of(api.get("/api/organizations", params={"signed_with": "Universidad del Zulia"})) == sorted([ACCESO, OBSERVATORIO, COLEGIO])
    for parameter in ("signed", "signed_with"):
        response = api.get("/api/organizations", params={parameter: "no-such-thing"})
        assert (response.status_code, response.json()["parameter"]) == (422, parameter)


def test_min_statements_and_dates(api: TestClient) -> None:
    assert names_of(api.get("/api/organizations", params={"min_statements": 3})) == [ACCESO]
    assert api.get("/api/organizations", params={"min_statements": 2}).json()["total"] == 4
    in_2021 = {"since": "2021-01-01", "until": "2021-12-31"}
    assert api.get("/api/organizations", params=in_2021).json()["total"] == 5
    assert names_of(api.get("/api/organizations", params=in_2021 | {"region": "Zulia"})) == sorted([COLEGIO, NINA, LUZ])
    assert names_of(api.get("/api/organizations", params={"since": "2021-06-01"})) == sorted([ACCESO, COLEGIO, LUZ])
    assert names_of(api.get("/api/organizations", params={"until": "2020-01-01"})) == sorted([ACCESO, OBSERVATORIO, LUZ])
    response = api.get("/api/organizations", params={"since": "last year"})
    assert (response.status_code, response.json()["parameter"]) == (422, "since")


def test_items_carry_region_sector_counts_and_dates(api: TestClient) -> None:
    item = api.get("/api/organizations", params={"q": "funda"}).json()["items"][0]
    assert item["region"] == {"code": "VE-A", "name": "Distrito Capital", "source": "import"}
    assert (item["statement_count"], item["first_signed"], item["last_signed"]) == (3, "2019-01-01", "2021-11-01")
    assert item["url"].endswith(f"/api/organizations/{item['slug']}")


def test_sorts(api: TestClient) -> None:
    by_count = api.get("/api/organizations", params={"sort": "statements"}).json()["items"]
    assert [i["statement_count"] for i in by_count] == [3, 2, 2, 2, 1]
    assert by_count[0]["name"] == ACCESO
    latest = api.get("/api/organizations", params={"sort": "last_signed"}).json()["items"]
    assert [i["last_signed"] for i in latest] == ["2021-11-01"] * 3 + ["2021-03-10"] * 2
    response = api.get("/api/organizations", params={"sort": "size"})
    assert (response.status_code, response.json()["parameter"]) == (422, "sort")


@pytest.mark.parametrize("sort", ["name", "statements", "last_signed"])
def test_every_sort_pages_through_all_with_cursor_link_and_total(api: TestClient, sort: str) -> None:
    seen, url, pages = [], f"/api/organizations?limit=2&sort={sort}", 0
    while url:
        response = api.get(url)
        body = response.json()
        assert body["total"] == 5
        if body["next"]:
            assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
        seen += [item["id"] for item in body["items"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) == 5 and pages == 3
    assert seen == [item["id"] for item in api.get(f"/api/organizations?limit=5&sort={sort}").json()["items"]]


# --- facets -----------------------------------------------------------------------------------


def test_organization_facets_count_all_matches(api: TestClient) -> None:
    body = api.get("/api/organizations", params={"facets": "region,sector,year", "limit": 1}).json()
    regions = {facet["value"]: (facet["label"], facet["count"]) for facet in body["facets"]["region"]}
    assert regions == {"VE-V": ("Zulia", 3), "VE-A": ("Distrito Capital", 1), "VE-L": ("Mérida", 1)}
    assert {facet["value"]: facet["count"] for facet in body["facets"]["year"]} == {"2021": 5, "2019": 3}
    sectors = {facet["value"]: facet["count"] for facet in body["facets"]["sector"]}
    assert sectors == {"academic": 1, "professional_body": 1, "ngo": 3}
    assert "facets" not in api.get("/api/organizations").json()


def test_one_request_answers_how_many_zulia_organizations_signed_in_2021(api: TestClient) -> None:
    body = api.get("/api/organizations?region=Zulia&since=2021-01-01&until=2021-12-31&facets=year").json()
    assert body["total"] == 3
    assert body["facets"]["year"] == [{"value": "2021", "label": "2021", "count": 3}]


def test_unknown_facet_is_a_422(api: TestClient) -> None:
    response = api.get("/api/organizations", params={"facets": "region,colour"})
    assert (response.status_code, response.json()["parameter"]) == (422, "facets")


# --- statements -------------------------------------------------------------------------------


def slugs_of(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def test_statement_filters(api: TestClient, registry) -> None:
    assert slugs_of(api.get("/api/statements")) == ["s2", "s1", "s3"]
    assert slugs_of(api.get("/api/statements", params={"q": "corte penal"})) == ["s1"]
    assert slugs_of(api.get("/api/statements", params={"q": "CRIMINALIZACION"})) == ["s1"]  # in the summary
    assert slugs_of(api.get("/api/statements", params={"q": "educ"})) == ["s3"]
    assert slugs_of(api.get("/api/statements", params={"signatory": org(registry, LUZ).slug})) == ["s2", "s3"]
    assert slugs_of(api.get("/api/statements", params={"signatory": "niña madre, a.c."})) == ["s1"]
    assert slugs_of(api.get("/api/statements", params={"region": "Mérida"})) == ["s1", "s3"]
    assert slugs_of(api.get("/api/statements", params={"kind": "open_letter"})) == ["s2"]
    assert slugs_of(api.get("/api/statements", params={"language": "EN"})) == ["s2"]
    assert slugs_of(api.get("/api/statements", params={"since": "2021-01-01", "until": "2021-06-30"})) == ["s1"]
    for parameter, value in (("kind", "poem"), ("signatory", "Nobody At All"), ("region", "Narnia")):
        response = api.get("/api/statements", params={parameter: value})
        assert (response.status_code, response.json()["parameter"]) == (422, parameter)


def test_statement_facets(api: TestClient) -> None:
    facets = api.get("/api/statements", params={"facets": "year,region"}).json()["facets"]
    assert {f["value"]: f["count"] for f in facets["year"]} == {"2021": 2, "2019": 1}
    assert {f["value"]: f["count"] for f in facets["region"]} == {"VE-A": 3, "VE-V": 3, "VE-L": 2}


def test_signatories_of_a_statement_take_the_organization_filters(api: TestClient) -> None:
    assert names_of(api.get("/api/statements/s1/signatories")) == sorted([ACCESO, OBSERVATORIO, COLEGIO, NINA])
    assert names_of(api.get("/api/statements/s1/signatories", params={"region": "VE-V"})) == sorted([COLEGIO, NINA])
    body = api.get("/api/statements/s1/signatories", params={"facets": "region"}).json()
    assert body["total"] == 4 and {f["value"]: f["count"] for f in body["facets"]["region"]} == {"VE-V": 2, "VE-A": 1, "VE-L": 1}
    assert api.get("/api/statements/nope/signatories").status_code == 404


def test_a_name_printed_twice_is_one_signatory(api: TestClient, registry) -> None:
    with registry() as session, session.begin():
        import_statement(session, StatementFields(title="Comunicado sobre la Corte Penal Internacional", published_on=dt.date(2021, 3, 10), date_precision="day"), _lines(ACCESO, ACCESO.upper()))
    assert api.get("/api/statements/s1/signatories").json()["total"] == 4


# --- co-signatories and regions ---------------------------------------------------------------


def test_cosignatories_most_shared_first_with_the_statements(api: TestClient, registry) -> None:
    acceso = org(registry, ACCESO)
    body = api.get(f"/api/organizations/{acceso.slug}/cosignatories").json()
    assert body["total"] == 4
    ranked = [(item["organization"]["name"], item["shared_count"]) for item in body["items"]]
    assert ranked[-1] == (NINA, 1)
    assert sorted(ranked[:3]) == sorted([(OBSERVATORIO, 2), (COLEGIO, 2), (LUZ, 2)])
    luz = next(item for item in body["items"] if item["organization"]["name"] == LUZ)
    assert [s["slug"] for s in luz["shared_statements"]] == ["s2", "s3"]


def test_regions_list_counts_organizations_and_statements(api: TestClient) -> None:
    response = api.get("/api/regions")
    regions = {region["code"]: region for region in response.json()}
    assert len(regions) >= 24
    assert (regions["VE-V"]["organization_count"], regions["VE-V"]["statement_count"]) == (3, 3)
    assert (regions["VE-L"]["organization_count"], regions["VE-L"]["statement_count"]) == (1, 2)
    assert regions["VE-Z"]["organization_count"] == 0
    assert api.get(regions["VE-V"]["url"]).json()["total"] == 3


def test_merged_organizations_redirect_and_leave_the_lists(api: TestClient, registry) -> None:
    nina, colegio = org(registry, NINA), org(registry, COLEGIO)
    with registry() as session, session.begin():
        review.merge_organizations(session, nina.id, colegio.id, actor="test")
    for path in (f"/api/organizations/{nina.id}", f"/api/organizations/{nina.slug}/cosignatories?limit=5"):
        response = api.get(path, follow_redirects=False)
        assert response.status_code == 308
        assert colegio.slug in response.headers["location"]
    assert api.get(f"/api/organizations/{nina.id}/cosignatories?limit=5").json()["limit"] == 5
    assert NINA not in names_of(api.get("/api/organizations"))
    assert names_of(api.get("/api/organizations", params={"q": "nina madre"})) == [COLEGIO]
    assert names_of(api.get("/api/organizations", params={"signed_with": nina.slug})) == sorted([ACCESO, OBSERVATORIO, LUZ])


# --- formats ----------------------------------------------------------------------------------


def test_csv_by_parameter_or_accept_header(api: TestClient) -> None:
    by_parameter = api.get("/api/organizations", params={"format": "csv", "sort": "statements"})
    by_header = api.get("/api/organizations", params={"sort": "statements"}, headers={"Accept": "text/csv"})
    assert by_parameter.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_parameter.content == by_header.content
    rows = list(csv.DictReader(io.StringIO(by_parameter.text)))
    assert len(rows) == 5 and by_parameter.headers["x-total-count"] == "5"
    assert rows[0]["name"] == ACCESO and rows[0]["region_code"] == "VE-A" and rows[0]["statement_count"] == "3"
    assert rows[0]["first_signed"] == "2019-01-01"
    assert not by_parameter.content.startswith(b"\xef\xbb\xbf")


def test_csv_with_bom_for_excel(api: TestClient) -> None:
    response = api.get("/api/statements", params={"format": "csv", "bom": "1"})
    assert response.content.startswith("\ufeffid,slug,title".encode())
    assert list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))[0]["urls"] == "[]"


def test_csv_neutralizes_formulas(api: TestClient, registry) -> None:
    with registry() as session, session.begin():
        import_statement(session, StatementFields(title="=HYPERLINK(\"http://x\")", slug="evil"), _lines("@SUM(A1) Asociación"))
    statement = api.get("/api/statements", params={"format": "csv", "q": "hyperlink"}).text
    assert "'=HYPERLINK" in statement and "\n=HYPERLINK" not in statement.replace(",=", "")
    organization = api.get("/api/statements/evil/signatories", params={"format": "csv"}).text
    assert ",'@SUM(A1) Asociación," in organization


def test_ndjson_one_object_per_line_with_link(api: TestClient) -> None:
    response = api.get("/api/organizations", params={"format": "ndjson", "limit": 2})
    lines = response.content.splitlines()
    assert response.headers["content-type"] == "application/x-ndjson"
    assert len(lines) == 2 and orjson.loads(lines[0])["name"] == NINA
    assert 'rel="next"' in response.headers["link"]


def test_csv_pages_follow_the_link(api: TestClient) -> None:
    response, rows = api.get("/api/organizations?format=csv&limit=3"), []
    rows += list(csv.DictReader(io.StringIO(response.text)))
    next_url = response.headers["link"].split(">")[0].lstrip("<")
    rows += list(csv.DictReader(io.StringIO(api.get(next_url).text)))
    assert len({row["id"] for row in rows}) == 5


# --- HTTP behaviour ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/organizations?regoin=VE-V", "/api/statements?q=x&sort=name", "/api/statements/s1?format=csv", "/api/regions?country=VE"]
)
def test_unknown_parameters_are_a_422_naming_them(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    unknown = path.split("?")[1].split("&")[-1].split("=")[0]
    assert response.json()["parameter"] == unknown and response.json()["unknown"] == [unknown]


@pytest.mark.parametrize("path", ["/api/organizations?region=VE-V", "/api/organizations?format=csv", "/api/statements/s1", "/api/regions"])
def test_etag_and_304(api: TestClient, path: str) -> None:
    first = api.get(path)
    assert first.status_code == 200 and first.headers["cache-control"].startswith("public")
    again = api.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert api.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_etag_changes_when_the_data_does(api: TestClient, registry) -> None:
    before = api.get("/api/organizations").headers["etag"]
    with registry() as session, session.begin():
        import_statement(session, StatementFields(title="Otro", slug="s4"), _lines("Red de Bibliotecas"))
    assert api.get("/api/organizations").headers["etag"] != before


def test_cors_is_open_for_reads(api: TestClient) -> None:
    response = api.get("/api/organizations", headers={"Origin": "https://newsroom.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Link" in response.headers["access-control-expose-headers"]
    preflight = api.options(
        "/api/organizations", headers={"Origin": "https://newsroom.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200


def test_limit_over_1000_is_refused(api: TestClient) -> None:
    assert api.get("/api/organizations", params={"limit": 1000}).status_code == 200
    response = api.get("/api/organizations", params={"limit": 1001})
    assert (response.status_code, response.json()["parameter"]) == (422, "limit")


def test_openapi_documents_every_read_parameter_with_an_example(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    read_paths = [path for path in spec["paths"] if path.startswith(("/api/organizations", "/api/statements", "/api/regions"))]
    assert "/api/organizations/{id_or_slug}/cosignatories" in read_paths and "/api/regions" in read_paths
    for path in read_paths:
        operation = spec["paths"][path].get("get")
        if operation is None:
            continue
        assert operation.get("description") and operation.get("summary"), path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
            examples = parameter.get("examples") or parameter["schema"].get("examples") or parameter.get("example")
            assert examples, (path, parameter["name"])


# --- stored counts ----------------------------------------------------------------------------


def _stored_counts(session_factory: sessionmaker[Session]) -> tuple[set, set]:
    with session_factory() as session:
        return (
            set(session.execute(select(OrganizationStats.__table__)).all()),
            set(session.execute(select(StatementStats.__table__)).all()),
        )


def _recomputed_counts(session_factory: sessionmaker[Session]) -> tuple[set, set]:
    with session_factory() as session, session.begin():
        signing_stats.refresh(session)
    return _stored_counts(session_factory)


def test_stored_counts_follow_merges_and_their_undoing(api: TestClient, registry) -> None:
    colegio, luz = org(registry, COLEGIO), org(registry, LUZ)
    with registry() as session, session.begin():
        merge = review.merge_organizations(session, colegio.id, luz.id, actor="test")
    item = api.get("/api/organizations", params={"q": "universidad zulia"}).json()["items"][0]
    assert (item["statement_count"], item["first_signed"], item["last_signed"]) == (3, "2019-01-01", "2021-11-01")
    s2 = api.get("/api/statements", params={"kind": "open_letter"}).json()["items"][0]
    assert (s2["line_count"], s2["organization_count"]) == (3, 2)
    assert _stored_counts(registry) == _recomputed_counts(registry)

    with registry() as session, session.begin():
        review.undo_merge(session, merge.id, actor="test")
    s2 = api.get("/api/statements", params={"kind": "open_letter"}).json()["items"][0]
    assert s2["organization_count"] == 3
    assert api.get("/api/organizations", params={"q": "universidad zulia"}).json()["items"][0]["statement_count"] == 2
    assert _stored_counts(registry) == _recomputed_counts(registry)


def test_stored_counts_follow_imports(api: TestClient, registry) -> None:
    with registry() as session, session.begin():
        import_statement(session, StatementFields(title="Nuevo", published_on=dt.date(2024, 5, 1), date_precision="day", slug="s4"), _lines(NINA, LUZ, "Red Nueva"))
    nina = api.get("/api/organizations", params={"q": "nina"}).json()["items"][0]
    assert (nina["statement_count"], nina["last_signed"]) == (2, "2024-05-01")
    assert _stored_counts(registry) == _recomputed_counts(registry)
