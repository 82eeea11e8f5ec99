"""csvio: signature files as people have them -> rows, row errors, or one file-level error."""

from __future__ import annotations

import dataclasses
import datetime
import io

import pytest

from app.csvio import (
    CELL_LIMIT,
    InputError,
    ParsedDate,
    RowError,
    SignatureFile,
    SignatureRow,
    parse_date,
    read_csv,
    read_text,
)

# The SignatureRow fields after line, raw and organization.
OPTIONAL_FIELDS = [spec.name for spec in dataclasses.fields(SignatureRow)][3:]


def row(line: int, organization: str, *, raw: str | None = None, **fields: str | None) -> SignatureRow:
    """A SignatureRow with every unspecified field None and raw defaulting to the name."""
    values = dict.fromkeys(OPTIONAL_FIELDS) | fields
    return SignatureRow(
        line=line, raw=organization if raw is None else raw, organization=organization, **values
    )


def csv_items(data: bytes, **options: str | None) -> tuple[SignatureFile, list[SignatureRow | RowError]]:
    parsed = read_csv(io.BytesIO(data), **options)
    return parsed, list(parsed)


def text_items(data: bytes, **options: str | None) -> tuple[SignatureFile, list[SignatureRow | RowError]]:
    parsed = read_text(io.BytesIO(data), **options)
    return parsed, list(parsed)


def names(items: list[SignatureRow | RowError]) -> list[str]:
    return [item.organization for item in items if isinstance(item, SignatureRow)]


# --- encodings -----------------------------------------------------------------------------------

ASCII_ROWS = "".join(f"Organization number {index}\n" for index in range(4000))  # past the 64 KB sniffed


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [
        pytest.param("organization\nFundación Niñez\n".encode(), "utf-8", "Fundación Niñez", id="utf-8"),
        pytest.param("organization\nFundación Niñez\n".encode("utf-8-sig"), "utf-8-sig", "Fundación Niñez",
                     id="utf-8 with BOM"),
        pytest.param("organization\nFundación Niñez\n".encode("cp1252"), "cp1252", "Fundación Niñez",
                     id="cp1252"),
        pytest.param("Fundación Niñez\n".encode("cp1252"), "cp1252", "Fundación Niñez", id="cp1252 one line"),
        pytest.param("organización;estado\n“Acción” Solidaria – Niñez;Mérida\n".encode("cp1252"), "cp1252",
                     "“Acción” Solidaria – Niñez", id="cp1252 smart quotes and dash"),
        pytest.param("organization\tregion\nFundación Niñez\tZulia\n".encode("utf-16"), "utf-16",
                     "Fundación Niñez", id="utf-16 (Excel unicode text)"),
        pytest.param(("organization\n" + ASCII_ROWS).encode() + "Fundación Niñez\n".encode("cp1252"), "utf-8",
                     "Fundación Niñez", id="cp1252 bytes after an ascii start read as cp1252"),
    ],
)  # fmt: skip
def test_encoding_is_detected(data: bytes, encoding: str, expected: str) -> None:
    parsed, items = csv_items(data)

    assert parsed.encoding == encoding
    assert names(items)[-1] == expected
    assert all(isinstance(item, SignatureRow) for item in items)


@pytest.mark.parametrize(
    ("data", "encoding", "used", "expected"),
    [
        ("organization\nFundación Niñez\n".encode("mac_roman"), "mac_roman", "mac-roman", "Fundación Niñez"),
        ("organization\nFundación Niñez\n".encode("latin-1"), "latin-1", "iso8859-1", "Fundación Niñez"),
        ("organization\nFundación Niñez\n".encode("utf-8-sig"), "utf-8", "utf-8-sig", "Fundación Niñez"),
    ],
)
def test_explicit_encoding_wins(data: bytes, encoding: str, used: str, expected: str) -> None:
    parsed, items = csv_items(data, encoding=encoding)

    assert parsed.encoding == used
    assert parsed.columns == {"organization": "organization"}
    assert names(items) == [expected]


def test_explicit_encoding_that_does_not_fit_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        read_csv(io.BytesIO("organization\nFoo\nFundación Niñez\n".encode("cp1252")), encoding="utf-8")

    assert caught.value.line == 3
    assert "not utf-8" in caught.value.reason


