"""Read signature lists as people have them: CSV from Excel or Google Sheets, or a numbered list
pasted from a PDF. Pure: bytes in, `SignatureRow`s and `RowError`s out, streamed so a file of any
size is never held in memory. The import service decides what to do with them.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, make_dataclass
from operator import itemgetter
from typing import BinaryIO, Literal, NamedTuple, Protocol

from charset_normalizer import from_bytes

from app.identity.names import fold

CELL_LIMIT = 10_000
"""Longest cell accepted, in characters. No name or title is this long; a longer cell is a row
error, usually a quote that was opened and never closed and swallowed the lines after it."""

_DETECTION_BYTES = 64 * 1024
_SNIFF_LINES = 50
_HEADER_SEARCH_ROWS = 10
_TEXT_SAMPLE_LINES = 1000
_ERROR_RAW_CHARS = 200

# why: files that are not UTF-8 come from Excel on Windows (Windows-1252) or on an old Mac (Mac
# Roman). Unrestricted, charset-normalizer reads short Spanish text as Central European
# ("Niñez" -> "Nińez"); among these three it picks Windows-1252 reliably.
_LEGACY_ENCODINGS = ["cp1252", "latin_1", "mac_roman"]
_LENIENT_ERRORS = "firmas.cp1252"

_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument workbook?); save it as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or Word .doc) file; save it as CSV"),
    (b"%PDF", "a PDF; copy the list out of it and load it as text"),
)
# Control characters never found in text; tab, newlines, form feed (PDF page breaks) and
# ESC/SUB (old editors) are tolerated.
_BINARY_CONTROLS = bytes([*range(0x09), 0x0E, 0x0F, *range(0x10, 0x1A), *range(0x1C, 0x20)])

CANONICAL_COLUMNS = (
    "statement_title",
    "statement_date",
    "statement_url",
    "organization",
    "position",
    "region",
    "acronym",
    "country",
    "statement_language",
    "statement_kind",
)
# Header spellings after `_header_key` (folded: no accents, lowercase, spaces as "_").
_HEADER_ALIASES = {
    "statement_title": ("statement_title", "titulo", "title", "comunicado"),
    "statement_date": ("statement_date", "fecha", "date"),
    "statement_url": ("statement_url", "url", "enlace", "link"),
    "organization": ("organization", "organizacion", "organisation", "organizations", "organizaciones"),
    "position": ("position", "posicion", "numero", "no", "n°", "nro", "#"),
    "region": ("region", "estado"),
    "acronym": ("acronym", "siglas", "acronimo"),
    "country": ("country", "pais"),
    "statement_language": ("statement_language", "idioma", "language", "lang"),
    "statement_kind": ("statement_kind",),
}
_COLUMN_BY_KEY = {key: column for column, keys in _HEADER_ALIASES.items() for key in keys}
# why: "nombre"/"name" may head the column of signers' personal names next to the organization
# column, so they count as the organization column only when no column says "organización".
_WEAK_ORGANIZATION_KEYS = ("nombre", "name")

# A list marker: "12) ", "12)", "12. ", "12 - ", "12.- ", "12 – ", or a bullet ("• ", "- ", "* ",
# and the private-use bullets Word pastes from its Symbol font). A bare "12 " is not a marker:
# "21 de Marzo" is a name.
_BULLETS = "•·▪◦‣●○■□*\\-–—\uf0b7\uf0a7"
_LIST_MARKER = re.compile(rf"\s*(?:(\d{{1,6}})\s*(?:\)|(?:\.-|\.|-|–|—)(?=\s))|[{_BULLETS}](?=\s))\s*")
_MARKER_STARTS = frozenset("0123456789" + _BULLETS.replace("\\", ""))

_TIME_OF_DAY = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(rf"(\d{{4}})(?:-(\d{{1,2}})(?:-(\d{{1,2}}){_TIME_OF_DAY})?)?")
_DAY_FIRST_DATE = re.compile(rf"(?:(\d{{1,2}})([/.-]))?(\d{{1,2}})(?(2)\2|[/.-])(\d{{4}}){_TIME_OF_DAY}")
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
_DATE_FORMS = "write it as YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY"


class InputError(Exception):
    """The whole input is unusable (not text, no organization column, ...): import nothing."""

    def __init__(self, reason: str, *, line: int | None = None, column: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime.date  # first day of the period
    precision: Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """One printed signature line. `raw` is the organization cell (or text line) exactly as in
    the file; every other text field is stripped, with empty cells as None."""

    line: int  # 1-based line where the record starts; the header is line 1
    raw: str
    organization: str  # raw without surrounding whitespace and without a list marker "12) "
    position: str | None  # printed number as text, from the position column or the marker
    statement_title: str | None
    statement_date: str | None  # unparsed: the caller parses it with parse_date
    statement_url: str | None
    region: str | None
    acronym: str | None
    country: str | None
    statement_language: str | None
    statement_kind: str | None


@dataclass(frozen=True, slots=True)
class RowError:
    """A record that cannot become a signature; the rest of the file is still read."""

    line: int
    column: str | None  # canonical column name, None when the whole record is at fault
    reason: str
    raw: str | None  # the offending text, cut to 200 characters


@dataclass
class SignatureFile:
    """What a reader found out about the input, and its rows: iterate it once (it streams).

    `skipped_lines` lists (line, text) of lines read but not taken as entries, for the admin to
    review: rows above the header of a CSV, known at once; headings and unnumbered lines of a text
    list (text cut to 200 characters), known after iteration.
    """

    encoding: str
    delimiter: str | None
    shape: Literal["long", "list", "text"]
    columns: dict[str, str]  # canonical name -> header as printed
    ignored_columns: list[str]
    skipped_lines: list[tuple[int, str]]
    _rows: Iterator[SignatureRow | RowError] = field(repr=False, compare=False)

    def __iter__(self) -> Iterator[SignatureRow | RowError]:
        return self._rows


class _Statement(NamedTuple):
    """Statement fields given by the caller, for files that do not carry them."""

    title: str | None
    date: str | None
    url: str | None
    language: str | None


class _Layout(NamedTuple):
    """Cell index of each canonical column; a missing column points one past the header, at the
    empty cell appended to every record, so reading it needs no test."""

    width: int
    organization: int
    position: int
    statement_title: int
    statement_date: int
    statement_url: int
    region: int
    acronym: int
    country: int
    statement_language: int
    statement_kind: int


class _Reader(Protocol):
    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


_Problem = tuple[str, str, str]  # (column, reason, raw) of a RowError, without its line
_Resolved = tuple[str | None, str | None, str | None, str | None, str | None, _Problem | None]
_SIGNATURE_COLUMNS = ("organization", "position", "region", "acronym", "country")
_STATEMENT_COLUMNS = (
    "statement_title",
    "statement_date",
    "statement_url",
    "statement_language",
    "statement_kind",
)
_STATEMENT_CACHE_SIZE = 10_000


class _Decoded(NamedTuple):
    text: io.TextIOWrapper
    encoding: str
    sample: str  # the decoded start of the input, for sniffing


# ---------------------------------------------------------------------------------------------
# Public readers


def read_csv(
    stream: BinaryIO,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    statement_title: str | None = None,
    statement_date: str | None = None,
    statement_url: str | None = None,
    statement_language: str | None = None,
) -> SignatureFile:
    """Read a CSV of signatures, in long shape (a header with an organization column and
    optionally statement columns) or list shape (one column of names, with or without header).

    Encoding and delimiter are detected unless given. The header is the first of the first ten
    non-blank rows that names an organization column; rows above it are reported as skipped.
    A one-column file whose first row is not an organization header is a list without header.
    The keyword statement fields fill empty or missing statement cells.

    Raises InputError at once when the file is unusable: not text, an unknown or wrong explicit
    encoding, several columns but none for organizations, two columns with the same meaning, or
    a keyword `statement_date` that is not a date. Row problems (no organization, bad date, a
    cell over CELL_LIMIT characters, more cells than the header) are yielded as RowError.
    """
    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"the delimiter must be one character, not {delimiter!r}")
    defaults = _statement_defaults(statement_title, statement_date, statement_url, statement_language)
    decoded = _decode(stream, encoding)
    plan = _plan_csv(decoded.sample, delimiter)
    # why: a one-column file is still CSV (quoted cells); NUL never occurs in text, so splitting on
    # it keeps each record whole.
    reader = csv.reader(decoded.text, delimiter=plan.delimiter or "\0")
    _skip_through_line(reader, plan.header_line)
    rows = _csv_rows(reader, plan, defaults, decoded.encoding)
    return SignatureFile(
        encoding=decoded.encoding,
        delimiter=plan.delimiter,
        shape=plan.shape,
        columns=plan.columns,
        ignored_columns=plan.ignored_columns,
        skipped_lines=plan.skipped_lines,
        _rows=rows,
    )


def read_text(
    stream: BinaryIO,
    *,
    encoding: str | None = None,
    statement_title: str | None = None,
    statement_date: str | None = None,
    statement_url: str | None = None,
    statement_language: str | None = None,
) -> SignatureFile:
    """Read a list pasted as plain text, one organization a line, for one statement whose
    fields the caller gives.

    Blank lines are ignored. Lines ending in ":" are headings, never entries. When at least half
    of the first 1000 non-blank lines start with a list marker ("12) ", "12. ", "12 - ", "• "),
    the list is *marked*: only marked lines are entries, and the other lines (introductions,
    "Translated by ...", a name wrapped onto a second line) go to `skipped_lines` for the admin
    to review. Otherwise every line is an entry. Numbers are kept as printed: a missing number
    stays missing. Raises InputError as `read_csv` does for file-level problems.
    """
    defaults = _statement_defaults(statement_title, statement_date, statement_url, statement_language)
    decoded = _decode(stream, encoding)
    skipped: list[tuple[int, str]] = []
    marked = _is_marked_list(decoded.sample)
    rows = _text_rows(decoded.text, marked, defaults, skipped, decoded.encoding)
    return SignatureFile(
        encoding=decoded.encoding,
        delimiter=None,
        shape="text",
        columns={},
        ignored_columns=[],
        skipped_lines=skipped,
        _rows=rows,
    )


def parse_date(text: str | None) -> ParsedDate | None:
    """Parse a statement date: "2021-11-03" (day), "2021-11" (month), "2021" (year), and as
    Latin-American spreadsheets write them "03/11/2021" or "3-11-2021" (day first) and "11/2021".
    A time of day after a full date, as spreadsheets append it, is ignored. "" or None -> None.

    Raises ValueError with a reason for the admin: "'31/02/2021' is not a date: day is out of
    range for month". Two-digit years and month-first dates ("11/25/2021") are refused, not
    guessed.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.group(1, 2, 3)
        return _make_date(text, year, month, day)
    if match := _DAY_FIRST_DATE.fullmatch(text):
        day, _, month, year = match.groups()
        return _make_date(text, year, month, day, day_first=True)
    if _TWO_DIGIT_YEAR.fullmatch(text):
        raise ValueError(f"{text!r} is not a date: write the year with four digits")
    raise ValueError(f"{text!r} is not a date; {_DATE_FORMS}")


