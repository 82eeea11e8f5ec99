"""Names that look like SQL, HTML or spreadsheet formulas are kept as text: stored verbatim, answered
verbatim as JSON, and exported with formulas neutralized."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app import csvio
from app.cli import app as cli
from app.models import Base
from tests.importing import LineFields, StatementFields, import_statement
from app.settings import Settings

HOSTILE_NAMES = [
    "Robert'); DROP TABLE organizations;--",
    "x' OR '1'='1",
    "Fundación \"Comillas\" & Asociados; DELETE FROM statements",
    "<script>alert('firmas')</script>",
    "<img src=x onerror=alert(1)> Colectivo",
    "Red de Mujeres &amp; <b>Niñas</b>",
    "=HYPERLINK(\"http://evil.example\",\"Provea\")",
    "+58 Consejo Comunal",
    "-Asociación Menos",
    "@SUM(1+1) Cooperativa",
    "Colectivo %s %d {0} ${jndi:ldap://x}",
]
TITLE = "<script>document.title='x'</script> Comunicado'; DROP TABLE statements;--"


def _csv_bytes() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["statement_title", "organization", "position"])
    writer.writerows([TITLE, name, str(index)] for index, name in enumerate(HOSTILE_NAMES, 1))
    return buffer.getvalue().encode()


@pytest.fixture
def hostile(db: sessionmaker[Session]) -> str:
    """The names imported from a CSV file through the reader and the import service."""
    rows = [row for row in csvio.read_csv(io.BytesIO(_csv_bytes()), delimiter=",")]
    assert all(isinstance(row, csvio.SignatureRow) for row in rows)
    with db() as session, session.begin():
        report = import_statement(
            session,
            StatementFields(title=rows[0].statement_title),
            [LineFields(raw_text=row.raw, name=row.organization, position=row.position) for row in rows],
        )
    return report.slug


def test_hostile_names_are_stored_and_answered_verbatim(client: TestClient, hostile: str) -> None:
    statement = client.get(f"/api/statements/{hostile}")
    assert statement.headers["content-type"] == "application/json"
    body = statement.json()
    assert body["title"] == TITLE
    assert [line["raw_text"] for line in body["lines"]] == HOSTILE_NAMES
    assert [line["organization"]["name"] for line in body["lines"]] == HOSTILE_NAMES


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_searching_for_a_hostile_name_finds_it_as_text(client: TestClient, hostile: str, name: str) -> None:
    found = client.get("/api/organizations", params={"q": name})
    assert found.status_code == 200
    assert name in [item["name"] for item in found.json()["items"]]


def test_sql_in_a_search_is_only_text(client: TestClient, hostile: str, settings: Settings, engine) -> None:
    for query in ("'; DROP TABLE organizations;--", "%", "_", "\\", "' OR 1=1 --"):
        assert client.get("/api/organizations", params={"q": query}).status_code == 200
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    assert client.get(f"/api/statements/{hostile}").json()["line_count"] == len(HOSTILE_NAMES)


def test_exported_names_never_start_a_formula(settings: Settings, hostile: str) -> None:
    result = CliRunner().invoke(cli, ["--database-url", settings.database_url, "export", "names", "--format", "csv"])
    assert result.exit_code == 0
    exported = {row["name"] for row in csv.DictReader(io.StringIO(result.stdout))}
    for name in HOSTILE_NAMES:
        expected = "'" + name if name[0] in "=+-@" else name
        assert expected in exported
    assert not [cell for cell in exported if cell[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize("path", ["/api/statements/", "/api/organizations/"])
@pytest.mark.parametrize("number", ["²", "١٢", "9223372036854775808", "2147483648", "0" * 40 + "1x"])
def test_ids_no_row_can_have_are_not_found_not_errors(client: TestClient, path: str, number: str) -> None:
    """Found by schemathesis: such ids reached the database and failed there with a 500."""
    response = client.get(path + number)
    assert (response.status_code, response.json()["parameter"]) == (404, "id_or_slug")


@pytest.mark.parametrize("path", ["/api/merges/9223372036854775808", "/api/merges/0"])
def test_integer_ids_out_of_range_are_invalid_input(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 422


@pytest.mark.parametrize(
    "command", [["unmerge", "99999999999999999999"], ["merge", "1", "2147483648"], ["token", "revoke", "0"], ["review", "decide", "0", "same"]]
)
def test_the_cli_refuses_ids_no_row_can_have(settings: Settings, db: sessionmaker[Session], command: list[str]) -> None:
    """Such ids used to reach the database and end in a traceback."""
    result = CliRunner().invoke(cli, ["--database-url", settings.database_url, *command])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
