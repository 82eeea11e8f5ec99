"""The review, merge and export commands: exit codes, output, then the database."""

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import app
from app.models import Organization, PrintedName
from app.settings import Settings
from tests.importing import organization_printed_as

runner = CliRunner()


def firmas(settings: Settings, *args: str):
    return runner.invoke(app, ["--database-url", settings.database_url, *args])


def org_id(session_factory: sessionmaker[Session], printed: str) -> int:
    with session_factory() as session:
        return organization_printed_as(session, printed)


def test_export_names_lists_every_printed_name_with_its_region(settings: Settings, seeded) -> None:
    result = firmas(settings, "export", "names", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0
    assert list(rows[0]) == ["name", "organization_id", "organization_name", "region_code", "region_source"]
    assert len(rows) == 113
    by_name = {row["name"]: row for row in rows}
    assert (by_name["Fedecámaras Mona gas"]["region_code"], by_name["Fedecámaras Mona gas"]["region_source"]) == ("VE-N", "inferred")
    assert by_name["Aquí Cabemos Todos"]["region_code"] == ""


def test_review_refresh_list_and_decide(settings: Settings, seeded) -> None:
    assert firmas(settings, "review", "refresh").exit_code == 0
    listed = firmas(settings, "review", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert list(rows[0]) == ["candidate_id", "name_a", "name_b", "organization_a", "organization_b", "score", "reasons"]
    first = rows[0]["candidate_id"]
    decided = firmas(settings, "review", "decide", first, "different")
    assert (decided.exit_code, decided.stdout) == (0, f"Candidate {first}: different.\n")
    assert first not in [row["candidate_id"] for row in csv.DictReader(io.StringIO(firmas(settings, "review", "list", "--format", "csv").stdout))]
    bad = firmas(settings, "review", "decide", first, "maybe")
    assert bad.exit_code == 1 and "Decision must be one of" in bad.output


def test_merge_then_unmerge(settings: Settings, seeded) -> None:
    tebripar, consejo = org_id(seeded, "Tebripar"), org_id(seeded, "Consejo Comunal TEBRIPAR")
    merged = firmas(settings, "merge", str(tebripar), str(consejo))
    assert merged.exit_code == 0 and merged.stdout == f"Merge 1: organization {tebripar} merged into {consejo}.\n"
    assert org_id(seeded, "Tebripar") == consejo
    assert firmas(settings, "unmerge", "1").stdout == "Merge 1 undone.\n"
    assert org_id(seeded, "Tebripar") == tebripar
    with seeded() as session:
        assert session.get_one(Organization, tebripar).merged_into_id is None
    assert firmas(settings, "merge", str(tebripar), str(tebripar)).exit_code == 1
