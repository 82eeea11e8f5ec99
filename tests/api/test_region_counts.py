"""`GET /api/regions` reads stored counts (`region_stats`): after each writer that changes them
they equal the counts computed live from the rows.

    S1  Acceso (VE-A)  Observatorio (VE-L)  Acción (no region)  LUZ (VE-V)
    S2  Acceso  LUZ
    S3  Acción
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Organization, PrintedName
from app.identity.evidence import OrganizationHints
from tests.importing import LineFields, StatementFields, import_statement, organization_printed_as
from tests.live_counts import live_region_counts

ACCESO = "Fundación Acceso a la Justicia"
OBSERVATORIO = "Observatorio Venezolano de Prisiones"
ACCION = "Acción Solidaria"
LUZ = "Universidad del Zulia"
REGIONS = {ACCESO: "VE-A", OBSERVATORIO: "VE-L", LUZ: "VE-V"}
S1 = StatementFields(title="Comunicado conjunto", published_on=dt.date(2021, 3, 10), date_precision="day")
S2 = StatementFields(title="Carta abierta", published_on=dt.date(2021, 11, 1), date_precision="day")
S3 = StatementFields(title="Pronunciamiento", published_on=dt.date(2022, 1, 5), date_precision="day")


def _lines(*printed: str, regions: dict[str, str] = REGIONS) -> list[LineFields]:
    return [
        LineFields(raw_text=f"{i}) {name}", name=name, position=str(i), hints=OrganizationHints(region=regions.get(name)))
        for i, name in enumerate(printed, start=1)
    ]


def _id(session_factory: sessionmaker[Session], printed: str) -> int:
    with session_factory() as session:
        return organization_printed_as(session, printed)


def _region(session_factory: sessionmaker[Session], printed: str) -> str | None:
    with session_factory() as session:
        return session.get_one(Organization, _id(session_factory, printed)).region_code


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _served(client: TestClient) -> dict[str, tuple[int, int]]:
    response = client.get("/api/regions")
    assert response.status_code == 200, response.text
    return {
        region["code"]: (region["organization_count"], region["statement_count"])
        for region in response.json()
        if region["organization_count"] or region["statement_count"]
    }


def _live(session_factory: sessionmaker[Session]) -> dict[str, tuple[int, int]]:
    with session_factory() as session:
        return live_region_counts(session.connection())


def _assert_counts(client: TestClient, session_factory: sessionmaker[Session], expected: dict[str, tuple[int, int]]) -> None:
    assert _served(client) == _live(session_factory) == expected


def test_region_counts_follow_imports_merges_undos_and_edits(client: TestClient, db, admin_token: str) -> None:
    with db() as session, session.begin():
        import_statement(session, S1, _lines(ACCESO, OBSERVATORIO, ACCION, LUZ))
        import_statement(session, S2, _lines(ACCESO, LUZ))
        import_statement(session, S3, _lines(ACCION))
    assert _region(db, ACCION) is None
    _assert_counts(client, db, {"VE-A": (1, 2), "VE-L": (1, 1), "VE-V": (1, 2)})

    # The same file again with another region for Acceso: no line is added, and the evidence its
    # lines were imported with is not overwritten.
    with db() as session, session.begin():
        import_statement(session, S1, _lines(ACCESO, OBSERVATORIO, ACCION, LUZ, regions={**REGIONS, ACCESO: "VE-M"}))
    _assert_counts(client, db, {"VE-A": (1, 2), "VE-L": (1, 1), "VE-V": (1, 2)})

    # Merged into Observatorio (VE-L), Acceso's VE-A lines make the files disagree: the
    # survivor keeps its region and shows the conflict.
    merged = client.post(
        f"/api/organizations/{_id(db, ACCESO)}/merge", json={"into": _id(db, OBSERVATORIO)}, headers=_auth(admin_token)
    )
    assert merged.status_code == 201, merged.text
    _assert_counts(client, db, {"VE-L": (1, 2), "VE-V": (1, 2)})
    survivor = client.get(f"/api/organizations/{_id(db, OBSERVATORIO)}").json()
    assert survivor["region"]["code"] == "VE-L" and survivor["region_conflict"] == ["VE-A", "VE-L"]

    undone = client.post(f"/api/merges/{merged.json()['id']}/undo", headers=_auth(admin_token))
    assert undone.status_code == 200, undone.text
    _assert_counts(client, db, {"VE-A": (1, 2), "VE-L": (1, 1), "VE-V": (1, 2)})
    assert client.get(f"/api/organizations/{_id(db, OBSERVATORIO)}").json()["region_conflict"] is None

    # Acción has no region: merged into, it takes LUZ's, and its own statement S3 counts there.
    filled = client.post(f"/api/organizations/{_id(db, LUZ)}/merge", json={"into": _id(db, ACCION)}, headers=_auth(admin_token))
    assert filled.status_code == 201, filled.text
    _assert_counts(client, db, {"VE-A": (1, 2), "VE-L": (1, 1), "VE-V": (1, 3)})

    edited = client.patch(f"/api/organizations/{_id(db, ACCION)}", json={"region": "VE-Z"}, headers=_auth(admin_token))
    assert edited.status_code == 200, edited.text
    _assert_counts(client, db, {"VE-A": (1, 2), "VE-L": (1, 1), "VE-Z": (1, 3)})
