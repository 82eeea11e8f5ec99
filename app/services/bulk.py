"""The import engine: signature rows in; statements, printed names, organizations and lines out.

One flow for every file, from a three-line upload to a million-line archive: rows are checked one
by one, then written in batches (executemany, COPY on PostgreSQL). Printed names and match keys are
looked up in the database once per batch (`IN (...)`) and remembered, so a name costs one lookup per
import however often it is printed. Flushes, never commits: the caller owns the transaction.
"""

from __future__ import annotations

import gc
from collections import Counter, OrderedDict
from contextlib import contextmanager
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import csvio
from app.errors import InvalidInput
from app.identity import attribution, names
from app.identity.attribution import Context, Place
from app.identity.evidence import OrganizationHints, describe_new_organization, normalize_country, normalize_region_code
from app.models import (
    STATEMENT_KINDS,
    Organization,
    OrganizationName,
    PrintedName,
    SignatureLine,
    Split,
    Statement,
    StatementUrl,
    utcnow,
)
from app.services.review import store_homonym_suggestions

BATCH_ROWS = 5_000
_LOOKUP_CHUNK = 2_000  # values per `IN (...)`: far below SQLite's and psycopg's parameter limits
# why: a statement's known lines stay in memory while its rows keep coming; files list each
# statement's rows together, so a few hundred recent statements cover them, and one evicted is
# reloaded from the database (its lines are flushed by then) if it comes back.
_STATEMENT_STATES_KEPT = 256
_LIMITS = {
    "organization": 1000, "position": 20, "statement_url": 2000, "acronym": 100, "statement_language": 16,
    "region": 200, "country": 100,
}  # fmt: skip
_PLACE_FIELDS = ("region_code", "region_source", "region_evidence", "region_conflict", "country", "country_source")
_LINE_COLUMNS = (
    "statement_id", "sort_order", "position", "raw_text", "printed_name_id", "organization_id", "is_repeat",
    "import_id", "given_region", "region_code", "given_country", "country", "given_acronym",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatementExtras:
    """Statement fields a signature file does not carry (the seed's TOML metadata); they fill the
    statements the import creates."""

    kind: str | None = None
    translator: str | None = None
    addressees: tuple[str, ...] = ()
    summary: str | None = None
    body: str | None = None
    notes: str | None = None
    slug: str | None = None
    urls: tuple[str, ...] = ()


@dataclass
class StatementReport:
    statement_id: int
    slug: str
    title: str
    created: bool
    lines_added: int = 0
    lines_present: int = 0
    names_exact: int = 0
    names_by_key: int = 0
    organizations_created: int = 0
    organizations_kept_apart: int = 0  # of those created: kept apart from a same-named organization


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str | None
    reason: str


@dataclass
class LoadResult:
    statements: list[StatementReport]
    errors: list[RowProblem]
    rows_valid: int
    new_organization_ids: list[int] = field(default_factory=list)
    # Regions organizations left or entered through the file's region column (None: no region).
    moved_regions: set[str | None] = field(default_factory=set)
    homonym_suggestions: int = 0  # pairs of same-named organizations raised for review


_Cells = tuple[str | None, str | None, str | None, str | None, str | None]  # a row's statement cells
_FileKey = tuple[Any, ...]


class _Line(NamedTuple):
    """A checked row: where it goes and what it says."""

    cells: _Cells  # title, date, url, language, kind
    text: str
    raw: str
    position: str
    region: str | None  # ISO 3166-2 code of given_region
    acronym: str | None  # the acronym cell, as given
    country: str | None  # ISO 3166-1: the country cell's, else the import's country option
    given_region: str | None
    given_country: str | None


@dataclass(slots=True)
class _StatementState:
    report: StatementReport
    lines: set[tuple[int, str]]  # (printed_name_id, position) already on the statement
    organizations: set[int]
    next_order: int


_SEARCH_TRIGGER = "printed_names_fts_insert"


@contextmanager
def _search_index_filled_at_the_end(session: Session) -> Iterator[None]:
    """SQLite: the full-text index gets this import's new printed names in one statement at the end.

    why: its trigger, fired once per new printed name, cost a fifth of a first import's CPU; one
    INSERT ... SELECT costs a few percent. The trigger is dropped and re-created inside the
    import's transaction, so a failed or rolled-back import gets it back with everything else,
    and other connections never see it missing.
    """
    connection = session.connection()
    trigger = None
    if connection.dialect.name == "sqlite":
        trigger = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_SEARCH_TRIGGER,)
        ).scalar()
    if trigger is None:
        yield
        return
    last_id = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM printed_names").scalar()
    connection.exec_driver_sql(f"DROP TRIGGER {_SEARCH_TRIGGER}")
    yield
    connection.exec_driver_sql(
        "INSERT INTO printed_names_fts(rowid, search_text) SELECT id, search_text FROM printed_names WHERE id > ?",
        (last_id,),
    )
    connection.exec_driver_sql(trigger)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector runs rarely while an import runs, then as before.

    why: a load allocates millions of short-lived tuples and rows, none of them in cycles, and
    every 700 allocations the collector scanned the young ones (and, often, all objects alive):
    10-13 % of an import's CPU on 100,000 lines. Freezing what exists before the import keeps the
    collector off the application's own objects; reference counting still frees everything else
    at once. The thresholds are the process's, so other threads see them too while it runs.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_IMPORT_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