def test_explicit_encoding_that_fails_past_the_sniffed_start_stops_the_iteration() -> None:
    data = ("organization\n" + ASCII_ROWS).encode() + "Fundación Niñez\n".encode("cp1252")
    parsed = read_csv(io.BytesIO(data), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        list(parsed)

    assert "not utf-8" in caught.value.reason
    assert caught.value.line is not None


def test_empty_file_is_an_input_error() -> None:
    for reader in (read_csv, read_text):
        with pytest.raises(InputError, match="the file is empty"):
            reader(io.BytesIO(b""))


def test_unknown_encoding_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_csv(io.BytesIO(b"organization\nFoo\n"), encoding="klingon")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary data", id="png"),
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "xlsx", id="xlsx"
        ),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls", id="xls"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", id="pdf"),
        pytest.param(b"organization\nFoo\x00Bar\n", "NUL", id="nul byte"),
        pytest.param(bytes(range(1, 32)) * 40, "control bytes", id="control bytes"),
    ],
)
def test_binary_input_is_an_input_error(data: bytes, message: str) -> None:
    for reader in (read_csv, read_text):
        with pytest.raises(InputError) as caught:
            reader(io.BytesIO(data))

        assert "not a text file" in caught.value.reason
        assert message in caught.value.reason


# --- delimiters, quoting, blank lines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"organization,region\nRed Zuliana,Zulia\nFoo,Lara\n", ","),
        (b"organization;region\nRed Zuliana;Zulia\nFoo;Lara\n", ";"),
        (b"organization\tregion\nRed Zuliana\tZulia\nFoo\tLara\n", "\t"),
        (b"organization|region\nRed Zuliana|Zulia\nFoo|Lara\n", "|"),
        pytest.param(b"organization;region\nRed Zuliana, A.C.;Zulia\nFoo, A.C.;Lara\n", ";",
                     id="every name has a comma"),
        pytest.param(b"organization,region\r\nRed Zuliana,Zulia\r\nFoo,Lara\r\n", ",", id="crlf"),
        pytest.param(b"organization,region\rRed Zuliana,Zulia\rFoo,Lara\r", ",", id="old mac cr"),
    ],
)  # fmt: skip
def test_delimiter_is_sniffed(data: bytes, delimiter: str) -> None:
    parsed, items = csv_items(data)

    assert parsed.delimiter == delimiter
    assert parsed.shape == "long"
    assert [(item.line, item.region) for item in items] == [(2, "Zulia"), (3, "Lara")]


def test_explicit_delimiter_wins() -> None:
    data = "organización;región,país\nFoo;Zulia,VE\n".encode()

    assert csv_items(data)[0].delimiter == ";"
    with pytest.raises(InputError) as caught:
        read_csv(io.BytesIO(data), delimiter=",")

    assert (
        "no organization column among the columns found: 'organización;región', 'país'" in caught.value.reason
    )


def test_quoted_cells_keep_newlines_and_delimiters_and_lines_count_physical_lines() -> None:
    data = b'organization,region\n"Fundaci\xc3\xb3n\nNi\xc3\xb1ez",Zulia\n"Red ""La Voz"", A.C.",Lara\n'

    _, items = csv_items(data)

    assert items == [
        row(2, "Fundación\nNiñez", region="Zulia"),
        row(4, 'Red "La Voz", A.C.', region="Lara"),
    ]


def test_blank_lines_and_empty_records_are_skipped() -> None:
    data = b"\norganization,region\n\nFoo,Zulia\n , \n,,\n   \n\nBar,Lara\n\n"

    _, items = csv_items(data)

    assert items == [row(4, "Foo", region="Zulia"), row(9, "Bar", region="Lara")]


def test_cells_are_stripped_but_raw_is_verbatim() -> None:
    data = b"organization , position ,region\n  12) Foo  ,, Zulia \n Bar ,7,\n"

    _, items = csv_items(data)

    assert items == [
        row(2, "Foo", raw="  12) Foo  ", position="12", region="Zulia"),
        row(3, "Bar", raw=" Bar ", position="7"),
    ]


