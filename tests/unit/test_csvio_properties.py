"""Property tests: whatever bytes arrive, the readers give rows, row errors or one InputError,
never another exception; well-formed files give back exactly the names they hold."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.csvio import CELL_LIMIT, InputError, RowError, SignatureRow, read_csv, read_text

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "mac_roman"]
DELIMITERS = [",", ";", "\t", "|"]
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Letters every one of ENCODINGS can write, punctuation that trips CSV up, and the odd NUL.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúñÑüÁÉ"
HOSTILE = LETTERS + " \"',;|\t\r\n\0=+-@<>/\\()[]{}%&#*"


def outcome(read, data: bytes, **options) -> list[SignatureRow | RowError] | InputError:
    """Everything a reader yields, or the InputError it raised; any other exception fails the test."""
    try:
        items = list(read(io.BytesIO(data), **options))
    except InputError as error:
        assert error.reason
        return error
    assert all(isinstance(item, SignatureRow | RowError) for item in items)
    return items


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=4000))
def test_random_bytes_never_raise_anything_but_input_error(data: bytes) -> None:
    outcome(read_csv, data)
    outcome(read_text, data)


@st.composite
def hostile_files(draw) -> tuple[bytes, dict]:
    """CSV-ish files: a header or not, cells of hostile text, huge cells, unbalanced quotes, in any
    of the encodings, with or without the encoding and delimiter given."""
    delimiter = draw(st.sampled_from(DELIMITERS))
    encoding = draw(st.sampled_from(ENCODINGS))
    cell = st.one_of(
        st.text(alphabet=HOSTILE, max_size=40),
        st.integers(CELL_LIMIT - 2, CELL_LIMIT + 2).map(lambda size: "x" * size),
        st.just("y" * 140_000),  # past csv.field_size_limit()
    )
    header = draw(st.sampled_from([[], ["organization"], ["statement_title", "organization", "position"], ["nombre", "name"]]))
    rows = draw(st.lists(st.lists(cell, min_size=1, max_size=4), max_size=8))
    lines = [delimiter.join(header)] if header else []
    lines += [delimiter.join(row) for row in rows]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), '"never closed')
    text = "\n".join(lines)
    options = {}
    if draw(st.booleans()):
        options["encoding"] = draw(st.sampled_from([encoding, *ENCODINGS]))
    if draw(st.booleans()):
        options["delimiter"] = draw(st.sampled_from(DELIMITERS))
    return text.encode(encoding, errors="replace"), options


@PROPERTY_SETTINGS
@given(file=hostile_files())
def test_hostile_csv_files_give_rows_or_clear_errors(file: tuple[bytes, dict]) -> None:
    data, options = file
    outcome(read_csv, data, **options)
    outcome(read_text, data, **{key: value for key, value in options.items() if key == "encoding"})


NAME = st.text(alphabet=LETTERS + " \"',;|.-&", min_size=1, max_size=60).filter(lambda name: name.strip()[:1].isalpha())


@PROPERTY_SETTINGS
@given(
    names=st.lists(NAME, min_size=1, max_size=20),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_well_formed_files_give_back_every_name(names: list[str], encoding: str, delimiter: str, quoting: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(["statement_title", "organization"])
    writer.writerows(["Comunicado", name] for name in names)
    data = buffer.getvalue().encode(encoding)

    items = outcome(read_csv, data, encoding=encoding, delimiter=delimiter)

    assert [item.organization for item in items] == [name.strip() for name in names]
    assert [item.raw for item in items] == names
