"""The `firmas` command: a thin shell over the services, one transaction per command."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from app import migrate
from app.db import make_engine, make_session_factory, transaction
from app.errors import FirmasError
from app.services import seed as seed_service
from app.services import exports, review, statements, tokens
from app.services.ids import MAX_ID
from app.settings import Settings

app = typer.Typer(help="Firmas: a registry of joint statements and their signatory organizations.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
token_app = typer.Typer(help="Admin API tokens.", no_args_is_help=True)
review_app = typer.Typer(help="Suggested duplicates and their decisions.", no_args_is_help=True)
export_app = typer.Typer(help="Export data as CSV.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(review_app, name="review")
app.add_typer(export_app, name="export")

CLI_ACTOR = "cli"

DatabaseOption = Annotated[
    Optional[str],
    typer.Option("--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL; default sqlite:///data/firmas.db."),
]


class State:
    settings: Settings


state = State()


@app.callback()
def main_options(database_url: DatabaseOption = None) -> None:
    state.settings = Settings(database_url=database_url) if database_url else Settings()


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _session_factory():
    return make_session_factory(make_engine(state.settings))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[Optional[int], typer.Option(help="Worker processes; default: the WORKERS setting.", min=1, max=64)] = None,
) -> None:
    """Serve the API and pages (settings in README.md, deployment in docs/deploy.md). Example: firmas serve --port 8000"""
    from app.server import serve as run

    run(state.settings, host=host, port=port, workers=workers or state.settings.workers)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Migrate the database schema up. Example: firmas db upgrade"""
    migrate.upgrade(state.settings, revision)
    typer.echo(f"Database at {revision}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base.")]) -> None:
    """Migrate the database schema down. Example: firmas db downgrade base"""
    migrate.downgrade(state.settings, revision)
    typer.echo(f"Database at {revision}.")


@app.command()
def seed(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing when the database holds statements.")] = False,
) -> None:
    """Load the statements shipped in seed/ (idempotent). Example: firmas seed --if-empty"""
    with transaction(_session_factory()) as session:
        if if_empty and not statements.is_empty(session):
            typer.echo("Database already holds statements; seed skipped.")
            return
        try:
            reports = seed_service.load(session)
        except FirmasError as exc:
            _fail(exc.detail)
        for report in reports:
            typer.echo(
                f"{report.slug}: {'created' if report.created else 'present'}, "
                f"{report.lines_added} lines added, {report.lines_present} already present"
            )


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who the token is for.")],
    expires_in_days: Annotated[Optional[int], typer.Option(help="Expire after this many days.")] = None,
) -> None:
    """Create an admin token and print it once. Example: firmas token create ana"""
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    with transaction(_session_factory()) as session:
        token, plaintext = tokens.create(session, name=name, expires_at=expires_at)
        token_id = token.id
    typer.echo(plaintext)
    typer.echo(f"Token {token_id} for {name}. Store it now: only its hash is kept.", err=True)


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets). Example: firmas token list"""
    with transaction(_session_factory()) as session:
        for token in tokens.list_all(session):
            status = "revoked" if token.revoked_at else "active"
            expires = token.expires_at.isoformat() if token.expires_at else "never"
            typer.echo(f"{token.id}\t{token.name}\t{status}\texpires {expires}")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id from `firmas token list`.", min=1, max=MAX_ID)]) -> None:
    """Revoke a token at once. Example: firmas token revoke 3"""
    with transaction(_session_factory()) as session:
        try:
            tokens.revoke(session, token_id)
        except FirmasError as exc:
            _fail(exc.detail)
    typer.echo(f"Token {token_id} revoked.")


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file, or a text list with --text.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Load the valid rows, report the rest.")] = False,
    text: Annotated[bool, typer.Option("--text", help="A plain-text list, one name a line ('12) Name').")] = False,
    encoding: Annotated[Optional[str], typer.Option(help="Override the detected encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[Optional[str], typer.Option(help="Override the sniffed delimiter: ',', ';' or 'tab'.")] = None,
    title: Annotated[Optional[str], typer.Option(help="Statement title, for a file without that column.")] = None,
    date: Annotated[Optional[str], typer.Option(help="Statement date: YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY.")] = None,
    url: Annotated[Optional[str], typer.Option(help="Statement URL.")] = None,
    language: Annotated[Optional[str], typer.Option(help="Statement language (BCP 47), e.g. es.")] = None,
    suggestions: Annotated[
        bool, typer.Option("--suggestions/--no-suggestions", help="Look for duplicates of new organizations now, or leave it to `firmas review refresh`.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Load signature lines, all or nothing. Example: firmas import statements.csv --dry-run"""
    from app.cli_report import print_report, progress_bar
    from app.services.importer import ImportOptions, run_import

    options = ImportOptions(
        file_name=path.name, text=text, encoding=encoding, delimiter="\t" if delimiter == "tab" else delimiter,
        title=title, date=date, url=url, language=language,
        dry_run=dry_run, skip_invalid=skip_invalid, suggestions=suggestions,
    )  # fmt: skip
    with transaction(_session_factory()) as session, path.open("rb") as stream, progress_bar(path.stat().st_size) as advance:
        try:
            record = run_import(session, stream, options=options, actor=CLI_ACTOR, progress=advance)
        except FirmasError as exc:
            _fail(exc.detail)
        report = record.report
    print_report(report, as_json=as_json)
    if report["status"] == "refused":
        _fail(f"{report['errors_total']} rows at fault; nothing imported (--skip-invalid loads the valid rows).")