def test_short_records_are_padded_and_long_ones_are_row_errors() -> None:
    data = b"organization,region,acronym\nFoo\nBar,Lara,,,\nAccion Solidaria, A.C.,Lara,AS\n"

    _, items = csv_items(data)

    assert items == [
        row(2, "Foo"),
        row(3, "Bar", region="Lara"),
        RowError(4, None, "4 cells where the header has 3; a name containing ',' must be in quotes",
                 "Accion Solidaria, A.C.,Lara,AS"),
    ]  # fmt: skip


# --- headers ---------------------------------------------------------------------------------------


def test_spanish_headers_with_accents_odd_case_and_spaces() -> None:
    header = " Título ;FECHA;Enlace; ORGANIZACIÓN ;Nº;Estado;Siglas;País;Idioma;Correo;"
    data = f"{header}\nComunicado;2021-11;https://x.org;Foo;1;VE-V;FO;VE;es;a@b.org;\n".encode()

    parsed, items = csv_items(data)

    assert parsed.shape == "long"
    assert parsed.columns == {
        "statement_title": "Título",
        "statement_date": "FECHA",
        "statement_url": "Enlace",
        "organization": "ORGANIZACIÓN",
        "position": "Nº",
        "region": "Estado",
        "acronym": "Siglas",
        "country": "País",
        "statement_language": "Idioma",
    }
    assert parsed.ignored_columns == ["Correo"]
    assert items == [
        row(2, "Foo", position="1", statement_title="Comunicado", statement_date="2021-11",
            statement_url="https://x.org", region="VE-V", acronym="FO", country="VE", statement_language="es"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("organization", "organization"), ("Organisation", "organization"), ("nombre", "organization"),
        ("Name", "organization"), ("organizacion", "organization"), ("date", "statement_date"),
        ("statement_date", "statement_date"), ("title", "statement_title"), ("Comunicado", "statement_title"),
        ("link", "statement_url"), ("URL", "statement_url"), ("región", "region"), ("posición", "position"),
        ("número", "position"), ("No.", "position"), ("#", "position"), ("acrónimo", "acronym"),
        ("acronym", "acronym"), ("pais", "country"), ("lang", "statement_language"),
        ("language", "statement_language"), ("statement_kind", "statement_kind"),
    ],
)  # fmt: skip
def test_header_aliases(header: str, canonical: str) -> None:
    other = "region" if canonical == "organization" else "organization"
    parsed, _ = csv_items(f"{header},{other}\n".encode())

    assert parsed.columns[canonical] == header


def test_organization_header_beats_name_header() -> None:
    parsed, items = csv_items(b"Nombre,Organizacion,Correo\nPedro Perez,Red Zuliana,p@x.org\n")

    assert parsed.columns == {"organization": "Organizacion"}
    assert parsed.ignored_columns == ["Nombre", "Correo"]
    assert names(items) == ["Red Zuliana"]


def test_two_columns_with_one_meaning_are_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        read_csv(io.BytesIO(b"organization,fecha,date\nFoo,2021,2022\n"))

    assert caught.value.column == "statement_date"
    assert caught.value.line == 1
    assert "'fecha' and 'date'" in caught.value.reason


def test_no_organization_column_is_an_input_error_naming_the_columns() -> None:
    with pytest.raises(InputError) as caught:
        read_csv(io.BytesIO(b"titulo,fecha,firmante\nComunicado,2021,Foo\n"))

    assert caught.value.line == 1
    assert caught.value.column == "organization"
    assert "'titulo', 'fecha', 'firmante'" in caught.value.reason


def test_rows_above_the_header_are_skipped_lines() -> None:
    data = "Firmantes del comunicado;;\n\nOrganización;Estado;\nFoo;Zulia;\n".encode()

    parsed, items = csv_items(data)

    assert parsed.skipped_lines == [(1, "Firmantes del comunicado;;")]
    assert items == [row(4, "Foo", region="Zulia")]