_IMPORT_GC_THRESHOLD = 200_000  # allocations between two young-generation collections (default 700)

# Pages SQLite may keep in memory during an import, in KiB (negative: the pragma's unit is KiB).
IMPORT_PAGE_CACHE_KIB = 64 * 1024


@contextmanager
def larger_page_cache(session: Session) -> Iterator[None]:
    """SQLite: a 64 MiB page cache for this connection while an import runs, then the old size.

    why: with the default 2 MiB, the indexes of a million-line table no longer fit, and every
    insert into them re-reads pages (a million rows in this table's shape: 13.1 s, 9.3 s with
    64 MiB). Restored even on failure, because the connection goes back to the pool with its
    pragmas.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


class Loader:
    """Writes checked rows; one instance per import (its caches hold only this import's names)."""

    def __init__(
        self, session: Session, *, import_id: int | None = None, country: str | None = None, extras: StatementExtras | None = None
    ):
        self.session = session
        self.import_id = import_id
        self.country = normalize_country(country)
        self.extras = extras or StatementExtras()
        self.homonym_suggestions = 0
        self._names: dict[str, tuple[int, str]] = {}  # printed text -> (printed name id, match key)
        # Organizations by match key, in creation order; ids of organizations this import creates
        # are negative until they are written (`_real`).
        self._candidates: dict[str, list[int]] = {}
        self._evidence: dict[int, attribution.Evidence] = {}
        self._places: dict[int, Place] = {}
        self._attributed: dict[tuple[str, Context, int | None], int] = {}
        self._line_organization: dict[tuple[str, str | None, str | None], int] = {}  # (text, region, country) ->
        self._split_to: dict[int, int] = {}  # printed name -> organization an admin's split sent it to
        self._new_ids: dict[int, int] = {}  # placeholder (negative) -> organization id
        self._founded: set[int] = set()
        self._apart: list[tuple[int, int, str]] = []  # (new organization, same-named one, why)
        self._kept_apart: set[int] = set()  # new organizations with an entry in _apart
        self._known_pairs: set[tuple[int, int]] = set()  # (organization, printed name) printed so already
        self._stored_pairs: set[tuple[int, int]] = set()  # ... and stored in organization_names
        self._added_pairs: Counter[tuple[int, int]] = Counter()
        self._given: dict[int, list[tuple[str | None, str | None]]] = {}  # organization -> places its new lines gave
        self._statement_by_file_key: dict[tuple[Any, ...], int] = {}
        self._reports: dict[int, StatementReport] = {}
        self._states: OrderedDict[int, _StatementState] = OrderedDict()
        self._statement_slugs: set[str] | None = None
        self._organization_slugs: set[str] | None = None
        self._new_organization_ids: list[int] = []
        self._file_key_of: dict[_Cells, _FileKey] = {}
        self._statement_order: dict[int, None] = {}  # statement ids in the order the file names them
        self._dates: dict[_Cells, csvio.ParsedDate | None] = {}
        self._regions: dict[str, str | None] = {}
        self._countries: dict[str, str | None] = {}

    # ------------------------------------------------------------------ the flow

    def load(self, rows: Iterable[csvio.SignatureRow | csvio.RowError]) -> LoadResult:
        """Check and write every row; rows with problems are reported, never written."""
        with _search_index_filled_at_the_end(self.session), _fewer_collections():
            return self._load(rows)

    def _load(self, rows: Iterable[csvio.SignatureRow | csvio.RowError]) -> LoadResult:
        errors: list[RowProblem] = []
        valid = 0
        for batch in _batched(iter(rows), BATCH_ROWS):
            lines = []
            for row in batch:
                checked = self._check(row)
                if isinstance(checked, RowProblem):
                    errors.append(checked)
                else:
                    lines.append(checked)
            valid += len(lines)
            self._resolve_statements(lines)
            self._write(lines)
            self._forget_old_statements()
        moved_regions = self._finish()
        return LoadResult(
            [self._reports[i] for i in self._statement_order], errors, valid, self._new_organization_ids, moved_regions,
            self.homonym_suggestions,
        )  # fmt: skip

    # ------------------------------------------------------------------ checking one row

    def _check(self, row: csvio.SignatureRow | csvio.RowError) -> _Line | RowProblem:
        if isinstance(row, csvio.RowError):
            return RowProblem(row.line, row.column, row.reason)
        try:
            _check_lengths(row)
            region = self._region(row.region) if row.region else None
            country = self._country(row.country) if row.country else None
            cells = (row.statement_title, row.statement_date, row.statement_url, row.statement_language, row.statement_kind)
            if cells not in self._file_key_of:
                self._file_key_of[cells] = self._file_key(cells)
        except InvalidInput as error:
            return RowProblem(row.line, error.extra.get("field"), error.detail)
        return _Line(
            cells, row.organization, row.raw, row.position or "", region, row.acronym, country or self.country,
            row.region, row.country,
        )  # fmt: skip

    def _region(self, cell: str) -> str | None:
        if cell not in self._regions:
            self._regions[cell] = normalize_region_code(cell)
        return self._regions[cell]

    def _country(self, cell: str) -> str | None:
        if cell not in self._countries:
            self._countries[cell] = normalize_country(cell)
        return self._countries[cell]

    def _file_key(self, cells: _Cells) -> _FileKey:
        """What identifies the statement of these cells: its URL, else its title and date."""
        title, date_text, url, _, kind = cells
        if not title:
            raise InvalidInput("the statement title is empty: give it in a title column or as an option", field="statement_title")
        if kind is not None and kind not in STATEMENT_KINDS:
            raise InvalidInput(f"unknown kind {kind!r}; one of {', '.join(STATEMENT_KINDS)}", field="statement_kind")
        try:
            date = csvio.parse_date(date_text)
        except ValueError as error:
            raise InvalidInput(str(error), field="statement_date") from None
        self._dates[cells] = date
        return ("url", url) if url else ("title", title, date.value if date else None)

    # ------------------------------------------------------------------ statements

    def _resolve_statements(self, lines: list[_Line]) -> None:
        """Find (by URL, else title and date) or create the statements first named in this batch."""
        new: dict[_FileKey, _Cells] = {}
        for cells in dict.fromkeys(line.cells for line in lines):
            file_key = self._file_key_of[cells]
            if file_key not in self._statement_by_file_key:
                new.setdefault(file_key, cells)
        if not new:
            return
        urls_of = {key: ([cells[2]] if cells[2] else []) + list(self.extras.urls) for key, cells in new.items()}
        owner_of_url = self._url_owners([url for urls in urls_of.values() for url in urls])
        by_title_date = self._statements_titled([cells[0] for cells in new.values()])
        missing: dict[_FileKey, _Cells] = {}
        same_as: dict[_FileKey, _FileKey] = {}  # a new statement named twice in the batch: URL and title + date
        missing_by_title_date: dict[tuple[str | None, Any], _FileKey] = {}
        for key, cells in new.items():
            date = self._dates[cells]
            title_date = (cells[0], date.value if date else None)
            found = next((owner_of_url[url] for url in urls_of[key] if url in owner_of_url), None)
            found = found or by_title_date.get(title_date)
            if found is not None:
                self._statement_by_file_key[key] = found
            elif title_date in missing_by_title_date:
                same_as[key] = missing_by_title_date[title_date]
            else:
                missing[key] = cells
                missing_by_title_date[title_date] = key
        self._create_statements(missing)
        for key, first in same_as.items():
            self._statement_by_file_key[key] = self._statement_by_file_key[first]
        for key in new:
            self._statement_order.setdefault(self._statement_by_file_key[key])
        self._add_urls(urls_of, owner_of_url)
        self._load_states([self._statement_by_file_key[key] for key in new if key not in missing and key not in same_as])

    def _url_owners(self, urls: list[str]) -> dict[str, int]:
        owners: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(urls)), _LOOKUP_CHUNK):
            query = select(StatementUrl.url, StatementUrl.statement_id).where(StatementUrl.url.in_(chunk))
            owners.update(self._select(query).all())
        return owners

    def _statements_titled(self, titles: list[str]) -> dict[tuple[str, Any], int]:
        found: dict[tuple[str, Any], int] = {}
        for chunk in _chunks(list(dict.fromkeys(titles)), _LOOKUP_CHUNK):
            query = select(Statement.title, Statement.published_on, Statement.id).where(Statement.title.in_(chunk))
            for title, published_on, statement_id in self._select(query.order_by(Statement.id)):
                found.setdefault((title, published_on), statement_id)
        return found

    def _create_statements(self, missing: dict[_FileKey, _Cells]) -> None:
        if not missing:
            return
        if self._statement_slugs is None:
            self._statement_slugs = set(self.session.scalars(select(Statement.slug)))
        extras, rows = self.extras, []
        for cells in missing.values():
            title, _, _, language, kind = cells
            date = self._dates[cells]
            year = f"{date.value.year}-" if date else ""
            slug = names.first_free_slug(extras.slug or names.slugify(f"{year}{title}"), self._statement_slugs)
            self._statement_slugs.add(slug)
            rows.append({
                "slug": slug, "title": title, "kind": kind or extras.kind or "joint_statement",
                "published_on": date.value if date else None, "date_precision": date.precision if date else None,
                "language": language, "translator": extras.translator, "addressees": list(extras.addressees),
                "summary": extras.summary, "body": extras.body, "notes": extras.notes,
            })  # fmt: skip
        self.session.execute(Statement.__table__.insert(), rows)
        id_of = self._ids_by_slug(Statement, [row["slug"] for row in rows])
        for key, row in zip(missing, rows, strict=True):
            statement_id = id_of[row["slug"]]
            self._statement_by_file_key[key] = statement_id
            self._reports[statement_id] = StatementReport(statement_id, row["slug"], row["title"], created=True)
            self._states[statement_id] = _StatementState(self._reports[statement_id], set(), set(), 1)

    def _ids_by_slug(self, model: type[Statement] | type[Organization], slugs: list[str]) -> dict[str, int]:
        id_of: dict[str, int] = {}
        for chunk in _chunks(slugs, _LOOKUP_CHUNK):
            id_of.update(self._select(select(model.slug, model.id).where(model.slug.in_(chunk))).all())
        return id_of

    def _add_urls(self, urls_of: dict[_FileKey, list[str]], owner_of_url: dict[str, int]) -> None:
        """A URL no statement has yet goes to the statement whose rows give it."""
        rows, added = [], set(owner_of_url)
        for key, urls in urls_of.items():
            for url in urls:
                if url not in added:
                    added.add(url)
                    rows.append({"statement_id": self._statement_by_file_key[key], "url": url})
        if rows:
            self.session.execute(StatementUrl.__table__.insert(), rows)

    def _load_states(self, statement_ids: list[int]) -> None:
        """Reports and known lines of matched statements, in two queries for the whole batch."""
        wanted = [statement_id for statement_id in dict.fromkeys(statement_ids) if statement_id not in self._reports]
        for chunk in _chunks(wanted, _LOOKUP_CHUNK):
            for statement_id, slug, title in self._select(
                select(Statement.id, Statement.slug, Statement.title).where(Statement.id.in_(chunk))
            ):
                self._reports[statement_id] = StatementReport(statement_id, slug, title, created=False)
                self._states[statement_id] = _StatementState(self._reports[statement_id], set(), set(), 1)
            self._fill_states(chunk)

    def _fill_states(self, statement_ids: list[int]) -> None:
        query = select(
            SignatureLine.statement_id, SignatureLine.printed_name_id, SignatureLine.position,
            SignatureLine.organization_id, SignatureLine.sort_order,
        ).where(SignatureLine.statement_id.in_(statement_ids))  # fmt: skip
        for statement_id, printed_name_id, position, organization_id, sort_order in self._select(query):
            state = self._states[statement_id]
            state.lines.add((printed_name_id, position))
            state.organizations.add(organization_id)
            state.next_order = max(state.next_order, sort_order + 1)

    def _state(self, statement_id: int) -> _StatementState:
        state = self._states.get(statement_id)
        if state is None:  # evicted in an earlier batch, whose lines are written by now
            state = self._states[statement_id] = _StatementState(self._reports[statement_id], set(), set(), 1)
            self._fill_states([statement_id])
        else:
            self._states.move_to_end(statement_id)
        return state

    def _forget_old_statements(self) -> None:
        while len(self._states) > _STATEMENT_STATES_KEPT:
            self._states.popitem(last=False)

    # ------------------------------------------------------------------ names and organizations

    def _write(self, lines: list[_Line]) -> None:
        unknown = list(dict.fromkeys(line.text for line in lines if line.text not in self._names))
        if unknown:
            self._look_up_names(unknown)
            self._create_names([text for text in unknown if text not in self._names])
        unseen = list(dict.fromkeys(self._names[line.text][1] for line in lines))
        self._look_up_candidates([key for key in unseen if key not in self._candidates])
        placed = self._place_lines(lines)
        founders: dict[int, _Line] = {}
        chosen = [None if state is None else self._attribute(line, founders) for line, state in zip(lines, placed, strict=True)]
        self._create_organizations(founders)
        self._write_lines(lines, placed, chosen)

    def _place_lines(self, lines: list[_Line]) -> list[_StatementState | None]:
        """Each line's statement state, or None for a line already on its statement (by printed
        name and position: a re-import adds nothing, whatever the line names now)."""
        placed: list[_StatementState | None] = []
        last_cells, state = None, None
        for line in lines:
            if line.cells != last_cells:  # why: rows of one statement come together
                last_cells = line.cells
                state = self._state(self._statement_by_file_key[self._file_key_of[line.cells]])
            line_key = (self._names[line.text][0], line.position)
            if line_key in state.lines:
                state.report.lines_present += 1
                state.report.names_exact += 1
                placed.append(None)
            else:
                state.lines.add(line_key)
                placed.append(state)
        return placed

    def _look_up_names(self, texts: list[str]) -> None:
        for chunk in _chunks(texts, _LOOKUP_CHUNK):
            query = select(PrintedName.text, PrintedName.id, PrintedName.match_key).where(PrintedName.text.in_(chunk))
            for text, printed_name_id, key in self._select(query):
                self._names[text] = (printed_name_id, key)

    def _create_names(self, texts: list[str]) -> None:
        """New printed names in the catalog (a text is stored once, whichever organizations it names)."""
        if not texts:
            return
        now = self._bound(PrintedName.__table__.c.created_at, utcnow())
        rows = [(text, names.match_key(text), names.MATCH_KEY_VERSION, names.search_text(text), now) for text in texts]
        self._insert(PrintedName, ("text", "match_key", "key_version", "search_text", "created_at"), rows)
        # why: ids are read back by the unique text; RETURNING over many rows runs one statement
        # per row on SQLite.
        self._look_up_names(texts)

    def _look_up_candidates(self, keys: list[str]) -> None:
        """The live organizations printed with a name of each key, with their evidence."""
        for key in keys:
            self._candidates[key] = []
        found: set[int] = set()
        for chunk in _chunks(keys, _LOOKUP_CHUNK):
            query = (
                select(PrintedName.match_key, OrganizationName.organization_id, OrganizationName.printed_name_id)
                .join(OrganizationName, OrganizationName.printed_name_id == PrintedName.id)
                .where(PrintedName.match_key.in_(chunk))
                .order_by(OrganizationName.organization_id)
            )
            for key, organization_id, printed_name_id in self._select(query):
                if organization_id not in self._candidates[key]:
                    self._candidates[key].append(organization_id)
                self._known_pairs.add((organization_id, printed_name_id))
                self._stored_pairs.add((organization_id, printed_name_id))
                found.add(organization_id)
        self._load_places([organization_id for organization_id in found if organization_id not in self._places])
        self._load_split_forms(keys)

    def _load_split_forms(self, keys: list[str]) -> None:
        """Printed forms of these keys an admin's split sent whole to an organization (the latest wins)."""
        for chunk in _chunks(keys, _LOOKUP_CHUNK):
            query = (
                select(Split.printed_name_id, Split.into_id)
                .join(PrintedName, PrintedName.id == Split.printed_name_id)
                .where(PrintedName.match_key.in_(chunk), Split.undone_at.is_(None), Split.into_id.is_not(None))
                .order_by(Split.id)
            )
            for printed_name_id, into_id in self._select(query):
                self._split_to[printed_name_id] = into_id

    def _load_places(self, organization_ids: list[int]) -> None:
        columns = [getattr(Organization, field) for field in _PLACE_FIELDS]
        for chunk in _chunks(organization_ids, _LOOKUP_CHUNK):
            query = select(Organization.id, *columns).where(Organization.id.in_(chunk), Organization.merged_into_id.is_(None))
            for row in self._select(query):
                values = dict(zip(_PLACE_FIELDS, row[1:], strict=True))
                values["region_conflict"] = tuple(values["region_conflict"]) if values["region_conflict"] else None
                self._places[row.id] = Place(**values)
                self._evidence[row.id] = self._places[row.id].evidence
        for key, candidates in self._candidates.items():
            if any(organization_id not in self._evidence for organization_id in candidates):
                self._candidates[key] = [organization_id for organization_id in candidates if organization_id in self._evidence]

    def _attribute(self, line: _Line, founders: dict[int, _Line]) -> int:
        """The organization `line` names: by equal match key when certain, else a new one (its
        id is negative until `_create_organizations` gives it a real one). Within one import the
        same text in the same context names one organization."""
        seen = (line.text, line.region, line.country)
        organization_id = self._line_organization.get(seen)
        if organization_id is None:
            organization_id = self._line_organization[seen] = self._attribute_anew(line, founders)
        return organization_id

    def _attribute_anew(self, line: _Line, founders: dict[int, _Line]) -> int:
        printed_name_id, key = self._names[line.text]
        context = Context(line.region, line.country)
        split_to = self._split_to.get(printed_name_id)
        organization_id = self._attributed.get((key, context, split_to))
        if organization_id is None:
            candidates = self._candidates[key]
            evidence = [(candidate, self._evidence[candidate]) for candidate in candidates]
            choice = attribution.choose(context, evidence, split_to=split_to)
            organization_id = choice.organization_id
            if organization_id is None:
                organization_id = -(len(self._new_ids) + len(founders) + 1)
                founders[organization_id] = line
                self._evidence[organization_id] = attribution.NO_EVIDENCE.with_context(context)
                self._apart.extend((organization_id, other, attribution.homonym_reason(context, self._evidence[other]))
                                   for other in choice.apart_from)  # fmt: skip
                if choice.apart_from:
                    self._kept_apart.add(organization_id)
                candidates.append(organization_id)
            self._attributed[(key, context, split_to)] = organization_id
        if context.given:
            evidence = self._evidence[organization_id]
            if (context.region and context.region not in evidence.regions) or not context.countries <= evidence.countries:
                self._evidence[organization_id] = evidence.with_context(context)
        return organization_id

    def _create_organizations(self, founders: dict[int, _Line]) -> None:
        if not founders:
            return
        if self._organization_slugs is None:
            self._organization_slugs = set(self.session.scalars(select(Organization.slug)))
        rows = []
        for line in founders.values():
            hints = OrganizationHints(region=line.region, acronym=line.acronym, country=line.country)
            described = describe_new_organization(line.text, hints)
            slug = names.first_free_slug(names.slugify(described["name"]), self._organization_slugs)
            self._organization_slugs.add(slug)
            rows.append({"slug": slug, **described})
        now = self._bound(Organization.__table__.c.created_at, utcnow())
        columns = (*rows[0], "created_at")
        self._insert(Organization, columns, [(*row.values(), now) for row in rows])
        slugs = [row["slug"] for row in rows]
        id_of = self._ids_by_slug(Organization, slugs)
        for placeholder, row in zip(founders, rows, strict=True):
            real = id_of[row["slug"]]
            self._new_ids[placeholder] = real
            self._places[placeholder] = Place(**{field: row.get(field) for field in _PLACE_FIELDS})
            self._new_organization_ids.append(real)

    def _real(self, organization_id: int) -> int:
        return self._new_ids[organization_id] if organization_id < 0 else organization_id

    # ------------------------------------------------------------------ lines

    def _write_lines(self, lines: list[_Line], placed: list[_StatementState | None], chosen: list[int | None]) -> None:
        rows = []
        for line, state, attributed in zip(lines, placed, chosen, strict=True):
            if state is None or attributed is None:
                continue
            report = state.report
            printed_name_id = self._names[line.text][0]
            organization_id = self._real(attributed)
            self._count_resolution(report, attributed, printed_name_id)
            if line.region or line.country:
                self._given.setdefault(attributed, []).append((line.region, line.country))
            self._added_pairs[(organization_id, printed_name_id)] += 1
            rows.append((report.statement_id, state.next_order, line.position, line.raw, printed_name_id, organization_id,
                         organization_id in state.organizations, self.import_id, line.given_region, line.region,
                         line.given_country, line.country, line.acronym))  # fmt: skip
            state.organizations.add(organization_id)
            state.next_order += 1
            report.lines_added += 1
        self._insert(SignatureLine, _LINE_COLUMNS, rows)

    def _count_resolution(self, report: StatementReport, attributed: int, printed_name_id: int) -> None:
        """Exactly one of: the organization was printed so before (exact), a new spelling joined it
        by key, or the line created it (and whether it was kept apart from a same-named one)."""
        pair = (attributed, printed_name_id)
        if attributed < 0 and attributed not in self._founded:
            self._founded.add(attributed)
            report.organizations_created += 1
            if attributed in self._kept_apart:
                report.organizations_kept_apart += 1
        elif pair in self._known_pairs:
            report.names_exact += 1
        else:
            report.names_by_key += 1
        self._known_pairs.add(pair)

    def _select(self, query: Any) -> sa.CursorResult[Any]:
        """Plain rows on the session's connection. why: ORM row processing doubled the cost of the
        lookups, which are most of a re-import's work."""
        return self.session.connection().execute(query)

    def _bound(self, column: Any, value: Any) -> Any:
        """`value` as the driver must receive it for `column` (SQLite stores datetimes as text)."""
        dialect = self.session.connection().dialect
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        return processor(value) if processor else value

    def _insert(self, model: type[Organization] | type[PrintedName] | type[SignatureLine] | type[OrganizationName], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """executemany (COPY on PostgreSQL) straight on the driver.

        why: on a million lines SQLAlchemy's per-row parameter processing costs about as much as
        the insert itself. Values must be as the driver takes them (see `_bound`); statements, with
        dates and JSON, go through Core.
        """
        if not rows:
            return
        connection = self.session.connection()
        table = model.__table__
        if connection.dialect.name == "postgresql":
            # why: COPY is PostgreSQL's bulk path, several times faster than executemany.
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
        connection.exec_driver_sql(sql, rows)

    def _finish(self) -> set[str | None]:
        """The organizations' names and places once every line is in; returns the regions
        organizations left or entered."""
        self._write_name_counts()
        self._write_homonym_suggestions()
        return self._apply_places()

    def _write_name_counts(self) -> None:
        new = [(org, name, count) for (org, name), count in self._added_pairs.items() if (org, name) not in self._stored_pairs]
        self._insert(OrganizationName, ("organization_id", "printed_name_id", "line_count"), new)
        grown = [
            {"org": org, "name": name, "count": count}
            for (org, name), count in self._added_pairs.items()
            if (org, name) in self._stored_pairs
        ]
        if grown:
            table = OrganizationName.__table__
            self.session.execute(
                table.update()
                .where(table.c.organization_id == bindparam("org"), table.c.printed_name_id == bindparam("name"))
                .values(line_count=table.c.line_count + bindparam("count")),
                grown,
            )

    def _write_homonym_suggestions(self) -> None:
        """Each organization kept apart from a same-named one is raised for review against it."""
        pairs: dict[tuple[int, int], str] = {}
        for new, other, reason in self._apart:
            a, b = sorted((self._real(new), self._real(other)))
            pairs.setdefault((a, b), reason)
        self.homonym_suggestions = store_homonym_suggestions(self.session, pairs)

    def _apply_places(self) -> set[str | None]:
        """Region and country from the evidence the lines gave (attribution.derive_place)."""
        changes, moved = [], set()
        for attributed, given in self._given.items():
            current = self._places[attributed]
            prior = current.evidence
            new_regions = {region for region, _ in given if region}
            new_countries = {country for _, country in given if country}
            if new_regions <= prior.regions and new_countries <= prior.countries and current.region_source in ("admin", "import"):
                continue  # why: the files only repeat what the organization's evidence already says
            regions = Counter({code: 1 for code in prior.regions}) + Counter(region for region, _ in given if region)
            countries = Counter(country for _, country in given if country)
            derived = attribution.derive_place(current, regions, countries, reinfer=lambda: None)
            if derived != current:
                changes.append({"organization_id": self._real(attributed), **_place_columns(derived)})
                moved.update((current.region_code, derived.region_code))
                self._places[attributed] = derived
        if changes:
            table = Organization.__table__
            self.session.execute(
                table.update()
                .where(table.c.id == bindparam("organization_id"))
                .values({field: bindparam(f"new_{field}") for field in _PLACE_FIELDS}),
                [{"organization_id": change["organization_id"], **{f"new_{k}": v for k, v in change.items() if k != "organization_id"}}
                 for change in changes],
            )  # fmt: skip
        return moved


def _place_columns(place: Place) -> dict[str, Any]:
    values = {field: getattr(place, field) for field in _PLACE_FIELDS}
    values["region_conflict"] = list(place.region_conflict) if place.region_conflict else None
    return values


def _check_lengths(row: csvio.SignatureRow) -> None:
    """Cells longer than their column holds (PostgreSQL would refuse them; SQLite would not)."""
    if (
        len(row.organization) > _LIMITS["organization"]
        or (row.position is not None and len(row.position) > _LIMITS["position"])
        or (row.statement_url is not None and len(row.statement_url) > _LIMITS["statement_url"])
        or (row.acronym is not None and len(row.acronym) > _LIMITS["acronym"])
        or (row.statement_language is not None and len(row.statement_language) > _LIMITS["statement_language"])
        or (row.region is not None and len(row.region) > _LIMITS["region"])
        or (row.country is not None and len(row.country) > _LIMITS["country"])
    ):
        for column, limit in _LIMITS.items():
            value = getattr(row, column)
            if value is not None and len(value) > limit:
                raise InvalidInput(f"{len(value):,} characters; at most {limit:,}", field=column)


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
