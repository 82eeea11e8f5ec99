"""Reviewed merges with exact undo, cluster-wide decisions, admin corrections: through the real API."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import AuditEvent, Organization, PrintedName
from app.services.importer import ImportOptions, run_import
from tests.importing import organization_printed_as

JOINT = "2021-11-joint-statement-icc-criminalization"


def org_of(session_factory: sessionmaker[Session], printed: str) -> Organization:
    with session_factory() as session:
        organization_id = organization_printed_as(session, printed)
        return session.get_one(Organization, organization_id)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def line(client: TestClient, position: str) -> dict:
    lines = client.get(f"/api/statements/{JOINT}").json()["lines"]
    return next(item for item in lines if item["position"] == position)


def candidates(client: TestClient, token: str, status: str = "open") -> list[dict]:
    return client.get("/api/review/candidates", params={"status": status, "limit": 1000}, headers=auth(token)).json()["items"]


def pair_names(candidate: dict) -> set[str]:
    return {candidate["organization_a"]["name"], candidate["organization_b"]["name"]}


def test_merge_moves_names_and_the_old_slug_redirects(seeded_client: TestClient, seeded, admin_token: str) -> None:
    tebripar, consejo = org_of(seeded, "Tebripar"), org_of(seeded, "Consejo Comunal TEBRIPAR")
    response = seeded_client.post(f"/api/organizations/{tebripar.id}/merge", json={"into": consejo.id}, headers=auth(admin_token))
    assert response.status_code == 201
    redirect = seeded_client.get(f"/api/organizations/{tebripar.slug}", follow_redirects=False)
    assert redirect.status_code == 308
    assert redirect.headers["location"].endswith(f"/api/organizations/{consejo.slug}")
    survivor = seeded_client.get(redirect.headers["location"]).json()
    assert survivor["names"] == ["Consejo Comunal TEBRIPAR", "Tebripar"]
    assert (line(seeded_client, "102")["organization"]["id"], line(seeded_client, "102")["is_repeat"]) == (consejo.id, True)
    assert seeded_client.get(f"/api/statements/{JOINT}").json()["organization_count"] == 109


def test_undo_restores_exactly_what_was_there(seeded_client: TestClient, seeded, admin_token: str) -> None:
    before = seeded_client.get(f"/api/statements/{JOINT}").json()
    tebripar, consejo = org_of(seeded, "Tebripar"), org_of(seeded, "Consejo Comunal TEBRIPAR")
    merge = seeded_client.post(f"/api/organizations/{tebripar.id}/merge", json={"into": consejo.id}, headers=auth(admin_token)).json()
    undone = seeded_client.post(f"/api/merges/{merge['id']}/undo", headers=auth(admin_token))
    assert undone.status_code == 200 and undone.json()["undone_by"] == "test-admin"
    assert seeded_client.get(f"/api/statements/{JOINT}").json() == before
    assert seeded_client.get(f"/api/organizations/{tebripar.slug}").json()["names"] == ["Tebripar"]
    again = seeded_client.post(f"/api/merges/{merge['id']}/undo", headers=auth(admin_token))
    assert again.status_code == 409


def test_undo_after_a_later_import_returns_names_that_followed_the_merged_one(
    seeded_client: TestClient, seeded, admin_token: str, tmp_path
) -> None:
    tebripar, consejo = org_of(seeded, "Tebripar"), org_of(seeded, "Consejo Comunal TEBRIPAR")
    merge = seeded_client.post(f"/api/organizations/{tebripar.id}/merge", json={"into": consejo.id}, headers=auth(admin_token)).json()
    later = tmp_path / "later.csv"
    later.write_text(
        "statement_title,statement_date,statement_url,organization,position\n"
        "Pronunciamiento posterior,2022-01,,TEBRIPAR,1\n"
        "Pronunciamiento posterior,2022-01,,Tebripar,2\n",
        encoding="utf-8",
    )
    with seeded() as session, session.begin(), later.open("rb") as stream:
        run_import(session, stream, options=ImportOptions(file_name=later.name), actor="test")
    assert org_of(seeded, "TEBRIPAR").id == consejo.id  # follows the merge: same key as "Tebripar"
    seeded_client.post(f"/api/merges/{merge['id']}/undo", headers=auth(admin_token))
    assert org_of(seeded, "TEBRIPAR").id == org_of(seeded, "Tebripar").id == tebripar.id
    assert org_of(seeded, "Consejo Comunal TEBRIPAR").id == consejo.id


def test_seed_suggestions_include_the_known_pairs_and_never_the_state_chapters(seeded_client: TestClient, admin_token: str) -> None:
    raised = seeded_client.post("/api/review/refresh", headers=auth(admin_token)).json()["raised"]
    found = candidates(seeded_client, admin_token)
    pairs = [pair_names(c) for c in found]
    assert raised == len(found) > 0
    assert {"Tebripar", "Consejo Comunal TEBRIPAR"} in pairs
    escuela = next(c for c in found if pair_names(c) == {"Escuela de Formación Obrera", "Escuela de Formación Obrera Priscila López"})
    assert any("same statement" in reason for reason in escuela["reasons"])
    for candidate in found:
        names = " | ".join(sorted(pair_names(candidate)))
        assert not ("Táchira" in names and "Mérida" in names and "Abogados" in names), names
        assert 0 < candidate["score"] <= 1 and candidate["reasons"]


def test_a_decided_pair_is_not_suggested_again(seeded_client: TestClient, admin_token: str) -> None:
    seeded_client.post("/api/review/refresh", headers=auth(admin_token))
    first = candidates(seeded_client, admin_token)[0]
    seeded_client.post(f"/api/review/candidates/{first['id']}/decision", json={"decision": "unsure"}, headers=auth(admin_token))
    assert seeded_client.post("/api/review/refresh", headers=auth(admin_token)).json()["raised"] == 0
    assert first["id"] not in [c["id"] for c in candidates(seeded_client, admin_token)]
    assert first["id"] in [c["id"] for c in candidates(seeded_client, admin_token, status="unsure")]


def test_same_merges_and_different_keeps_whole_clusters_apart(seeded_client: TestClient, seeded, admin_token: str) -> None:
    seeded_client.post("/api/review/refresh", headers=auth(admin_token))
    found = candidates(seeded_client, admin_token)
    escuela = next(c for c in found if "Escuela de Formación Obrera" in pair_names(c))
    decided = seeded_client.post(f"/api/review/candidates/{escuela['id']}/decision", json={"decision": "different"}, headers=auth(admin_token))
    assert decided.status_code == 200 and decided.json()["merge"] is None
    a, b = escuela["organization_a"]["id"], escuela["organization_b"]["id"]
    refused = seeded_client.post(f"/api/organizations/{a}/merge", json={"into": b}, headers=auth(admin_token))
    assert refused.status_code == 409 and refused.json()["field"] == "into"
    # Merge a third organization into A: the decision still keeps A's whole cluster apart from B.
    third = org_of(seeded, "Gente del Deporte").id
    assert seeded_client.post(f"/api/organizations/{third}/merge", json={"into": a}, headers=auth(admin_token)).status_code == 201
    assert seeded_client.post(f"/api/organizations/{b}/merge", json={"into": a}, headers=auth(admin_token)).status_code == 409
    with seeded() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["review.decide", "organization.merge"]


def test_deciding_same_merges_into_the_organization_with_more_lines(seeded_client: TestClient, seeded, admin_token: str) -> None:
    seeded_client.post("/api/review/refresh", headers=auth(admin_token))
    tebripar = next(c for c in candidates(seeded_client, admin_token) if pair_names(c) == {"Tebripar", "Consejo Comunal TEBRIPAR"})
    result = seeded_client.post(f"/api/review/candidates/{tebripar['id']}/decision", json={"decision": "same"}, headers=auth(admin_token)).json()
    assert result["candidate"]["status"] == "same" and result["candidate"]["decided_by"] == "test-admin"
    assert result["merge"]["survivor"]["id"] == min(tebripar["organization_a"]["id"], tebripar["organization_b"]["id"])
    again = seeded_client.post(f"/api/review/candidates/{tebripar['id']}/decision", json={"decision": "different"}, headers=auth(admin_token))
    assert again.status_code == 409


def test_admin_region_wins_over_inferred_and_imported(seeded_client: TestClient, seeded, admin_token: str, tmp_path) -> None:
    colegio = org_of(seeded, "Colegio de Médicos Monagas")
    inferred = seeded_client.get(f"/api/organizations/{colegio.slug}").json()["region"]
    assert inferred == {"code": "VE-N", "name": "Monagas", "source": "inferred", "evidence": "Monagas"}
    patched = seeded_client.patch(f"/api/organizations/{colegio.slug}", json={"region": "VE-A", "sector": "professional_body"}, headers=auth(admin_token))
    assert patched.status_code == 200
    assert patched.json()["region"]["source"] == "admin" and patched.json()["sector"] == "professional_body"
    assert patched.json()["sector_source"] == "admin"
    later = tmp_path / "later.csv"
    later.write_text(
        "statement_title,statement_date,statement_url,organization,position,region\n"
        "Otro,2022,,Colegio de Médicos Monagas,1,VE-N\n",
        encoding="utf-8",
    )
    with seeded() as session, session.begin(), later.open("rb") as stream:
        run_import(session, stream, options=ImportOptions(file_name=later.name), actor="test")
    assert seeded_client.get(f"/api/organizations/{colegio.slug}").json()["region"]["code"] == "VE-A"


def test_bad_corrections_are_refused_with_the_field(seeded_client: TestClient, seeded, admin_token: str) -> None:
    slug = org_of(seeded, "Foro Penal").slug
    for body, field in (({"region": "VE-ZZ"}, "region_code"), ({"sector": "club"}, "sector"), ({"colour": "red"}, "colour")):
        response = seeded_client.patch(f"/api/organizations/{slug}", json=body, headers=auth(admin_token))
        assert response.status_code == 422, body
        assert field in (response.json().get("field"), response.json().get("parameter")), response.json()


def test_write_routes_refuse_requests_without_a_token(seeded_client: TestClient, seeded) -> None:
    foro = org_of(seeded, "Foro Penal")
    for method, path, body in (
        ("post", f"/api/organizations/{foro.id}/merge", {"into": 1}),
        ("patch", f"/api/organizations/{foro.id}", {"sector": "ngo"}),
        ("post", "/api/review/refresh", None),
        ("post", "/api/review/candidates/1/decision", {"decision": "same"}),
        ("post", "/api/merges/1/undo", None),
        ("get", "/api/review/candidates", None),
    ):
        response = seeded_client.request(method, path, json=body)
        assert response.status_code == 401, path
