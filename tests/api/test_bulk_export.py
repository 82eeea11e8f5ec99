"""Bulk downloads over the seed, through the real app and database."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Organization, SignatureLine, Statement
from app.services import organizations, review
from tests.importing import LineFields, StatementFields, import_statement

FORMULA = '=HYPERLINK("http://evil.example","Fundación Ejemplo")'


def csv_rows(client: TestClient, name: str, **params: str) -> list[dict[str, str]]:
    response = client.get(f"/api/export/{name}.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def count(seeded: sessionmaker[Session], model: type) -> int:
    with seeded() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("name", "model", "expected"), [
    ("statements", Statement, 4),
    ("organizations", Organization, 113),
    ("signatures", SignatureLine, 116),
])
def test_each_csv_has_one_row_per_database_row(
    seeded_client: TestClient, seeded: sessionmaker[Session], name: str, model: type, expected: int
) -> None:
    rows = csv_rows(seeded_client, name)
    assert len(rows) == count(seeded, model) == expected
    assert len({row.get("id") or (row["statement_id"], row["sort_order"]) for row in rows}) == expected


def test_signature_lines_keep_their_raw_text_exactly(seeded_client: TestClient, seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        printed = session.execute(
            select(SignatureLine.statement_id, SignatureLine.position, SignatureLine.raw_text).order_by(
                SignatureLine.statement_id, SignatureLine.sort_order
            )
        ).all()
    rows = csv_rows(seeded_client, "signatures")
    assert [(int(r["statement_id"]), r["position"], r["raw_text"]) for r in rows] == [tuple(line) for line in printed]


def test_signature_rows_name_statement_and_organization(seeded_client: TestClient) -> None:
    rows = csv_rows(seeded_client, "signatures")
    cabemos = [row for row in rows if row["raw_text"] == "Aquí Cabemos Todos"]
    assert [row["position"] for row in cabemos] == ["10", "13"]
    assert [row["is_repeat"] for row in cabemos] == ["false", "true"]
    assert cabemos[0]["organization_slug"] == cabemos[1]["organization_slug"] == "aqui-cabemos-todos"
    assert cabemos[0]["statement_slug"] == "2021-11-joint-statement-icc-criminalization"
    assert cabemos[0]["statement_date"] == "2021-11-01"  # a day in every row; the precision is the statement's
    statement = next(row for row in csv_rows(seeded_client, "statements") if row["id"] == cabemos[0]["statement_id"])
    assert (statement["date"], statement["date_precision"]) == ("2021-11", "month")
    tachira = next(row for row in rows if "Táchira" in row["raw_text"])
    assert (tachira["region_code"], tachira["region_source"]) == ("VE-S", "inferred")


def test_organization_rows_list_printed_names_and_statement_counts(seeded_client: TestClient) -> None:
    rows = {row["slug"]: row for row in csv_rows(seeded_client, "organizations")}
    cabemos = rows["aqui-cabemos-todos"]
    assert cabemos["printed_names"] == "Aquí Cabemos Todos"
    assert (cabemos["statement_count"], cabemos["first_signed_on"], cabemos["last_signed_on"]) == ("1", "2021-11-01", "2021-11-01")
    statements = [row for row in csv_rows(seeded_client, "statements") if row["slug"] == "2021-11-joint-statement-icc-criminalization"]
    assert (statements[0]["line_count"], statements[0]["organization_count"], statements[0]["date"]) == ("111", "110", "2021-11")


def test_merged_organization_stays_listed_and_its_lines_follow_the_survivor(
    seeded_client: TestClient, seeded: sessionmaker[Session]
) -> None:
    with seeded() as session, session.begin():
        merged = organizations.get(session, "foro-penal").id
        survivor = organizations.get(session, "acceso-a-la-justicia").id
        review.merge_organizations(session, merged, survivor, actor="test")
    rows = {row["id"]: row for row in csv_rows(seeded_client, "organizations")}
    assert len(rows) == 113
    assert (rows[str(merged)]["merged_into_id"], rows[str(merged)]["printed_names"]) == (str(survivor), "")
    assert rows[str(survivor)]["printed_names"] == "Acceso a la Justicia | Foro Penal"
    line = next(row for row in csv_rows(seeded_client, "signatures") if row["raw_text"] == "Foro Penal")
    assert line["organization_id"] == str(survivor)
    popolo = seeded_client.get("/api/export/popolo.json").json()
    assert f"organization/{merged}" not in {org["id"] for org in popolo["organizations"]}


@pytest.fixture
def formula_line(seeded: sessionmaker[Session]) -> None:
    with seeded() as session, session.begin():
        import_statement(session, StatementFields(title="+Carta de prueba"), [LineFields(raw_text=FORMULA, name=FORMULA, position="1")])


def test_cells_a_spreadsheet_would_run_are_neutralized(seeded_client: TestClient, formula_line: None) -> None:
    line = next(row for row in csv_rows(seeded_client, "signatures") if row["raw_text"].endswith(FORMULA))
    assert line["raw_text"] == line["printed_name"] == "'" + FORMULA
    assert line["statement_title"] == "'+Carta de prueba"
    assert any(row["name"] == "'" + FORMULA for row in csv_rows(seeded_client, "organizations"))


def test_popolo_keeps_the_text_as_printed(seeded_client: TestClient, formula_line: None) -> None:
    signatures = seeded_client.get("/api/export/popolo.json").json()["signatures"]
    assert FORMULA in {signature["raw_text"] for signature in signatures}


@pytest.mark.parametrize("name", ["statements", "organizations", "signatures"])
def test_bom_only_when_asked(seeded_client: TestClient, name: str) -> None:
    plain = seeded_client.get(f"/api/export/{name}.csv").content
    excel = seeded_client.get(f"/api/export/{name}.csv", params={"bom": "1"}).content
    assert not plain.startswith(b"\xef\xbb\xbf") and plain[:1].isalpha()
    assert excel == b"\xef\xbb\xbf" + plain


def test_bad_bom_value_is_a_problem(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/export/signatures.csv", params={"bom": "maybe"})
    assert response.status_code == 422 and response.json()["parameter"] == "bom"


def test_popolo_links_every_signature_to_an_organization_and_an_event(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/export/popolo.json")
    popolo = response.json()
    assert response.headers["content-type"] == "application/json"
    assert (len(popolo["organizations"]), len(popolo["events"]), len(popolo["signatures"])) == (113, 4, 116)
    organization_ids = {org["id"] for org in popolo["organizations"]}
    event_ids = {event["id"] for event in popolo["events"]}
    assert all(s["organization_id"] in organization_ids and s["event_id"] in event_ids for s in popolo["signatures"])
    tachira = next(org for org in popolo["organizations"] if "Táchira" in org["name"])
    assert tachira["area_id"] == "VE-S" and tachira["area"]["name"] == "Táchira"
    printed = "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira"
    assert tachira["name"] == printed.replace("deColegios", "de Colegios")  # display-clean name
    assert tachira["other_names"] == [{"name": printed, "note": "printed"}]  # verbatim
    assert {"scheme": "firmas-slug", "identifier": tachira["identifiers"][1]["identifier"]} in tachira["identifiers"]
    joint = next(event for event in popolo["events"] if event["start_date"] == "2021-11")
    assert joint["classification"] == "joint_statement"
