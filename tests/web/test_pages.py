"""Public pages through the real app and database: status, valid HTML, escaping, languages, CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import CANDIDATE_STATUSES, SECTORS, STATEMENT_KINDS, VALUE_SOURCES, Organization, PrintedName
from app.services import review
from app.identity.evidence import OrganizationHints
from app.services import organizations
from tests.importing import LineFields, StatementFields, import_statement, organization_printed_as
from app.web import i18n
from app.web.render import TEMPLATES
from tests.web.html import find_all, headings, parse, text_of

JOINT = "2021-11-joint-statement-icc-criminalization"
HOSTILE = "<script>alert(1)</script>"


def org_id(factory: sessionmaker[Session], printed: str) -> int:
    with factory() as session:
        return organization_printed_as(session, printed)


def org_slug(factory: sessionmaker[Session], printed: str) -> str:
    with factory() as session:
        return session.get_one(Organization, org_id(factory, printed)).slug


def public_pages(factory: sessionmaker[Session]) -> list[str]:
    return [
        "/",
        "/buscar",
        "/buscar?q=aqui+cabemos",
        f"/buscar?year=2021&statement={JOINT}",
        "/buscar?region=VE-A&sector=ngo",
        f"/comunicados/{JOINT}",
        f"/organizaciones/{org_slug(factory, 'Aquí Cabemos Todos')}",
        "/regiones",
        "/regiones/ve-a",
        "/admin/entrar",
    ]


def test_every_public_page_is_valid_html_with_one_h1_and_no_skipped_heading_level(seeded_client: TestClient, seeded) -> None:
    for path in public_pages(seeded):
        response = seeded_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        levels = headings(parse(response.text))
        assert levels.count(1) == 1, path
        assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:])), (path, levels)


def test_every_form_control_has_a_label_and_every_asset_is_local(seeded_client: TestClient, seeded) -> None:
    for path in public_pages(seeded):
        root = parse(seeded_client.get(path).text)
        labelled = {label.get("for") for label in find_all(root, "label")}
        controls = [c for tag in ("input", "select", "textarea") for c in find_all(root, tag) if c.get("type") != "hidden"]
        assert all(control.get("id") in labelled for control in controls), path
        assets = [e.get("src") for e in find_all(root, "script") + find_all(root, "img")] + [
            e.get("href") for e in find_all(root, "link")
        ]
        assert all(asset is None or asset.startswith("/") for asset in assets), (path, assets)


def test_statement_page_shows_every_line_as_printed_in_order_linked_with_repeats_marked(seeded_client: TestClient) -> None:
    api = seeded_client.get(f"/api/statements/{JOINT}").json()
    root = parse(seeded_client.get(f"/comunicados/{JOINT}").text)
    rows = find_all(next(iter(find_all(root, "tbody"))), "tr")
    assert [text_of(row.findall("td")[1]) for row in rows] == [" ".join(line["raw_text"].split()) for line in api["lines"]]
    assert [row.find("td/a").get("href") for row in rows] == [f"/organizaciones/{line['organization']['slug']}" for line in api["lines"]]
    assert [row.get("class") == "repeat" for row in rows] == [line["is_repeat"] for line in api["lines"]]
    assert any(line["is_repeat"] for line in api["lines"])
    counts = text_of(next(e for e in find_all(root, "p") if e.get("class") == "counts"))
    assert counts == f"{api['line_count']} líneas de firma, {api['organization_count']} organizaciones distintas"


def test_an_organization_named_like_a_script_shows_as_text(seeded_client: TestClient, seeded) -> None:
    with seeded() as session, session.begin():
        import_statement(
            session,
            StatementFields(title=f"Carta {HOSTILE}", published_on=None, date_precision=None, urls=[]),
            [LineFields(raw_text=f"1) {HOSTILE}", name=HOSTILE, position="1"), LineFields(raw_text="2) Provea", name="Provea", position="2")],
        )
    slug = org_slug(seeded, HOSTILE)
    for path in (f"/organizaciones/{slug}", "/buscar?q=script", "/"):
        response = seeded_client.get(path)
        assert "<script>alert(1)</script>" not in response.text, path
        root = parse(response.text)
        assert find_all(root, "script") == [], path
        assert HOSTILE in text_of(root), path
    assert text_of(next(iter(find_all(parse(seeded_client.get(f"/organizaciones/{slug}").text), "h1")))) == HOSTILE


def test_organization_page_shows_names_region_evidence_timeline_and_cosignatories(seeded_client: TestClient, seeded) -> None:
    with seeded() as session:
        organization = session.scalar(
            select(Organization).where(Organization.region_source == "inferred", Organization.region_evidence.is_not(None)).limit(1)
        )
        names = organizations.printed_names(session, organization.id)
    api = seeded_client.get(f"/api/organizations/{organization.slug}").json()
    page = text_of(parse(seeded_client.get(f"/organizaciones/{organization.slug}").text))
    assert all(name in page for name in names)
    assert f"deducida del nombre, por las palabras «{organization.region_evidence}»" in page
    assert all(signed["title"] in page for signed in api["statements"])
    assert "Con quién firma más a menudo" in page and "comunicado en común" in page


def test_organization_page_says_a_region_came_from_the_import_file(seeded_client: TestClient, seeded) -> None:
    with seeded() as session, session.begin():
        import_statement(
            session,
            StatementFields(title="Carta regional", published_on=None, date_precision=None, urls=[]),
            [LineFields(raw_text="1) Colectivo Sin Lugar", name="Colectivo Sin Lugar", position="1", hints=OrganizationHints(region="VE-K"))],
        )
    page = text_of(parse(seeded_client.get(f"/organizaciones/{org_slug(seeded, 'Colectivo Sin Lugar')}?lang=en").text))
    assert "Lara (VE-K) — given in the imported file" in page


def test_a_merged_organization_page_redirects_to_the_survivor(seeded_client: TestClient, seeded) -> None:
    merged_slug = org_slug(seeded, "Tebripar")
    with seeded() as session, session.begin():
        review.merge_organizations(session, org_id(seeded, "Tebripar"), org_id(seeded, "Consejo Comunal TEBRIPAR"), actor="t")
    old = seeded_client.get(f"/organizaciones/{merged_slug}", follow_redirects=False)
    assert old.status_code == 308
    assert old.headers["location"] == f"/organizaciones/{org_slug(seeded, 'Consejo Comunal TEBRIPAR')}"


def test_search_filters_narrow_organizations_by_region_and_statements_by_year(seeded_client: TestClient, seeded) -> None:
    with seeded() as session:
        in_region = set(session.scalars(select(Organization.name).where(Organization.region_code == "VE-A", Organization.merged_into_id.is_(None))))
    assert in_region
    root = parse(seeded_client.get("/buscar?region=VE-A").text)
    listed = {text_of(li.find("a")) for ul in find_all(root, "ul") if ul.get("class") == "organizations" for li in ul}
    assert listed == in_region
    years_page = parse(seeded_client.get("/buscar?year=2023").text)
    shown = [text_of(li.find("a")) for ol in find_all(years_page, "ol") if ol.get("class") == "statements" for li in ol]
    dated_2023 = [s["title"] for s in seeded_client.get("/api/statements").json()["items"] if (s["date"] or "").startswith("2023")]
    assert dated_2023 and shown == dated_2023


def test_the_filter_form_as_a_browser_sends_it_with_empty_fields_is_accepted(seeded_client: TestClient) -> None:
    response = seeded_client.get("/buscar?q=aqui&region=&sector=&year=&statement=")
    assert response.status_code == 200
    assert "Aquí Cabemos Todos" in text_of(parse(response.text))


def test_the_statement_filter_lists_exactly_its_signatories(seeded_client: TestClient) -> None:
    mou = "2021-11-mou-icc-otp-venezuela"
    signers = {line["organization"]["name"] for line in seeded_client.get(f"/api/statements/{mou}").json()["lines"]}
    root = parse(seeded_client.get(f"/buscar?statement={mou}").text)
    listed = {text_of(li.find("a")) for ul in find_all(root, "ul") if ul.get("class") == "organizations" for li in ul}
    shown = [text_of(li.find("a")) for ol in find_all(root, "ol") if ol.get("class") == "statements" for li in ol]
    assert listed == signers
    assert shown == [seeded_client.get(f"/api/statements/{mou}").json()["title"]]


def test_bad_filters_and_unknown_pages_get_an_html_error_page_while_the_api_keeps_problem_json(seeded_client: TestClient) -> None:
    for path, status in (("/buscar?year=abc", 422), ("/buscar?region=XX-9", 422), ("/comunicados/nope", 404), ("/no-such-page", 404)):
        response = seeded_client.get(path)
        assert (response.status_code, response.headers["content-type"].split(";")[0]) == (status, "text/html"), path
        parse(response.text)
    api = seeded_client.get("/api/statements/nope")
    assert (api.status_code, api.headers["content-type"]) == (404, "application/problem+json")


@pytest.mark.parametrize(
    ("headers", "cookies", "query", "expected"),
    [
        ({}, {}, "", "es"),
        ({"Accept-Language": "en-US,en;q=0.9"}, {}, "", "en"),
        ({"Accept-Language": "fr-FR, en;q=0.5, es;q=0.8"}, {}, "", "es"),
        ({"Accept-Language": "en"}, {"lang": "es"}, "", "es"),
        ({"Accept-Language": "es"}, {}, "?lang=en", "en"),
    ],
)
def test_language_from_switch_then_cookie_then_accept_language(seeded_client: TestClient, headers, cookies, query, expected) -> None:
    seeded_client.cookies.clear()
    for name, value in cookies.items():
        seeded_client.cookies.set(name, value)
    response = seeded_client.get(f"/{query}", headers=headers)
    root = parse(response.text)
    assert root.get("lang") == expected
    assert response.headers["content-language"] == expected
    assert text_of(next(iter(find_all(root, "h2")))) == i18n.translate(expected, "latest_statements")


def test_the_switch_sets_a_cookie_that_later_pages_follow(seeded_client: TestClient) -> None:
    switched = seeded_client.get("/buscar?q=provea&lang=en")
    assert switched.cookies.get("lang") == "en"
    later = parse(seeded_client.get(f"/comunicados/{JOINT}").text)
    assert later.get("lang") == "en"
    assert "signature lines" in text_of(later)


def test_dates_and_numbers_follow_the_language(seeded_client: TestClient) -> None:
    spanish = text_of(parse(seeded_client.get(f"/comunicados/{JOINT}?lang=es").text))
    english = text_of(parse(seeded_client.get(f"/comunicados/{JOINT}?lang=en").text))
    assert "noviembre de 2021" in spanish and "November 2021" in english


def test_statement_csv_has_the_lines_in_the_import_format_plus_their_organizations(seeded_client: TestClient) -> None:
    api = seeded_client.get(f"/api/statements/{JOINT}").json()
    response = seeded_client.get(f"/comunicados/{JOINT}/firmas.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["position"], r["raw_text"], r["organization_slug"]) for r in rows] == [
        (line["position"] or "", line["raw_text"], line["organization"]["slug"]) for line in api["lines"]
    ]
    assert {r["statement_title"] for r in rows} == {api["title"]}


def test_every_page_links_its_csv_and_api_twins_and_both_answer(seeded_client: TestClient, seeded) -> None:
    for path in [
        "/",
        f"/comunicados/{JOINT}",
        f"/organizaciones/{org_slug(seeded, 'Aquí Cabemos Todos')}",
        "/regiones/ve-a",
        "/buscar?q=aqui",
    ]:
        root = parse(seeded_client.get(path).text)
        links = [a.get("href") for a in find_all(root, "a")]
        csv_links = [link for link in links if link.split("?")[0].endswith(".csv")]
        api_links = [link for link in links if link.startswith("/api/")]
        assert csv_links and api_links, path
        assert all(seeded_client.get(link).headers["content-type"].startswith("text/csv") for link in csv_links), path
        assert all(seeded_client.get(link).status_code == 200 for link in api_links), path


def test_csv_cells_that_look_like_formulas_are_neutralized(seeded_client: TestClient, seeded) -> None:
    with seeded() as session, session.begin():
        import_statement(
            session,
            StatementFields(title="Hoja", published_on=None, date_precision=None, urls=[]),
            [LineFields(raw_text="=HYPERLINK(\"x\")", name="=HYPERLINK(\"x\")", position="")],
        )
    rows = list(csv.DictReader(io.StringIO(seeded_client.get("/comunicados/hoja/firmas.csv").text)))
    assert rows[0]["raw_text"] == "'=HYPERLINK(\"x\")"


def test_every_message_has_both_languages_and_every_key_used_by_a_template_exists() -> None:
    assert all(set(texts) == set(i18n.LANGUAGES) and all(texts.values()) for texts in i18n.MESSAGES.values())
    used = {key for path in TEMPLATES.glob("*.html") for key in re.findall(r"""_\(\s*["']([a-z0-9_]+)["']""", path.read_text())}
    families = {
        "kind_": STATEMENT_KINDS,
        "sector_": SECTORS,
        "sector_source_": VALUE_SOURCES,
        "region_source_": ("admin", "import"),
        "status_": CANDIDATE_STATUSES,
        "side_": ("a", "b"),
    }
    assert {key for key in used if key.endswith("_")} == set(families)
    built = {prefix + value for prefix, values in families.items() for value in values}
    assert used - set(families) | built <= set(i18n.MESSAGES)