class Format(str, Enum):
    table = "table"
    csv = "csv"


@review_app.command("refresh")
def review_refresh() -> None:
    """Look for new suggested duplicates among all organizations. Example: firmas review refresh"""
    with transaction(_session_factory()) as session:
        raised = review.raise_suggestions(session)
    typer.echo(f"{raised} new suggestions.")


@review_app.command("list")
def review_list(
    output: Annotated[Format, typer.Option("--format", help="table or csv.")] = Format.table,
    status: Annotated[str, typer.Option(help="open, unsure, same or different.")] = "open",
) -> None:
    """List suggested duplicates, best first. Example: firmas review list --format csv"""
    with transaction(_session_factory()) as session:
        rows = exports.candidate_rows(session, status=status)
    if output is Format.csv:
        exports.write_csv(sys.stdout, exports.CANDIDATE_COLUMNS, rows)
        return
    for row in rows:
        typer.echo(f"#{row['candidate_id']}  {row['score']:.2f}  {row['name_a']}  <->  {row['name_b']}")
        typer.echo(f"      {row['reasons']}")
    if not rows:
        typer.echo("No suggestions.")


@review_app.command("decide")
def review_decide(
    candidate_id: Annotated[int, typer.Argument(help="Candidate id from `firmas review list`.", min=1, max=MAX_ID)],
    decision: Annotated[str, typer.Argument(help="same, different or unsure.")],
    survivor: Annotated[
        Optional[int], typer.Option(help="For same: the organization that survives (default: the established record).", min=1, max=MAX_ID)
    ] = None,
) -> None:
    """Decide a suggestion; `same` merges the pair. Example: firmas review decide 4 same --survivor 12"""
    with transaction(_session_factory()) as session:
        try:
            result = review.decide(session, candidate_id, decision, actor=CLI_ACTOR, survivor=survivor)
        except FirmasError as exc:
            _fail(exc.detail)
        merged = f"; merge {result.merge.id}" if result.merge else ""
    typer.echo(f"Candidate {candidate_id}: {decision}{merged}.")


@app.command("merge")
def merge(
    merged_id: Annotated[int, typer.Argument(help="Organization that goes away.", min=1, max=MAX_ID)],
    into_id: Annotated[int, typer.Argument(help="Organization that survives.", min=1, max=MAX_ID)],
) -> None:
    """Merge organization A into B (B survives). Example: firmas merge 102 40"""
    with transaction(_session_factory()) as session:
        try:
            result = review.merge_organizations(session, merged_id, into_id, actor=CLI_ACTOR)
        except FirmasError as exc:
            _fail(exc.detail)
        merge_id = result.id
    typer.echo(f"Merge {merge_id}: organization {merged_id} merged into {into_id}.")


