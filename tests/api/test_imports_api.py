"""POST /api/imports and the import records: the same import and report as the CLI, over HTTP."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.models import Import, Organization, PrintedName, SignatureLine, Statement
from app.settings import Settings
from tests.conftest import empty_all_tables

LONG = (
    "statement_title,statement_date,statement_url,organization,position\n"
    "Carta abierta,2022-03-05,https://example.org/carta,Foro Penal,1\n"
    "Carta abierta,2022-03-05,https://example.org/carta,FORO PENAL A.C.,2\n"
    "Otra carta,2022,,Provea,1\n"
).encode()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client: TestClient, token: str | None, content: bytes, name: str = "firmas.csv", **form: str):
    headers = auth(token) if token else {}
    return client.post("/api/imports", files={"file": (name, content, "text/csv")}, data=form, headers=headers)


def data_counts(db: sessionmaker[Session]) -> tuple[int, ...]:
    with db() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Statement, SignatureLine, PrintedName, Organization))


def test_upload_imports_and_records_who_what_and_when(client: TestClient, db, admin_token: str) -> None:
    response = upload(client, admin_token, LONG)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "applied" and body["actor"] == "test-admin"
    assert body["file_sha256"] == hashlib.sha256(LONG).hexdigest() and body["file_bytes"] == len(LONG)
    assert body["report"]["totals"]["lines_added"] == 3 and body["report"]["totals"]["names_by_key"] == 1
    assert response.headers["location"].endswith(f"/api/imports/{body['id']}")
    listed = client.get("/api/imports", headers=auth(admin_token)).json()
    assert [(item["id"], item["file_name"], item["totals"]["lines_added"]) for item in listed["items"]] == [(body["id"], "firmas.csv", 3)]
    assert client.get(f"/api/imports/{body['id']}", headers=auth(admin_token)).json() == body
    assert data_counts(db) == (2, 3, 3, 2)


def test_cli_and_http_give_the_same_report_for_the_same_file(settings: Settings, engine, db, admin_token: str, tmp_path) -> None:
    path = tmp_path / "firmas.csv"
    path.write_bytes(LONG)
    by_cli = CliRunner().invoke(cli, ["--database-url", settings.database_url, "import", str(path), "--json"])
    assert by_cli.exit_code == 0, by_cli.output
    empty_all_tables(engine)
    with TestClient(create_app(settings)) as client:
        with db() as session, session.begin():
            from app.services import tokens

            _, token = tokens.create(session, name="test-admin")
        by_http = upload(client, token, LONG).json()["report"]
    assert by_http == json.loads(by_cli.stdout)


def test_without_a_valid_token_nothing_is_imported(client: TestClient, db) -> None:
    for token in (None, "firmas_not-a-token"):
        response = upload(client, token, LONG)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/imports").status_code == 401
    assert data_counts(db) == (0, 0, 0, 0)


def test_dry_run_answers_200_with_the_report_and_writes_nothing(client: TestClient, db, admin_token: str) -> None:
    response = upload(client, admin_token, LONG, dry_run="true")
    assert response.status_code == 200
    assert response.json()["status"] == "dry_run" and response.json()["report"]["totals"]["lines_added"] == 3
    assert data_counts(db) == (0, 0, 0, 0)


def test_rows_at_fault_refuse_the_file_with_their_line_and_column(client: TestClient, db, admin_token: str) -> None:
    bad = LONG + b"Otra carta,2022-13-45,,Cepaz,2\n"
    response = upload(client, admin_token, bad)
    problem = response.json()
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert (problem["line"], problem["field"]) == (5, "statement_date")
    assert problem["errors"] == [{"line": 5, "column": "statement_date", "reason": "'2022-13-45' is not a date: month must be in 1..12"}]
    assert data_counts(db) == (0, 0, 0, 0)
    recorded = client.get(f"/api/imports/{problem['import_id']}", headers=auth(admin_token)).json()
    assert recorded["status"] == "refused"
    skipped = upload(client, admin_token, bad, skip_invalid="true")
    assert skipped.status_code == 201 and skipped.json()["report"]["errors_total"] == 1
    assert data_counts(db) == (2, 3, 3, 2)


def test_unreadable_files_get_a_problem_naming_column_and_line(client: TestClient, db, admin_token: str) -> None:
    not_text = upload(client, admin_token, b"%PDF-1.7\n\x00\x01binary")
    assert not_text.status_code == 422 and "not a text file but a PDF" in not_text.json()["detail"]
    no_column = upload(client, admin_token, b"firmante;cargo\nAna;Directora\n").json()
    assert (no_column["field"], no_column["line"]) == ("organization", 1)
    bad_option = upload(client, admin_token, b"1) Foro Penal\n", name="list.txt", text="true", title="T", date="31/02/2021").json()
    assert bad_option["field"] == "statement_date" and "'31/02/2021' is not a date" in bad_option["detail"]
    assert data_counts(db) == (0, 0, 0, 0)
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Import)) == 0


def test_single_statement_list_with_form_fields(client: TestClient, db, admin_token: str) -> None:
    content = "Organización\nFundación Paz\n12) Foro Penal\n".encode("cp1252")
    response = upload(client, admin_token, content, title="Pronunciamiento", date="2020-05", url="https://example.org/p", language="es")
    assert response.status_code == 201, response.json()
    report = response.json()["report"]
    assert (report["shape"], report["encoding"], report["totals"]["lines_added"]) == ("list", "cp1252", 2)
    with db() as session:
        assert session.scalars(select(SignatureLine.position).order_by(SignatureLine.sort_order)).all() == ["", "12"]


def _oversized_settings(settings: Settings) -> Settings:
    return Settings(database_url=settings.database_url, max_upload_bytes=2_000)


def test_uploads_over_the_limit_get_413_before_anything_is_read(settings: Settings, db, admin_token: str) -> None:
    big = LONG + b"Otra carta,2022,,Cepaz,2\n" * 200
    with TestClient(create_app(_oversized_settings(settings))) as client:
        response = upload(client, admin_token, big)
    assert response.status_code == 413 and response.json()["limit"] == 2_000
    assert data_counts(db) == (0, 0, 0, 0)


def test_streamed_uploads_without_a_length_are_cut_off_at_the_limit(settings: Settings, db, admin_token: str) -> None:
    boundary = "firmasboundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
    body_chunks = [head, LONG, *([b"Otra carta,2022,,Cepaz,2\n" * 20] * 20), f"\r\n--{boundary}--\r\n".encode()]

    def chunks() -> Iterator[bytes]:
        yield from body_chunks

    headers = {**auth(admin_token), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    with TestClient(create_app(_oversized_settings(settings))) as client:
        response = client.post("/api/imports", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert data_counts(db) == (0, 0, 0, 0)


def test_an_import_id_no_row_can_have_is_a_422(client: TestClient, admin_token: str) -> None:
    response = client.get("/api/imports/2147483648", headers=auth(admin_token))
    assert response.status_code == 422 and response.json()["parameter"] == "import_id"
