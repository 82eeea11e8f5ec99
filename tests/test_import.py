"""The import through `firmas import`: files as people have them, the report, all or nothing, idempotence."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import app
from app.models import Import, Organization, PrintedName, ReviewCandidate, SignatureLine, Statement, StatementUrl
from app.services import importer
from app.services.bulk import IMPORT_PAGE_CACHE_KIB
from app.settings import Settings

runner = CliRunner()

LONG = (
    "statement_title,statement_date,statement_url,organization,position,region\n"
    "Carta abierta,2022-03-05,https://example.org/carta,Foro Penal,1,\n"
    "Carta abierta,2022-03-05,https://example.org/carta,FORO PENAL A.C.,2,\n"
    "Carta abierta,2022-03-05,https://example.org/carta,Colegio de Médicos Monagas,3,\n"
    "Otra carta,2022,,Provea,1,VE-A\n"
    'Otra carta,2022,,"Foro Penal",2,\n'
)


def firmas(settings: Settings, *args: str):
    return runner.invoke(app, ["--database-url", settings.database_url, *args])


def import_json(settings: Settings, path: Path, *args: str) -> dict:
    result = firmas(settings, "import", str(path), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(db: sessionmaker[Session]) -> tuple[int, ...]:
    with db() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (Statement, StatementUrl, SignatureLine, PrintedName, Organization, ReviewCandidate)
        )


def test_long_file_reports_per_statement_and_in_total(settings: Settings, db, tmp_path: Path) -> None:
    report = import_json(settings, write(tmp_path, "long.csv", LONG))
    assert report["status"] == "applied" and report["rows_read"] == 5
    assert report["totals"] == {
        "statements_created": 2, "statements_matched": 0, "lines_added": 5, "lines_present": 0,
        "names_exact": 1, "names_by_key": 1, "organizations_created": 3, "organizations_kept_apart": 0,
        "homonym_suggestions": 0, "suggestions_raised": 0,
    }  # fmt: skip
    carta, otra = report["statements"]
    assert (carta["slug"], carta["lines_added"], carta["names_by_key"]) == ("2022-carta-abierta", 3, 1)
    assert (otra["slug"], otra["lines_added"], otra["names_exact"]) == ("2022-otra-carta", 2, 1)
    with db() as session:
        lines = session.execute(
            select(SignatureLine.position, SignatureLine.raw_text, SignatureLine.organization_id, SignatureLine.is_repeat)
            .join(PrintedName).join(Statement).where(Statement.slug == "2022-carta-abierta").order_by(SignatureLine.sort_order)
        ).all()  # fmt: skip
        monagas = session.scalars(select(Organization).where(Organization.name == "Colegio de Médicos Monagas")).one()
        provea = session.scalars(select(Organization).where(Organization.name == "Provea")).one()
    assert [(p, raw) for p, raw, _, _ in lines] == [("1", "Foro Penal"), ("2", "FORO PENAL A.C."), ("3", "Colegio de Médicos Monagas")]
    assert lines[0][2] == lines[1][2] and lines[1][3] is True  # same organization by key; second line a repeat
    assert (monagas.region_code, monagas.region_source) == ("VE-N", "inferred")
    assert (provea.region_code, provea.region_source) == ("VE-A", "import")


def test_importing_twice_adds_nothing_and_an_overlapping_file_only_its_new_lines(settings: Settings, db, tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", LONG)
    import_json(settings, path)
    before = counts(db)
    again = import_json(settings, path)
    assert counts(db) == before
    assert again["totals"]["lines_added"] == 0 and again["totals"]["lines_present"] == 5
    assert again["totals"]["statements_matched"] == 2 and again["totals"]["names_exact"] == 5
    overlap = write(tmp_path, "overlap.csv", LONG.splitlines()[0] + "\n" + "\n".join(LONG.splitlines()[3:]) + "\nOtra carta,2022,,Cepaz,3,\n")
    more = import_json(settings, overlap)
    assert (more["totals"]["lines_added"], more["totals"]["lines_present"]) == (1, 3)
    assert counts(db)[2] == before[2] + 1


def test_statement_is_matched_by_url_else_by_title_and_date(settings: Settings, db, tmp_path: Path) -> None:
    import_json(settings, write(tmp_path, "long.csv", LONG))
    renamed = write(
        tmp_path, "renamed.csv",
        "statement_title,statement_date,statement_url,organization\n"
        "Carta abierta (versión corregida),2022-03-05,https://example.org/carta,Cepaz\n"
        "Otra carta,2022,https://example.org/otra,Cepaz\n"
        "Otra carta,2023,,Cepaz\n",
    )  # fmt: skip
    report = import_json(settings, renamed)
    assert [(s["slug"], s["created"]) for s in report["statements"]] == [
        ("2022-carta-abierta", False), ("2022-otra-carta", False), ("2023-otra-carta", True),
    ]  # fmt: skip
    with db() as session:
        urls = session.scalars(select(StatementUrl.url).join(Statement).where(Statement.slug == "2022-otra-carta")).all()
    assert urls == ["https://example.org/otra"]


def test_spanish_headers_semicolons_and_windows_1252(settings: Settings, db, tmp_path: Path) -> None:
    text = (
        "Título;Fecha;Organización;Número;Región\n"
        "Pronunciamiento;05/03/2022;Asociación Civil Niñez  y Juventud;1;\n"
        "\n"
        "Pronunciamiento;05/03/2022;\"Fundación, Paz\";2;ve-a\n"
    )
    report = import_json(settings, write(tmp_path, "excel.csv", text, "cp1252"))
    assert (report["encoding"], report["delimiter"]) == ("cp1252", ";")
    with db() as session:
        raw = session.scalars(select(SignatureLine.raw_text).order_by(SignatureLine.sort_order)).all()
        statement = session.scalars(select(Statement)).one()
    assert raw == ["Asociación Civil Niñez  y Juventud", "Fundación, Paz"]
    assert (str(statement.published_on), statement.date_precision) == ("2022-03-05", "day")


def test_numbered_text_list_with_statement_options(settings: Settings, db, tmp_path: Path) -> None:
    text = "Firmantes:\n1) Foro Penal\n2. Provea\n\n3 - Cepaz\n4) Aquí Cabemos Todos\n"
    path = write(tmp_path, "list.txt", text)
    result = firmas(settings, "import", str(path), "--text", "--title", "Comunicado", "--date", "2023-04", "--url", "https://x.org/c", "--language", "es")
    assert result.exit_code == 0, result.output
    assert "comunicado: created, 4 lines added, 0 already present" in result.output
    with db() as session:
        statement = session.scalars(select(Statement)).one()
        lines = session.execute(select(SignatureLine.position, SignatureLine.raw_text).order_by(SignatureLine.sort_order)).all()
    assert (statement.title, statement.language, statement.date_precision) == ("Comunicado", "es", "month")
    assert [tuple(line) for line in lines] == [("1", "1) Foro Penal"), ("2", "2. Provea"), ("3", "3 - Cepaz"), ("4", "4) Aquí Cabemos Todos")]


def test_a_row_at_fault_refuses_the_whole_file_and_names_the_row(settings: Settings, db, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", LONG + "Otra carta,2022-13-45,,Cepaz,3,\nOtra carta,2022,,Cepaz,4,XX\n")
    refused = firmas(settings, "import", str(bad))
    assert refused.exit_code == 1
    assert "line 7, column statement_date: '2022-13-45' is not a date" in refused.output
    assert "line 8, column region: 'XX' is not an ISO 3166-2 region code" in refused.output
    assert "2 rows at fault; nothing imported" in refused.output
    assert counts(db) == (0, 0, 0, 0, 0, 0)
    with db() as session:
        record = session.scalars(select(Import)).one()
    assert record.status == "refused" and record.report["errors_total"] == 2


def test_skip_invalid_loads_the_valid_rows_and_reports_the_rest(settings: Settings, db, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", LONG + "Otra carta,2022-13-45,,Cepaz,3,\n")
    report = import_json(settings, bad, "--skip-invalid")
    assert report["status"] == "applied" and report["totals"]["lines_added"] == 5
    assert report["errors"] == [{"line": 7, "column": "statement_date", "reason": "'2022-13-45' is not a date: month must be in 1..12"}]
    assert counts(db)[2] == 5


def test_dry_run_reports_exactly_what_the_import_does_and_writes_nothing(settings: Settings, seeded, tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", LONG)
    before = counts(seeded)
    dry = import_json(settings, path, "--dry-run")
    assert counts(seeded) == before
    real = import_json(settings, path)
    assert counts(seeded) != before
    assert dry["status"] == "dry_run" and real["status"] == "applied"
    ignored = ("import_id", "status", "dry_run", "statements")
    assert {k: v for k, v in dry.items() if k not in ignored} == {k: v for k, v in real.items() if k not in ignored}
    assert [{**s, "statement_id": None} for s in dry["statements"]] == [{**s, "statement_id": None} for s in real["statements"]]


def test_files_that_cannot_be_read_are_refused_with_the_reason(settings: Settings, db, tmp_path: Path) -> None:
    cases = {
        "book.csv": (b"PK\x03\x04\x14\x00\x06\x00", "not a text file but a ZIP archive"),
        "cols.csv": ("nombre_del_firmante,cargo\nAna,Directora\n".encode(), "line 1: no organization column"),
        "empty.csv": (b"", "the file is empty"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = firmas(settings, "import", str(path))
        assert result.exit_code == 1, name
        assert message in result.output, (name, result.output)
    wrong_date = firmas(settings, "import", str(write(tmp_path, "l.txt", "1) Foro Penal\n")), "--text", "--title", "T", "--date", "2021-31-31")
    assert wrong_date.exit_code == 1 and "'2021-31-31' is not a date" in wrong_date.output
    assert counts(db) == (0, 0, 0, 0, 0, 0)
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Import)) == 0


def test_new_organizations_raise_suggestions_unless_deferred(settings: Settings, seeded, tmp_path: Path) -> None:
    path = write(tmp_path, "later.csv", "statement_title,statement_date,organization\nOtro,2024,Consejo Comunal Tebripar Sur\n")
    deferred = import_json(settings, path, "--no-suggestions", "--dry-run")
    assert deferred["totals"]["suggestions_raised"] is None
    report = import_json(settings, path)
    with seeded() as session:
        stored = session.scalar(select(func.count()).select_from(ReviewCandidate))
    assert report["totals"]["organizations_created"] == 1
    assert report["totals"]["suggestions_raised"] == stored > 0


def test_summary_table_is_readable(settings: Settings, db, tmp_path: Path) -> None:
    result = firmas(settings, "import", str(write(tmp_path, "long.csv", LONG)))
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "long.csv: applied (import 1), 5 rows read, utf-8, long format"
    assert "lines added              5" in result.output
    assert "2022-carta-abierta: created, 3 lines added, 0 already present" in result.output


def test_encoding_and_delimiter_can_be_forced(settings: Settings, db, tmp_path: Path) -> None:
    tsv = write(tmp_path, "t.tsv", "organización\ttítulo\tfecha\nNiñez, Paz; y Más\tCarta\t2021\n", "cp1252")
    wrong = firmas(settings, "import", str(tsv), "--encoding", "utf-8")
    assert wrong.exit_code == 1 and "the file is not utf-8" in wrong.output
    report = import_json(settings, tsv, "--encoding", "cp1252", "--delimiter", "tab")
    assert (report["encoding"], report["delimiter"], report["totals"]["lines_added"]) == ("cp1252", "\t", 1)
    with db() as session:
        assert session.scalars(select(PrintedName.text)).all() == ["Niñez, Paz; y Más"]


def test_a_statement_named_by_url_on_some_rows_and_not_others_is_one_statement(settings: Settings, db, tmp_path: Path) -> None:
    text = (
        "statement_title,statement_date,statement_url,organization\n"
        "Carta,2022,https://example.org/carta,Foro Penal\n"
        "Carta,2022,,Provea\n"
        "Carta,2022,https://example.org/carta-bis,Cepaz\n"
    )
    report = import_json(settings, write(tmp_path, "mixed.csv", text))
    assert [(s["slug"], s["lines_added"]) for s in report["statements"]] == [("2022-carta", 3)]
    with db() as session:
        assert session.scalars(select(StatementUrl.url).order_by(StatementUrl.url)).all() == ["https://example.org/carta", "https://example.org/carta-bis"]


def test_names_of_an_import_are_searchable_and_a_refused_import_keeps_the_search_index_whole(
    settings: Settings, client, db: sessionmaker[Session], tmp_path: Path
) -> None:
    import_json(settings, write(tmp_path, "long.csv", LONG))
    assert [item["name"] for item in client.get("/api/organizations", params={"q": "foro"}).json()["items"]] == ["Foro Penal"]
    bad = write(tmp_path, "bad.csv", LONG.replace("Provea", "Nueva Red Vecinal") + "Otra carta,2022-13-45,,Sin fecha,3,\n")
    assert firmas(settings, "import", str(bad)).exit_code != 0
    assert client.get("/api/organizations", params={"q": "nueva vecinal"}).json()["items"] == []
    import_json(settings, write(tmp_path, "more.csv", LONG.replace("Provea", "Nueva Red Vecinal")))
    found = client.get("/api/organizations", params={"q": "nueva vecinal"}).json()["items"]
    assert [item["name"] for item in found] == ["Nueva Red Vecinal"]


def test_the_larger_page_cache_of_an_import_is_given_back_to_the_connection(db: sessionmaker[Session]) -> None:
    with db() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("a SQLite connection pragma")
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        for text in (LONG, LONG + "Otra carta,no es fecha,,Provea,3,\n"):
            record = importer.run_import(
                session, io.BytesIO(text.encode()), options=importer.ImportOptions(file_name="f.csv"), actor="test"
            )
            assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before
        assert record.status == "refused"
        assert before != -IMPORT_PAGE_CACHE_KIB


def test_an_import_leaves_the_query_planner_statistics_of_what_it_wrote(settings: Settings, db, tmp_path: Path) -> None:
    """Without them SQLite scanned every organization for a name search (65 ms, not 2 ms, at 1M lines)."""
    import_json(settings, write(tmp_path, "long.csv", LONG))
    with db() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_signature_lines_organization_id_statement_id'"
            ).scalar()
        else:
            rows = connection.exec_driver_sql("SELECT reltuples::int FROM pg_class WHERE oid = 'signature_lines'::regclass").scalar()
        assert int(str(rows).split()[0]) == 5