# --- list shape ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "columns", "expected"),
    [
        pytest.param(b"Foo\nBar\n", {}, [row(1, "Foo"), row(2, "Bar")], id="no header"),
        pytest.param("Organización\nFoo\nBar\n".encode(), {"organization": "Organización"},
                     [row(2, "Foo"), row(3, "Bar")], id="header"),
        pytest.param(b"nombre\n\nFoo\n", {"organization": "nombre"}, [row(3, "Foo")], id="weak header"),
        pytest.param(b'"Foo, A.C."\nBar; Baz\n', {}, [row(1, "Foo, A.C."), row(2, "Bar; Baz")],
                     id="delimiters inside names"),
    ],
)  # fmt: skip
def test_list_shape(data: bytes, columns: dict[str, str], expected: list[SignatureRow]) -> None:
    parsed, items = csv_items(data)

    assert parsed.shape == "list"
    assert parsed.delimiter is None
    assert parsed.columns == columns
    assert items == expected


@pytest.mark.parametrize(
    ("cell", "position", "organization"),
    [
        ("12) Foo", "12", "Foo"),
        ("12)Foo", "12", "Foo"),
        ("12. Foo", "12", "Foo"),
        ("12 - Foo", "12", "Foo"),
        ("12.- Foo", "12", "Foo"),
        ("12 – Foo", "12", "Foo"),
        ("  7)  Foo ", "7", "Foo"),
        ("• Foo", None, "Foo"),
        ("21 de Marzo", None, "21 de Marzo"),
        ("12 Foo", None, "12 Foo"),
        ("1.000 Voces", None, "1.000 Voces"),
        ("7-Eleven", None, "7-Eleven"),
        ("100% Venezuela", None, "100% Venezuela"),
    ],
)
def test_list_numbers_are_split_off_the_name(cell: str, position: str | None, organization: str) -> None:
    _, items = csv_items(f"{cell}\n".encode())

    assert items == [row(1, organization, raw=cell, position=position)]


def test_list_without_name_after_number_is_a_row_error() -> None:
    _, items = csv_items(b"1) Foo\n2)\n3) Bar\n")

    assert items == [
        row(1, "Foo", raw="1) Foo", position="1"),
        RowError(2, "organization", "no organization name", "2)"),
        row(3, "Bar", raw="3) Bar", position="3"),
    ]


def test_statement_keywords_fill_every_row_of_a_list() -> None:
    _, items = csv_items(
        b"Foo\nBar\n",
        statement_title=" Comunicado ",
        statement_date="2021-11",
        statement_url="https://x.org",
        statement_language="en",
    )

    fields = {"statement_title": "Comunicado", "statement_date": "2021-11", "statement_url": "https://x.org",
              "statement_language": "en"}  # fmt: skip
    assert items == [row(1, "Foo", **fields), row(2, "Bar", **fields)]


def test_statement_keywords_fill_only_empty_cells_of_the_long_shape() -> None:
    data = b"title,date,organization\nOwn title,2020,Foo\n,,Bar\n"

    _, items = csv_items(data, statement_title="Given", statement_date="2021-11", statement_language="es")

    assert items == [
        row(2, "Foo", statement_title="Own title", statement_date="2020", statement_language="es"),
        row(3, "Bar", statement_title="Given", statement_date="2021-11", statement_language="es"),
    ]


def test_statement_date_keyword_that_is_not_a_date_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        read_csv(io.BytesIO(b"Foo\n"), statement_date="2021-13")

    assert caught.value.column == "statement_date"


# --- row errors ------------------------------------------------------------------------------------


def test_bad_date_is_a_row_error_with_line_and_column() -> None:
    data = (
        b"statement_title,statement_date,organization\nC,2021-11-03,Foo\nC,31/02/2021,Bar\nC,2021-11-03,Baz\n"
    )

    _, items = csv_items(data)

    assert items == [
        row(2, "Foo", statement_title="C", statement_date="2021-11-03"),
        RowError(
            3, "statement_date", "'31/02/2021' is not a date: day is out of range for month", "31/02/2021"
        ),
        row(4, "Baz", statement_title="C", statement_date="2021-11-03"),
    ]


def test_empty_organization_is_a_row_error() -> None:
    _, items = csv_items(b"organization,region\nFoo,Zulia\n  ,Lara\n")

    assert items == [row(2, "Foo", region="Zulia"), RowError(3, "organization", "no organization name", "  ")]