def _make_date(
    text: str, year: str, month: str | None, day: str | None, *, day_first: bool = False
) -> ParsedDate:
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        hint = " (dates are read day first: DD/MM/YYYY)" if day_first and int(month or 1) > 12 else ""
        raise ValueError(f"{text!r} is not a date: {error}{hint}") from None
    precision = "day" if day else "month" if month else "year"
    return ParsedDate(value, precision)


def _statement_defaults(
    title: str | None, date: str | None, url: str | None, language: str | None
) -> _Statement:
    """Strip the caller's statement fields; a keyword date that is not a date spoils every row."""
    title, date, url, language = ((value or "").strip() or None for value in (title, date, url, language))
    try:
        parse_date(date)
    except ValueError as error:
        raise InputError(str(error), column="statement_date") from None
    return _Statement(title, date, url, language)


# ---------------------------------------------------------------------------------------------
# Bytes to text


def _lenient_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: read undecodable bytes as Windows-1252 (its five holes as Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(_CP1252_CHARS[byte] for byte in error.object[error.start : error.end]), error.end


_CP1252_CHARS = tuple(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256))
codecs.register_error(_LENIENT_ERRORS, _lenient_cp1252)


class _Replayed(io.RawIOBase):
    """The bytes already read for detection, then the rest of the stream; closing it leaves the
    caller's stream open."""

    def __init__(self, prefix: bytes, rest: BinaryIO):
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _decode(stream: BinaryIO, encoding: str | None) -> _Decoded:
    """Choose the encoding from the first 64 KB and return a text stream over the whole input.

    Without `encoding`: a BOM decides (UTF-8, UTF-16); else UTF-8 if the start is valid UTF-8;
    else charset-normalizer among Windows-1252, Latin-1 and Mac Roman. Detected encodings never
    fail later: bytes they cannot decode (a Windows-1252 "ñ" far into a UTF-8 file) are read as
    Windows-1252. An explicit `encoding` is strict: bytes it cannot decode raise InputError.
    """
    prefix = _read_prefix(stream)
    if not prefix:
        raise InputError("the file is empty")
    at_eof = len(prefix) < _DETECTION_BYTES
    if encoding is None:
        name, errors = _detect_encoding(prefix, at_eof), _LENIENT_ERRORS
    else:
        name, errors = _requested_encoding(encoding, prefix), "strict"
    try:
        sample = codecs.getincrementaldecoder(name)(errors).decode(prefix, final=at_eof)
    except UnicodeDecodeError as error:
        line = prefix.count(b"\n", 0, error.start) + 1
        raise InputError(f"the file is not {name}: {error.reason} at byte {error.start}", line=line) from None
    buffered = io.BufferedReader(_Replayed(prefix, stream), buffer_size=_DETECTION_BYTES)
    text = io.TextIOWrapper(buffered, encoding=name, errors=errors, newline="")
    return _Decoded(text, name, sample)