@app.command("unmerge")
def unmerge(merge_id: Annotated[int, typer.Argument(help="Merge id (see GET /api/merges).", min=1, max=MAX_ID)]) -> None:
    """Undo a merge exactly. Example: firmas unmerge 7"""
    with transaction(_session_factory()) as session:
        try:
            review.undo_merge(session, merge_id, actor=CLI_ACTOR)
        except FirmasError as exc:
            _fail(exc.detail)
    typer.echo(f"Merge {merge_id} undone.")


@app.command("split")
def split(
    organization_id: Annotated[int, typer.Argument(help="Organization the lines are on.", min=1, max=MAX_ID)],
    line: Annotated[Optional[list[int]], typer.Option("--line", help="A signature line id to move (repeatable).", min=1, max=MAX_ID)] = None,
    printed_name: Annotated[Optional[str], typer.Option("--printed-name", help="Move every line printed exactly so.")] = None,
    into: Annotated[Optional[int], typer.Option(help="Organization to move them to; default a new one.", min=1, max=MAX_ID)] = None,
    name: Annotated[Optional[str], typer.Option(help="Name of the new organization.")] = None,
    note: Annotated[Optional[str], typer.Option(help="Why, for the record.")] = None,
) -> None:
    """Move lines to another organization or a new one. Example: firmas split 40 --line 431 --name 'Fundación Luz (Mérida)'"""
    from app.services import splits

    request = splits.SplitRequest(line_ids=tuple(line or ()), printed_name=printed_name, into_id=into, name=name, note=note)
    with transaction(_session_factory()) as session:
        try:
            record = splits.split(session, organization_id, request, actor=CLI_ACTOR)
        except FirmasError as exc:
            _fail(exc.detail)
        moved, record_id, target = len(record.moves), record.id, record.into_id
        created = " (new)" if record.created_into else ""
    typer.echo(f"Split {record_id}: {moved} {'line' if moved == 1 else 'lines'} moved from organization {organization_id} to {target}{created}.")


@app.command("unsplit")
def unsplit(split_id: Annotated[int, typer.Argument(help="Split id (see GET /api/splits).", min=1, max=MAX_ID)]) -> None:
    """Undo a split exactly. Example: firmas unsplit 3"""
    from app.services import splits

    with transaction(_session_factory()) as session:
        try:
            splits.undo(session, split_id, actor=CLI_ACTOR)
        except FirmasError as exc:
            _fail(exc.detail)
    typer.echo(f"Split {split_id} undone.")


@export_app.command("names")
def export_names(
    output: Annotated[Format, typer.Option("--format", help="Only csv.")] = Format.csv,
) -> None:
    """Every printed name with its organization and region. Example: firmas export names --format csv"""
    if output is not Format.csv:
        _fail("Only --format csv is available for names.")
    with transaction(_session_factory()) as session:
        exports.write_csv(sys.stdout, exports.NAME_COLUMNS, exports.name_rows(session))


@app.command("backup")
def backup_command(path: Annotated[Path, typer.Argument(dir_okay=False, help="Archive to write (.zip).")]) -> None:
    """Write every table to a portable archive (see docs/reliability.md). Example: firmas backup firmas.zip"""
    from app.services import backup

    try:
        summary = backup.backup(make_engine(state.settings), path)
    except FirmasError as exc:
        _fail(exc.detail)
    typer.echo(f"Backed up {summary.rows} rows of {len(summary.tables)} tables (schema {summary.schema_revision}) to {path}.")


@app.command("restore")
def restore_command(path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Archive from firmas backup.")]) -> None:
    """Load an archive into an empty database at the archive's schema. Example: firmas restore firmas.zip"""
    from app.services import backup

    with transaction(_session_factory()) as session:
        try:
            summary = backup.restore(session, path)
        except FirmasError as exc:
            _fail(exc.detail)
    typer.echo(f"Restored {summary.rows} rows of {len(summary.tables)} tables (schema {summary.schema_revision}) from {path}.")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