def test_oversize_cell_is_a_row_error_and_reading_goes_on() -> None:
    huge = "x" * (CELL_LIMIT + 1)
    data = f"organization,title\n{huge},T\nFoo,{huge}\nBar,T\n".encode()

    _, items = csv_items(data)

    assert [(item.line, item.column) for item in items if isinstance(item, RowError)] == [
        (2, "organization"),
        (3, "statement_title"),
    ]
    assert items[0].raw == huge[:200]
    assert f"{CELL_LIMIT + 1:,} characters" in items[0].reason
    assert items[2] == row(4, "Bar", statement_title="T")


def test_oversize_cell_in_an_ignored_column_is_harmless() -> None:
    _, items = csv_items(f"organization,notes\nFoo,{'x' * (CELL_LIMIT + 1)}\n".encode())

    assert items == [row(2, "Foo")]


def test_unclosed_quote_swallowing_lines_is_a_row_error() -> None:
    data = b'organization,region\n"Foo,Zulia\n' + b"Bar,Lara\n" * 2000 + b'"Baz",Lara\nQux,Zulia\n'

    _, items = csv_items(data)

    assert [type(item) for item in items] == [RowError, SignatureRow]
    assert items[0].line == 2
    assert items[0].column == "organization"
    assert items[1] == row(2004, "Qux", region="Zulia")


def test_cell_over_the_csv_module_limit_is_a_row_error_and_reading_goes_on() -> None:
    data = b'organization\n"' + b"x" * 200_000 + b"\nFoo\n"

    _, items = csv_items(data)

    assert isinstance(items[0], RowError)
    assert items[0].line == 2
    assert "a quote is probably never closed" in items[0].reason
    assert items[1:] == [row(3, "Foo")]


# --- text mode -------------------------------------------------------------------------------------

SEED_LIKE_TEXT = """\
The Venezuelan social and human rights organizations that sign this statement reject the campaign.

The signatory organizations:

Hold the national authorities responsible for any action against the life of those who are criminalized.

1) A.C. Justicia y Paz OP Venezuela

2) A.C. Médicos Unidos de Venezuela

3) AC Comunidad en Movimiento

10) Aquí Cabemos Todos

107) Universidad Central de Venezuela


109) Uquira

110) Venezuela Sin Barreras Sociales

111) Vicaría de DDHH de la Arquidiócesis de Barquisimeto

112) Wainjirawa-UAIN

Translated by José Rafael Medina
"""


def test_text_numbered_list_keeps_printed_numbers_and_skips_other_lines() -> None:
    parsed, items = text_items(
        SEED_LIKE_TEXT.encode(), statement_title="Reject criminalization", statement_date="2021-11",
        statement_language="en",
    )  # fmt: skip

    statement = {"statement_title": "Reject criminalization", "statement_date": "2021-11",
                 "statement_language": "en"}  # fmt: skip
    assert parsed.shape == "text"
    assert parsed.delimiter is None
    assert items == [
        row(7, "A.C. Justicia y Paz OP Venezuela", raw="1) A.C. Justicia y Paz OP Venezuela", position="1",
            **statement),
        row(9, "A.C. Médicos Unidos de Venezuela", raw="2) A.C. Médicos Unidos de Venezuela", position="2",
            **statement),
        row(11, "AC Comunidad en Movimiento", raw="3) AC Comunidad en Movimiento", position="3", **statement),
        row(13, "Aquí Cabemos Todos", raw="10) Aquí Cabemos Todos", position="10", **statement),
        row(15, "Universidad Central de Venezuela", raw="107) Universidad Central de Venezuela",
            position="107", **statement),
        row(18, "Uquira", raw="109) Uquira", position="109", **statement),
        row(20, "Venezuela Sin Barreras Sociales", raw="110) Venezuela Sin Barreras Sociales", position="110",
            **statement),
        row(22, "Vicaría de DDHH de la Arquidiócesis de Barquisimeto",
            raw="111) Vicaría de DDHH de la Arquidiócesis de Barquisimeto", position="111", **statement),
        row(24, "Wainjirawa-UAIN", raw="112) Wainjirawa-UAIN", position="112", **statement),
    ]  # fmt: skip
    assert [line for line, _ in parsed.skipped_lines] == [1, 3, 5, 26]
    assert parsed.skipped_lines[-1] == (26, "Translated by José Rafael Medina")


