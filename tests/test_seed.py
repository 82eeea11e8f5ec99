"""The shipped seed: every printed line verbatim, exact-key deduplication, idempotent loading."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Organization, PrintedName, SignatureLine, Statement
from app.services import seed
from tests.importing import organization_printed_as

JOINT = "2021-11-joint-statement-icc-criminalization"


def _lines(session: Session, slug: str) -> list[tuple[str, str, bool, int]]:
    rows = session.execute(
        select(SignatureLine.position, SignatureLine.raw_text, SignatureLine.is_repeat, SignatureLine.organization_id)
        .join(Statement)
        .where(Statement.slug == slug)
        .order_by(SignatureLine.sort_order)
    )
    return [tuple(row) for row in rows]


def test_joint_statement_keeps_all_111_printed_lines_and_their_numbers(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        lines = _lines(session, JOINT)
    positions = [position for position, *_ in lines]
    assert len(lines) == 111
    assert positions == [str(n) for n in range(1, 113) if n != 108]


def test_typos_are_kept_verbatim(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        raw = {position: text for position, text, *_ in _lines(session, JOINT)}
    assert raw["54"] == "Fedecámaras Mona gas"
    assert raw["34"] == "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira"
    assert raw["45"] == "Equipo de Defensa se Derechos Humanos del estado Táchira (EDDET)"


def test_aqui_cabemos_todos_is_one_organization_with_the_second_line_a_repeat(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        by_position = {position: (repeat, org) for position, _, repeat, org in _lines(session, JOINT)}
        distinct = len({org for *_, org in _lines(session, JOINT)})
        repeats = [position for position, (repeat, _) in by_position.items() if repeat]
    assert by_position["10"][1] == by_position["13"][1]
    assert repeats == ["13"]
    assert distinct == 110


def test_near_misses_stay_separate_organizations(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        org_of = {position: org for position, _, _, org in _lines(session, JOINT)}
    assert org_of["34"] != org_of["35"]  # Táchira and Mérida chapters
    assert org_of["27"] != org_of["107"]  # UCV's Centro para la Paz and UCV
    assert org_of["46"] != org_of["47"]  # Escuela de Formación Obrera (Priscila López)
    assert org_of["40"] != org_of["102"]  # Consejo Comunal TEBRIPAR / Tebripar: a suggestion, not a merge


def test_seed_loads_the_four_statements_with_their_dates(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        rows = session.execute(select(Statement.slug, Statement.published_on, Statement.date_precision, Statement.translator))
        found = {slug: (str(day), precision, translator) for slug, day, precision, translator in rows}
    assert found == {
        JOINT: ("2021-11-01", "month", "José Rafael Medina"),
        "2021-11-mou-icc-otp-venezuela": ("2021-11-01", "month", None),
        "2023-06-second-mou-icc-otp-venezuela": ("2023-06-01", "month", None),
        "2024-amnesty-open-letter-icc-prosecutor": ("2024-01-01", "year", None),
    }


def test_both_memoranda_resolve_to_the_same_two_parties(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        first = {org for *_, org in _lines(session, "2021-11-mou-icc-otp-venezuela")}
        second = {org for *_, org in _lines(session, "2023-06-second-mou-icc-otp-venezuela")}
    assert first == second and len(first) == 2


def test_loading_the_seed_twice_adds_nothing(seeded: sessionmaker[Session]) -> None:
    def counts(session: Session) -> tuple[int, int, int, int]:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Statement, SignatureLine, PrintedName, Organization))

    with seeded() as session:
        before = counts(session)
    with seeded() as session, session.begin():
        reports = seed.load(session)
    with seeded() as session:
        after = counts(session)
    assert after == before
    assert all(not r.created and r.lines_added == 0 for r in reports)
    assert before == (4, 116, 113, 113)


def test_new_organizations_get_a_clean_name_an_acronym_and_a_sector_while_the_printed_text_stays(
    seeded: sessionmaker[Session],
) -> None:
    with seeded() as session:
        fedecamaras = _organization_printed_as(session, "Fedecámaras Mona gas")
        cepaz = _organization_printed_as(session, "Centro de Justicia y Paz (Cepaz)")
        vicaria = _organization_printed_as(session, "Vicaría de DDHH de la Arquidiócesis de Barquisimeto")
    assert (fedecamaras.name, fedecamaras.sector, fedecamaras.sector_source) == ("Fedecámaras Monagas", "business", "inferred")
    assert (cepaz.acronym, cepaz.sector) == ("Cepaz", "ngo")
    assert (vicaria.sector, vicaria.region_code) == ("religious", "VE-K")


def _organization_printed_as(session: Session, text: str) -> Organization:
    return session.get_one(Organization, organization_printed_as(session, text))
