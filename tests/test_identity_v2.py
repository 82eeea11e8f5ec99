"""Identity v2 through the API and the CLI: homonyms stay apart, every line keeps its evidence,
splits and merges with a chosen survivor, all undone exactly."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import (
    Organization,
    OrganizationName,
    OrganizationStats,
    PrintedName,
    RegionStats,
    ReviewCandidate,
    SignatureLine,
    StatementStats,
)
from app.settings import Settings
from tests.live_counts import live_region_counts

ANZOATEGUI = (
    "statement_title,statement_date,organization,position,region\n"
    "Consejos comunales de Anzoátegui ante la escasez,2024-03-01,Consejo Comunal El Progreso,1,VE-B\n"
    "Consejos comunales de Anzoátegui ante la escasez,2024-03-01,Consejo Comunal Simón Bolívar,2,VE-B\n"
    "Consejos comunales de Anzoátegui ante la escasez,2024-03-01,Fundación Luz,3,VE-L\n"
).encode()
ZULIA = (
    "statement_title,statement_date,organization,position,region\n"
    "Consejos comunales del Zulia por el agua,2024-05-10,Consejo Comunal El Progreso,1,VE-V\n"
    "Consejos comunales del Zulia por el agua,2024-05-10,Consejo Comunal Simón Bolívar,2,VE-V\n"
    "Consejos comunales del Zulia por el agua,2024-05-10,Fundacion Luz,3,VE-M\n"
).encode()
NO_REGION = (
    "statement_title,statement_date,organization,position\n"
    "Carta sin estados,2024-07-01,Consejo Comunal El Progreso,1\n"
).encode()

runner = CliRunner()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client: TestClient, token: str, content: bytes, name: str = "firmas.csv") -> dict[str, Any]:
    response = client.post("/api/imports", files={"file": (name, content, "text/csv")}, headers=auth(token))
    assert response.status_code == 201, response.text
    return response.json()["report"]


def firmas(settings: Settings, *args: str):
    return runner.invoke(cli, ["--database-url", settings.database_url, *args])


def organizations_printed_as(db: sessionmaker[Session], text: str) -> list[dict[str, Any]]:
    """Every organization whose lines are printed as `text`, oldest first, with its place."""
    with db() as session:
        rows = session.execute(
            sa.select(Organization.id, Organization.region_code, Organization.region_source, Organization.region_conflict)
            .join(OrganizationName, OrganizationName.organization_id == Organization.id)
            .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
            .where(PrintedName.text == text)
            .order_by(Organization.id)
        )
        return [dict(row._mapping) for row in rows]


def state(db: sessionmaker[Session]) -> dict[str, list[tuple]]:
    """Everything identity derives or decides, row by row: what an undo must give back exactly."""
    tables = (Organization, SignatureLine, PrintedName, OrganizationName, OrganizationStats, StatementStats, RegionStats)
    with db() as session:
        dump = {}
        for model in tables:
            table = model.__table__
            columns = [column for column in table.columns if column.name != "created_at"]
            dump[table.name] = [tuple(row) for row in session.execute(sa.select(*columns).order_by(*table.primary_key.columns))]
        return dump


def stored_counts_are_live(db: sessionmaker[Session]) -> bool:
    with db() as session:
        stored = {row.region_code: (row.organization_count, row.statement_count) for row in session.scalars(sa.select(RegionStats))}
        return stored == live_region_counts(session.connection())


# --- homonyms ------------------------------------------------------------------------------------


def test_homonyms_from_different_states_stay_apart_with_their_regions(client: TestClient, db, admin_token: str) -> None:
    first = upload(client, admin_token, ANZOATEGUI, "anzoategui.csv")
    second = upload(client, admin_token, ZULIA, "zulia.csv")

    assert (first["totals"]["organizations_created"], second["totals"]["organizations_created"]) == (3, 3)
    assert second["totals"]["organizations_kept_apart"] == 3 and second["totals"]["homonym_suggestions"] == 3
    progreso = organizations_printed_as(db, "Consejo Comunal El Progreso")
    assert [(o["region_code"], o["region_source"], o["region_conflict"]) for o in progreso] == [
        ("VE-B", "import", None), ("VE-V", "import", None),
    ]  # fmt: skip
    bolivar = organizations_printed_as(db, "Consejo Comunal Simón Bolívar")
    assert [o["region_code"] for o in bolivar] == ["VE-B", "VE-V"]
    assert [o["region_code"] for o in organizations_printed_as(db, "Fundación Luz")] == ["VE-L"]
    assert [o["region_code"] for o in organizations_printed_as(db, "Fundacion Luz")] == ["VE-M"]

    suggestions = client.get("/api/review/candidates", headers=auth(admin_token)).json()["items"]
    reasons = {frozenset((s["organization_a"]["id"], s["organization_b"]["id"])): s["reasons"] for s in suggestions}
    assert reasons[frozenset(o["id"] for o in progreso)] == ["same name, different states (Zulia / Anzoátegui)"]
    assert stored_counts_are_live(db)


def test_deciding_same_merges_homonyms_and_the_undo_gives_both_back(client: TestClient, db, admin_token: str) -> None:
    upload(client, admin_token, ANZOATEGUI)
    before = state(db)
    upload(client, admin_token, ZULIA)
    with_both = state(db)
    anzoategui, zulia = (o["id"] for o in organizations_printed_as(db, "Consejo Comunal El Progreso"))
    candidate = next(
        s for s in client.get("/api/review/candidates", headers=auth(admin_token)).json()["items"]
        if {s["organization_a"]["id"], s["organization_b"]["id"]} == {anzoategui, zulia}
    )  # fmt: skip
    assert candidate["default_survivor"] == anzoategui  # as many lines: the older one

    decided = client.post(f"/api/review/candidates/{candidate['id']}/decision", json={"decision": "same", "survivor": zulia},
                          headers=auth(admin_token))  # fmt: skip
    assert decided.status_code == 200, decided.text
    assert decided.json()["merge"]["survivor"]["id"] == zulia
    merged = client.get(f"/api/organizations/{zulia}").json()
    assert merged["region"]["code"] == "VE-V" and merged["region_conflict"] == ["VE-B", "VE-V"]
    assert client.get(f"/api/organizations/{anzoategui}", follow_redirects=False).status_code == 308
    assert stored_counts_are_live(db)

    undone = client.post(f"/api/merges/{decided.json()['merge']['id']}/undo", headers=auth(admin_token))
    assert undone.status_code == 200, undone.text
    assert state(db) == with_both
    assert [o["region_code"] for o in organizations_printed_as(db, "Consejo Comunal El Progreso")] == ["VE-B", "VE-V"]
    assert before != with_both


def test_a_line_without_region_joins_the_only_homonym_and_never_guesses_between_two(client: TestClient, db, admin_token: str) -> None:
    upload(client, admin_token, ANZOATEGUI)
    joined = upload(client, admin_token, NO_REGION, "sin-estado-1.csv")
    assert joined["totals"]["names_exact"] == 1 and joined["totals"]["organizations_created"] == 0
    assert len(organizations_printed_as(db, "Consejo Comunal El Progreso")) == 1

    upload(client, admin_token, ZULIA)
    again = NO_REGION.replace(b"Carta sin estados", b"Otra carta sin estados")
    apart = upload(client, admin_token, again, "sin-estado-2.csv")
    assert apart["totals"]["organizations_created"] == 1 and apart["totals"]["organizations_kept_apart"] == 1
    progreso = organizations_printed_as(db, "Consejo Comunal El Progreso")
    assert [o["region_code"] for o in progreso] == ["VE-B", "VE-V", None]
    suggestions = client.get("/api/review/candidates", headers=auth(admin_token)).json()["items"]
    against = {
        frozenset((s["organization_a"]["id"], s["organization_b"]["id"])): s["reasons"][0] for s in suggestions
    }
    new = progreso[2]["id"]
    assert {frozenset((new, progreso[0]["id"])), frozenset((new, progreso[1]["id"]))} <= set(against)
    assert "not joined by guesswork" in against[frozenset((new, progreso[0]["id"]))]


def test_every_line_keeps_what_its_file_said(client: TestClient, db, admin_token: str) -> None:
    content = (
        "statement_title,organization,position,region,country,acronym\n"
        "Pronunciamiento,Comisión para los Derechos Humanos del Estado Zulia,1,ve-v ,VE,Codhez\n"
    ).encode()
    report = upload(client, admin_token, content)
    statement = client.get(f"/api/statements/{report['statements'][0]['statement_id']}").json()
    assert statement["lines"][0]["evidence"] == {
        "region": "ve-v", "region_code": "VE-V", "country": "VE", "country_code": "VE", "acronym": "Codhez",
    }  # fmt: skip


# --- splits --------------------------------------------------------------------------------------


def _lines_of(client: TestClient, statement_id: int) -> list[dict[str, Any]]:
    return client.get(f"/api/statements/{statement_id}").json()["lines"]


def test_splitting_one_line_into_a_new_organization_and_back(client: TestClient, db, admin_token: str) -> None:
    content = (
        "statement_title,organization,position\n"
        "Carta uno,Fundación Luz,1\nCarta uno,Provea,2\n"
        "Carta dos,Fundación Luz,1\n"
    ).encode()
    report = upload(client, admin_token, content)
    first, second = (s["statement_id"] for s in report["statements"])
    luz = _lines_of(client, first)[0]
    before = state(db)

    split = client.post(
        f"/api/organizations/{luz['organization']['id']}/split",
        json={"lines": [_lines_of(client, second)[0]["id"]], "name": "Fundación Luz (Mérida)", "note": "otra fundación"},
        headers=auth(admin_token),
    )
    assert split.status_code == 201, split.text
    body = split.json()
    assert body["created_into"] is True and body["lines"] == [_lines_of(client, second)[0]["id"]]
    assert _lines_of(client, second)[0]["organization"]["name"] == "Fundación Luz (Mérida)"
    assert _lines_of(client, first)[0]["organization"]["id"] == luz["organization"]["id"]
    assert stored_counts_are_live(db)

    reimport = upload(client, admin_token, content)
    assert (reimport["totals"]["lines_added"], reimport["totals"]["organizations_created"]) == (0, 0)
    assert _lines_of(client, second)[0]["organization"]["name"] == "Fundación Luz (Mérida)"

    undone = client.post(f"/api/splits/{body['id']}/undo", headers=auth(admin_token))
    assert undone.status_code == 200, undone.text
    assert undone.json()["into"] is None  # the organization the split made is gone with it
    assert state(db) == before


def test_splitting_a_printed_form_into_an_existing_organization_from_the_cli(settings: Settings, client: TestClient, db, admin_token: str) -> None:
    content = (
        "statement_title,organization,position\n"
        "Carta uno,Fundación Luz,1\nCarta uno,Fundacion Luz,2\nCarta uno,Luz Fundación Mérida,3\n"
        "Carta dos,Fundacion Luz,1\n"
    ).encode()
    report = upload(client, admin_token, content)
    lines = _lines_of(client, report["statements"][0]["statement_id"])
    luz, merida = lines[0]["organization"]["id"], lines[2]["organization"]["id"]
    assert lines[1]["organization"]["id"] == luz  # equal match keys
    before = state(db)

    split = firmas(settings, "split", str(luz), "--printed-name", "Fundacion Luz", "--into", str(merida))
    assert split.exit_code == 0, split.output
    assert split.stdout.strip() == f"Split 1: 2 lines moved from organization {luz} to {merida}."
    with db() as session:
        printed = {org: text for org, text in session.execute(
            sa.select(OrganizationName.organization_id, PrintedName.text).join(PrintedName)
            .where(PrintedName.text.in_(["Fundación Luz", "Fundacion Luz"]))
        )}  # fmt: skip
    assert printed == {luz: "Fundación Luz", merida: "Fundacion Luz"}

    # A new statement printing the moved form follows the split; undone, the split takes it back.
    followed = upload(client, admin_token, b"statement_title,organization\nCarta tres,Fundacion Luz\n")
    tres = followed["statements"][0]["statement_id"]
    assert _lines_of(client, tres)[0]["organization"]["id"] == merida
    undone = firmas(settings, "unsplit", "1")
    assert (undone.exit_code, undone.stdout.strip()) == (0, "Split 1 undone.")
    assert _lines_of(client, tres)[0]["organization"]["id"] == luz
    assert [line["organization"]["id"] for line in _lines_of(client, report["statements"][0]["statement_id"])] == [luz, luz, merida]
    assert firmas(settings, "unsplit", "1").exit_code == 1


def test_a_split_is_refused_for_lines_of_another_organization_and_without_a_token(client: TestClient, db, admin_token: str) -> None:
    report = upload(client, admin_token, b"statement_title,organization,position\nCarta,Provea,1\nCarta,Cofavic,2\n")
    provea, cofavic = _lines_of(client, report["statements"][0]["statement_id"])
    url = f"/api/organizations/{provea['organization']['id']}/split"

    assert client.post(url, json={"lines": [provea["id"]]}).status_code == 401
    wrong = client.post(url, json={"lines": [cofavic["id"]]}, headers=auth(admin_token))
    assert wrong.status_code == 422 and wrong.json()["field"] == "lines"
    nothing = client.post(url, json={}, headers=auth(admin_token))
    assert nothing.status_code == 422 and nothing.json()["field"] == "lines"
    assert client.post(url, json={"lines": [provea["id"]], "into": provea["organization"]["id"]}, headers=auth(admin_token)).status_code == 409


def test_an_undo_waits_for_later_changes_to_its_lines(client: TestClient, db, admin_token: str) -> None:
    report = upload(client, admin_token, b"statement_title,organization,position\nCarta,Provea,1\nCarta,Cofavic,2\nCarta,Foro Penal,3\n")
    provea, cofavic, foro = (line["organization"]["id"] for line in _lines_of(client, report["statements"][0]["statement_id"]))
    merge = client.post(f"/api/organizations/{provea}/merge", json={"into": cofavic}, headers=auth(admin_token)).json()
    line = _lines_of(client, report["statements"][0]["statement_id"])[0]["id"]
    split = client.post(f"/api/organizations/{cofavic}/split", json={"lines": [line], "into": foro}, headers=auth(admin_token)).json()

    refused = client.post(f"/api/merges/{merge['id']}/undo", headers=auth(admin_token))
    assert refused.status_code == 409 and f"split {split['id']}" in refused.json()["detail"]
    assert client.post(f"/api/splits/{split['id']}/undo", headers=auth(admin_token)).status_code == 200
    assert client.post(f"/api/merges/{merge['id']}/undo", headers=auth(admin_token)).status_code == 200
    assert [line["organization"]["id"] for line in _lines_of(client, report["statements"][0]["statement_id"])] == [provea, cofavic, foro]


# --- survivors -----------------------------------------------------------------------------------


def test_the_established_record_survives_by_default(client: TestClient, db, admin_token: str) -> None:
    report = upload(client, admin_token, (
        "statement_title,organization,position\n"
        "Carta uno,Acceso a la Justicia,1\nCarta dos,Acceso a la Justicia,1\nCarta dos,ACCESO A LA JUSTICIA (AJ),2\n"
    ).encode())  # fmt: skip
    lines = _lines_of(client, report["statements"][1]["statement_id"])
    assert lines[0]["organization"]["id"] != lines[1]["organization"]["id"]
    established, newer = lines[0]["organization"]["id"], lines[1]["organization"]["id"]
    with db() as session, session.begin():
        if session.scalar(sa.select(sa.func.count()).select_from(ReviewCandidate)) == 0:
            session.add(ReviewCandidate(organization_a_id=established, organization_b_id=newer, score=0.9, reasons=["test"]))
    candidate = client.get("/api/review/candidates", headers=auth(admin_token)).json()["items"][0]
    assert candidate["default_survivor"] == established
    client.patch(f"/api/organizations/{newer}", json={"name": "Acceso a la Justicia (AJ)"}, headers=auth(admin_token))
    candidate = client.get("/api/review/candidates", headers=auth(admin_token)).json()["items"][0]
    assert candidate["default_survivor"] == newer  # an admin's edit makes it the established record
    wrong = client.post(f"/api/review/candidates/{candidate['id']}/decision", json={"decision": "same", "survivor": 99999},
                        headers=auth(admin_token))  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["field"] == "survivor"