def test_text_raw_is_the_line_verbatim() -> None:
    _, items = text_items(b"  1)  Foo \t\r\n2. Bar\r\n")

    assert items == [
        row(1, "Foo", raw="  1)  Foo \t", position="1"),
        row(2, "Bar", raw="2. Bar", position="2"),
    ]


def test_text_unnumbered_list_takes_every_line_but_headings() -> None:
    parsed, items = text_items("Organizaciones firmantes:\n\nFoo\n• Bar\n21 de Marzo\n".encode())

    assert items == [row(3, "Foo"), row(4, "Bar", raw="• Bar"), row(5, "21 de Marzo")]
    assert parsed.skipped_lines == [(1, "Organizaciones firmantes:")]


def test_text_number_without_name_is_a_row_error() -> None:
    _, items = text_items(b"1) Foo\n2)\n3) Bar\n")

    assert items[1] == RowError(2, "organization", "a list number without a name", "2)")


def test_text_in_cp1252_is_detected() -> None:
    parsed, items = text_items("1) Fundación Niñez\n2) Acción Solidaria\n".encode("cp1252"))

    assert parsed.encoding == "cp1252"
    assert names(items) == ["Fundación Niñez", "Acción Solidaria"]


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2021-11-03", datetime.date(2021, 11, 3), "day"),
        ("2021-11", datetime.date(2021, 11, 1), "month"),
        ("2021", datetime.date(2021, 1, 1), "year"),
        ("03/11/2021", datetime.date(2021, 11, 3), "day"),
        ("3/11/2021", datetime.date(2021, 11, 3), "day"),
        ("3-11-2021", datetime.date(2021, 11, 3), "day"),
        ("03.11.2021", datetime.date(2021, 11, 3), "day"),
        ("11/2021", datetime.date(2021, 11, 1), "month"),
        ("2021-11-3", datetime.date(2021, 11, 3), "day"),
        ("2021-11-03 00:00:00", datetime.date(2021, 11, 3), "day"),
        ("03/11/2021 10:30", datetime.date(2021, 11, 3), "day"),
        (" 2021-11 ", datetime.date(2021, 11, 1), "month"),
    ],
)
def test_parse_date_accepted_forms(text: str, value: datetime.date, precision: str) -> None:
    assert parse_date(text) == ParsedDate(value, precision)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_parse_date_empty_is_none(text: str | None) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2021", "'31/02/2021' is not a date: day is out of range for month"),
        ("2021-13", "'2021-13' is not a date: month must be in 1..12"),
        (
            "11/25/2021",
            "'11/25/2021' is not a date: month must be in 1..12 (dates are read day first: DD/MM/YYYY)",
        ),
        ("03/11/21", "'03/11/21' is not a date: write the year with four digits"),
        ("03/11-2021", "'03/11-2021' is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY"),
        (
            "noviembre 2021",
            "'noviembre 2021' is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY",
        ),
        ("44503", "'44503' is not a date; write it as YYYY-MM-DD, DD/MM/YYYY, MM/YYYY or YYYY"),
    ],
)
def test_parse_date_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)

    assert str(caught.value) == reason


# --- streams ---------------------------------------------------------------------------------------


class ReadOnlyStream:
    """An upload body: read() in small pieces, no seek, no peek."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 1000) if size > 0 else 1000)


def test_reads_a_stream_that_cannot_seek_and_leaves_it_open() -> None:
    data = ("organization,position\n" + "".join(f"Org {index},{index}\n" for index in range(20_000))).encode()
    stream = ReadOnlyStream(data)

    items = list(read_csv(stream))  # type: ignore[arg-type]

    assert len(items) == 20_000
    assert items[-1] == row(20_001, "Org 19999", position="19999")
    assert not stream.closed


def test_rows_are_frozen_signature_rows() -> None:
    _, items = csv_items(b"organization\nFoo\n")

    assert type(items[0]) is SignatureRow
    with pytest.raises(dataclasses.FrozenInstanceError):
        items[0].organization = "Bar"  # type: ignore[misc]
    assert hash(items[0]) == hash(row(2, "Foo"))