def _read_prefix(stream: BinaryIO) -> bytes:
    chunks, size = [], 0
    while size < _DETECTION_BYTES and (chunk := stream.read(_DETECTION_BYTES - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _detect_encoding(prefix: bytes, at_eof: bool) -> str:
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    _reject_binary(prefix)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=at_eof)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(prefix, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise InputError("this is not a text file: its bytes are not text in any known encoding")
    return best.encoding


def _requested_encoding(encoding: str, prefix: bytes) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    if name.startswith(("utf-16", "utf-32")):
        return name
    _reject_binary(prefix)
    # why: "utf-8" would keep Excel's BOM glued to the first header cell.
    return "utf-8-sig" if name == "utf-8" and prefix.startswith(codecs.BOM_UTF8) else name


def _reject_binary(prefix: bytes) -> None:
    for signature, what in _BINARY_SIGNATURES:
        if prefix.startswith(signature):
            raise InputError(f"this is not a text file but {what}")
    controls = len(prefix) - len(prefix.translate(None, _BINARY_CONTROLS))
    if b"\0" in prefix or controls * 100 > len(prefix):
        raise InputError("this is not a text file: it contains binary data (NUL or control bytes)")


# ---------------------------------------------------------------------------------------------
# CSV


@dataclass
class _CsvPlan:
    shape: Literal["long", "list"]
    delimiter: str | None
    header_line: int  # physical line where the header record ends; 0 without header
    layout: _Layout
    columns: dict[str, str]
    ignored_columns: list[str]
    skipped_lines: list[tuple[int, str]]


def _plan_csv(sample: str, delimiter: str | None) -> _CsvPlan:
    """Decide delimiter, shape and header from the start of the file.

    The header decides between delimiters: each candidate (the given one, else csv.Sniffer's
    guess then , ; tab |) is tried until one splits a row into several cells that include an
    organization column. This survives Sniffer picking "," in a ";" file whose names all contain
    ", A.C.". Without such a row, a file whose first row has one cell is a list.
    """
    candidates = [delimiter] if delimiter else list(dict.fromkeys([_sniff_delimiter(sample), *",;\t|"]))
    for candidate in filter(None, candidates):
        if header := _find_header(sample, candidate):
            line, cells, preamble = header
            columns, ignored, layout = _map_header(cells, line)
            return _CsvPlan("long", candidate, line, layout, columns, ignored, preamble)
    chosen = delimiter or candidates[0]
    first = next(_sample_records(sample, chosen or "\0"), None)
    if first is not None and len(first[1]) > 1:
        found = ", ".join(repr(cell.strip()) for cell in first[1])
        raise InputError(
            f"no organization column among the columns found: {found}; "
            "add a header row naming the column of organizations 'organización' or 'organization'",
            line=first[0],
            column="organization",
        )
    layout = _layout({"organization": 0}, 1)
    if first is not None and _column_of(first[1][0]) == "organization":
        return _CsvPlan("list", chosen, first[0], layout, {"organization": first[1][0].strip()}, [], [])
    return _CsvPlan("list", chosen, 0, layout, {}, [], [])


def _sniff_delimiter(sample: str) -> str | None:
    head = "".join(sample.splitlines(keepends=True)[:_SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return None


def _sample_records(sample: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record ends, cells) of the non-blank records of the sample."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error:
        return  # a huge or unclosed cell in the sample: decide with the records before it


def _find_header(sample: str, delimiter: str) -> tuple[int, list[str], list[tuple[int, str]]] | None:
    """The first record of several cells naming an organization column among the first
    non-blank records, with the records before it as (line, text)."""
    preamble = []
    for index, (line, cells) in enumerate(_sample_records(sample, delimiter)):
        if index == _HEADER_SEARCH_ROWS:
            return None
        if len(cells) > 1 and any(_column_of(cell) == "organization" for cell in cells):
            return line, cells, preamble
        preamble.append((line, delimiter.join(cells)))
    return None


def _header_key(cell: str) -> str:
    """' Nº. ' -> 'no', 'Statement Title' -> 'statement_title', BOM + 'Organización' -> 'organizacion'."""
    return "_".join(fold(cell.replace("\ufeff", "")).split()).strip("_.:")


def _column_of(cell: str) -> str | None:
    key = _header_key(cell)
    return "organization" if key in _WEAK_ORGANIZATION_KEYS else _COLUMN_BY_KEY.get(key)


def _map_header(cells: list[str], line: int) -> tuple[dict[str, str], list[str], _Layout]:
    """Map header cells to canonical columns. Unknown headers are listed as ignored, not fatal;
    two headers with one meaning are an InputError, since either could be the one meant."""
    index_of: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _COLUMN_BY_KEY.get(_header_key(cell))
        if column in index_of:
            _raise_same_meaning(column, [cells[index_of[column]], cell], line)
        if column is not None:
            index_of[column] = index
    if "organization" not in index_of:
        weak = [index for index, cell in enumerate(cells) if _header_key(cell) in _WEAK_ORGANIZATION_KEYS]
        if len(weak) > 1:
            _raise_same_meaning("organization", [cells[index] for index in weak], line)
        index_of["organization"] = weak[0]
    used = set(index_of.values())
    ignored = [cell.strip() for index, cell in enumerate(cells) if index not in used and _header_key(cell)]
    columns = {column: cells[index_of[column]].strip() for column in CANONICAL_COLUMNS if column in index_of}
    return columns, ignored, _layout(index_of, len(cells))


def _layout(index_of: dict[str, int], width: int) -> _Layout:
    return _Layout(width, *(index_of.get(column, width) for column in _Layout._fields[1:]))


def _raise_same_meaning(column: str, headers: list[str], line: int) -> None:
    names = " and ".join(repr(header.strip()) for header in headers)
    raise InputError(f"columns {names} both mean {column}; keep one", line=line, column=column)


def _skip_through_line(reader: _Reader, line: int) -> None:
    """Consume the records up to and including the one ending on `line` (the header)."""
    if line:
        for _ in reader:
            if reader.line_num >= line:
                return


def _csv_rows(
    reader: _Reader, plan: _CsvPlan, defaults: _Statement, encoding: str
) -> Iterator[SignatureRow | RowError]:
    """Records to rows: the hot loop of a million-row import. Statement cells repeat on every row
    of a statement, so they are stripped, filled and date-checked once per distinct tuple."""
    layout, width, delimiter = plan.layout, plan.layout.width, plan.delimiter or "\0"
    signature_cells = itemgetter(*(getattr(layout, column) for column in _SIGNATURE_COLUMNS))
    statement_cells = itemgetter(*(getattr(layout, column) for column in _STATEMENT_COLUMNS))
    statements: dict[tuple[str, ...], _Resolved] = {}
    last_key: tuple[str, ...] = ()
    end = plan.header_line
    while True:
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if len(cells) != width:
                    if not cells:
                        continue
                    if error := _fit_to_width(cells, width, start, delimiter):
                        yield error
                        continue
                cells.append("")
                raw, position, region, acronym, country = signature = signature_cells(cells)
                if len(raw) + len(position) + len(region) + len(acronym) + len(country) > CELL_LIMIT and (
                    oversize := _first_oversize(_SIGNATURE_COLUMNS, signature)
                ):
                    yield RowError(start, *oversize)
                    continue
                key = statement_cells(cells)
                if key != last_key:
                    last_key = key
                    statement = statements.get(key)
                    if statement is None:
                        if len(statements) == _STATEMENT_CACHE_SIZE:
                            statements.clear()
                        statement = statements[key] = _resolve_statement(key, defaults)
                    title, date, url, language, kind, problem = statement
                organization = raw.strip()
                position = position.strip() or None
                if organization and organization[0] in _MARKER_STARTS:
                    number, organization = _split_list_marker(organization)
                    position = position or number
                if not organization:
                    if any(cell.strip() for cell in cells):
                        yield RowError(start, "organization", "no organization name", raw)
                    continue
                if problem is not None:
                    yield RowError(start, *problem)
                    continue
                yield _new_row(start, raw, organization, position, title, date, url, region.strip() or None,
                               acronym.strip() or None, country.strip() or None, language, kind)  # fmt: skip
            return
        except csv.Error:
            # why: the only error a csv.reader raises on text is a cell over csv.field_size_limit();
            # it survives it and resumes on the next line.
            where = f"{csv.field_size_limit():,} characters (lines {end + 1}-{reader.line_num})"
            reason = f"a cell longer than {where}; a quote is probably never closed"
            yield RowError(end + 1, None, reason, None)
            end = reader.line_num
        except UnicodeDecodeError as error:
            raise InputError(
                f"the file is not {encoding}: {error.reason} after line {end}", line=end
            ) from None


def _resolve_statement(cells: tuple[str, ...], defaults: _Statement) -> _Resolved:
    """(title, date, url, language, kind, problem) from a record's statement cells: stripped,
    empty cells filled with the caller's values, then checked."""
    title, date, url, language, kind = (cell.strip() or None for cell in cells)
    date = date or defaults.date
    problem = _first_oversize(_STATEMENT_COLUMNS, cells)
    if problem is None and date is not None:
        try:
            parse_date(date)
        except ValueError as error:
            problem = ("statement_date", str(error), date)
    return title or defaults.title, date, url or defaults.url, language or defaults.language, kind, problem


def _first_oversize(columns: tuple[str, ...], cells: tuple[str, ...]) -> _Problem | None:
    for column, cell in zip(columns, cells, strict=True):
        if len(cell) > CELL_LIMIT:
            reason = (
                f"cell of {len(cell):,} characters (limit {CELL_LIMIT:,}); "
                "a quote that is never closed makes a cell swallow the lines after it"
            )
            return column, reason, cell[:_ERROR_RAW_CHARS]
    return None


def _fit_to_width(cells: list[str], width: int, line: int, delimiter: str) -> RowError | None:
    """Pad a short record with empty cells, drop empty trailing cells; more filled cells than the
    header means a name containing the delimiter without quotes, which shifts every column."""
    if len(cells) < width:
        cells.extend([""] * (width - len(cells)))
        return None
    if any(cell.strip() for cell in cells[width:]):
        reason = f"{len(cells)} cells where the header has {width}"
        reason += f"; a name containing {delimiter!r} must be in quotes"
        return RowError(line, None, reason, delimiter.join(cells)[:_ERROR_RAW_CHARS])
    del cells[width:]
    return None


# ---------------------------------------------------------------------------------------------
# Plain text lists


def _split_list_marker(text: str) -> tuple[str | None, str]:
    """("12", "Name") for "12) Name", (None, "Name") for "• Name", (None, text) without marker."""
    match = _LIST_MARKER.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end() :]


def _is_marked_list(sample: str) -> bool:
    lines = [line for line in sample.splitlines()[:_TEXT_SAMPLE_LINES] if line.strip()]
    marked = sum(1 for line in lines if _LIST_MARKER.match(line))
    return marked * 2 >= len(lines) > 0


def _text_rows(
    text: io.TextIOWrapper, marked: bool, defaults: _Statement, skipped: list[tuple[int, str]], encoding: str
) -> Iterator[SignatureRow | RowError]:
    number = 0
    try:
        for number, line in enumerate(text, 1):
            raw = line.rstrip("\r\n")
            stripped = raw.strip()
            if not stripped:
                continue
            if len(raw) > CELL_LIMIT:
                reason = f"line of {len(raw):,} characters (limit {CELL_LIMIT:,})"
                yield RowError(number, "organization", reason, raw[:_ERROR_RAW_CHARS])
                continue
            position, organization = _split_list_marker(stripped)
            unmarked = organization == stripped
            if (marked and unmarked) or stripped.endswith(":"):
                skipped.append((number, raw[:_ERROR_RAW_CHARS]))
                continue
            if not organization:
                yield RowError(number, "organization", "a list number without a name", raw)
                continue
            yield _new_row(number, raw, organization, position, defaults.title, defaults.date, defaults.url,
                           None, None, None, defaults.language, None)  # fmt: skip
    except UnicodeDecodeError as error:
        reason = f"the file is not {encoding}: {error.reason} after line {number}"
        raise InputError(reason, line=number) from None


# ---------------------------------------------------------------------------------------------
# Fast row construction

# why: the __init__ of a frozen dataclass sets each field with object.__setattr__ (~2.5 µs for
# twelve fields, most of the reader's budget). An unfrozen twin with the same slots is built at
# full speed and then becomes a SignatureRow: same memory layout, so CPython allows the switch.
_UnfrozenRow = make_dataclass("_UnfrozenRow", [(spec.name, spec.type) for spec in fields(SignatureRow)],
                              slots=True)  # fmt: skip
_set_attribute = object.__setattr__


def _new_row(
    line: int,
    raw: str,
    organization: str,
    position: str | None,
    title: str | None,
    date: str | None,
    url: str | None,
    region: str | None,
    acronym: str | None,
    country: str | None,
    language: str | None,
    kind: str | None,
) -> SignatureRow:
    """SignatureRow(...) with the same arguments, five times faster."""
    row = _UnfrozenRow(
        line, raw, organization, position, title, date, url, region, acronym, country, language, kind
    )
    _set_attribute(row, "__class__", SignatureRow)
    return row
