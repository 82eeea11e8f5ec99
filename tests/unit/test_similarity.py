"""Duplicate suggestions over a registry like the real one: the seed's signatories plus variants."""

import csv
from pathlib import Path

import pytest

from app.identity.regions import infer_region
from app.identity.similarity import OrgRecord, Suggestion, candidate_pairs, suggest

SEED = Path(__file__).resolve().parents[2] / "seed" / "2021-11-joint-statement-icc-criminalization.csv"
SEED_STATEMENT = 1

# (a, b): names of one organization that no match key joins; each must be suggested
MUST_SUGGEST = [
    ("Tebripar", "Consejo Comunal TEBRIPAR"),
    ("Escuela de Formación Obrera", "Escuela de Formación Obrera Priscila López"),
    ("Amnistía Internacional", "Amnesty International"),
    ("Provea", "Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)"),
    ("Acceso a la Justicia", "Acseso a la Justisia"),
    ("Acceso a la Justicia", "Aceso a la Justicia"),
    ("Cepaz", "Centro de Justicia y Paz (Cepaz)"),
    ("OVCS", "Observatorio Venezolano de Conflictividad Social"),
    ("Alfavic-2017", "Alianza de Familiares y Victimas del 2017 (Alfavic-2017)"),
    ("Fundación Aguaclara", "Aguaclara"),
    ("Transparencia Venezuela", "Transparency Venezuela"),
    ("Transparencia Venezuela", "Transparecnia Venezuela"),
    ("Centro de Justicia y Paz", "Centro de Justicia y Paz (Cepaz)"),
    ("Laboratorio de Desarrollo Humano", "Laboratorio de Desarollo Humano"),
    ("Red de Organizaciones Vecinales de Baruta", "Red de Organizaciones Vecinles de Baruta"),
    ("Foro Penal", "Foro Penal Venezolano"),
]

# (a, b): different organizations that must never be suggested
NEVER = [
    (
        "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira",
        "Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela-Mérida",
    ),
    ("Universidad Central de Venezuela", "Centro para la Paz y los Derechos Humanos de la Universidad Central de Venezuela"),
    ("International Criminal Court", "Office of the Prosecutor of the International Criminal Court"),
    (
        "Centro para la Paz y los Derechos Humanos de la Universidad Central de Venezuela",
        "Escuela de Derecho de la Universidad Central de Venezuela",
    ),
    ("Consejo Comunal 12", "Consejo Comunal 13"),
    ("Alianza de Familiares y Victimas del 2017 (Alfavic-2017)", "Alianza de Familiares y Victimas del 2018 (Alfavic-2018)"),
    ("Alfavic-2017", "Alfavic-2018"),
    ("Observatorio Venezolano de Conflictividad Social (OVCS)", "Observatorio Venezolano de Libertad Sindical"),
    ("Laboratorio de Paz", "Laboratorio de Desarrollo Humano"),
    ("Asociación Civil Gente del Petróleo", "Gente del Deporte"),
    ("Colegio de Médicos Monagas", "Colegio de Médicos del Estado Anzoátegui"),
    ("Colectivo Pasos de Paz", "Colectivo Pasos de Vida"),
    ("Fundación Redes de Vida", "Asociación Civil Redes de Vida"),
    ("Jamore Foundation", "Jamire Foundation"),
    ("Fundación Kukupa", "Fundación Kukuya"),
    ("Red de Organizaciones Vecinales de Baruta", "Red de Organizaciones Vecinales de Chacao"),
    ("Acceso a la Justicia", "Acceso a la Información"),
    ("MPD", "Movimiento Popular Democrático de Lara"),
]


def seed_names() -> list[str]:
    with open(SEED, encoding="utf-8", newline="") as file:
        return [row["organization"] for row in csv.DictReader(file)]


def registry(names: list[str]) -> list[OrgRecord]:
    """One record per distinct name, its region inferred; seed names on the seed statement."""
    seed = set(seed_names())
    records = []
    for record_id, name in enumerate(dict.fromkeys(names), start=1):
        region = infer_region(name)
        statements = frozenset({SEED_STATEMENT if name in seed else 100 + record_id})
        records.append(OrgRecord(record_id, (name,), None, region.code if region else None, statements))
    return records


POOL = registry(seed_names() + [name for pair in MUST_SUGGEST + NEVER for name in pair])
ID_OF = {record.names[0]: record.id for record in POOL}


@pytest.fixture(scope="module")
def suggestions() -> dict[tuple[int, int], Suggestion]:
    return {(s.a, s.b): s for s in suggest(POOL)}


def pair_ids(a: str, b: str) -> tuple[int, int]:
    first, second = ID_OF[a], ID_OF[b]
    return min(first, second), max(first, second)


@pytest.mark.parametrize(("a", "b"), MUST_SUGGEST)
def test_variants_are_suggested(suggestions, a: str, b: str) -> None:
    assert pair_ids(a, b) in suggestions


@pytest.mark.parametrize(("a", "b"), NEVER)
def test_different_organizations_are_never_suggested(suggestions, a: str, b: str) -> None:
    assert pair_ids(a, b) not in suggestions


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Tebripar", "Consejo Comunal TEBRIPAR", "'tebripar' is printed inside the other name"),
        (
            "Provea",
            "Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)",
            "acronym 'provea' is printed inside the other name",
        ),
        ("Amnistía Internacional", "Amnesty International", "same name in another language"),
        ("Acceso a la Justicia", "Acseso a la Justisia", "'acceso' and 'acseso' are spelt alike: a typo?"),
        ("Escuela de Formación Obrera", "Escuela de Formación Obrera Priscila López", "share the distinctive words"),
        ("OVCS", "Observatorio Venezolano de Conflictividad Social", "acronym 'ovcs' matches the initials"),
    ],
)
def test_reasons_say_why(suggestions, a: str, b: str, reason: str) -> None:
    assert any(given.startswith(reason) for given in suggestions[pair_ids(a, b)].reasons)


def test_names_on_one_statement_are_raised_with_a_lower_score_and_a_reason(suggestions) -> None:
    one_statement = suggestions[pair_ids("Escuela de Formación Obrera", "Escuela de Formación Obrera Priscila López")]
    assert one_statement.reasons[-1] == (
        "both printed on the same statement, as different lines: evidence they are different"
    )
    apart = suggest(
        [
            OrgRecord(1, ("Escuela de Formación Obrera",), None, None, frozenset({1})),
            OrgRecord(2, ("Escuela de Formación Obrera Priscila López",), None, None, frozenset({2})),
        ]
    )
    together = suggest(
        [
            OrgRecord(1, ("Escuela de Formación Obrera",), None, None, frozenset({1})),
            OrgRecord(2, ("Escuela de Formación Obrera Priscila López",), None, None, frozenset({1, 2})),
        ]
    )
    assert apart[0].score > together[0].score
    assert together[0].reasons[:-1] == apart[0].reasons


def test_suggestions_come_best_first_with_the_smaller_id_first(suggestions) -> None:
    ordered = suggest(POOL)
    assert [s.score for s in ordered] == sorted((s.score for s in ordered), reverse=True)
    assert all(s.a < s.b and 0 <= s.score <= 1 and s.reasons for s in ordered)


def test_involving_keeps_only_pairs_that_touch_those_ids(suggestions) -> None:
    provea = ID_OF["Provea"]
    involved = suggest(POOL, involving=[provea])
    assert involved == [s for s in suggest(POOL) if provea in (s.a, s.b)]
    assert involved


def test_decided_pairs_are_never_suggested_again(suggestions) -> None:
    decided = pair_ids("Tebripar", "Consejo Comunal TEBRIPAR")
    again = suggest(POOL, decided=lambda a, b: (a, b) == decided)
    assert decided not in {(s.a, s.b) for s in again}
    assert len(again) == len(suggestions) - 1


def test_known_regions_that_differ_veto_the_pair() -> None:
    records = [
        OrgRecord(1, ("Fundación Aguaclara",), None, "VE-V", frozenset()),
        OrgRecord(2, ("Aguaclara",), None, "VE-A", frozenset()),
        OrgRecord(3, ("Fundación Aguaclara A.C.",), None, None, frozenset()),
    ]
    assert {(s.a, s.b) for s in suggest(records)} == {(1, 3), (2, 3)}


def test_all_names_of_a_record_count_and_the_acronym_field_too() -> None:
    records = [
        OrgRecord(1, ("Programa Venezolano de Educación-Acción en Derechos Humanos",), "Provea", None, frozenset()),
        OrgRecord(2, ("Provea",), None, None, frozenset()),
        OrgRecord(3, ("Observatorio Electoral", "Observatorio Venezolano de Prisiones"), None, None, frozenset()),
        OrgRecord(4, ("Observatorio Venezolano de Prisions",), None, None, frozenset()),
    ]
    assert {(s.a, s.b) for s in suggest(records)} == {(1, 2), (3, 4)}


def test_threshold_filters_by_score() -> None:
    everything = suggest(POOL, threshold=0.0)
    strict = suggest(POOL, threshold=0.95)
    assert len(strict) < len(suggest(POOL)) <= len(everything)
    assert all(s.score >= 0.95 or s.reasons[-1].startswith("both printed") for s in strict)


def test_blocking_compares_a_small_share_of_all_pairs() -> None:
    pairs = candidate_pairs(POOL)
    assert 0 < len(pairs) < len(POOL) * (len(POOL) - 1) // 2 // 20
    assert pair_ids("Tebripar", "Consejo Comunal TEBRIPAR") in pairs


def test_nothing_to_compare() -> None:
    assert suggest([]) == []
    assert suggest([OrgRecord(1, ("Foro Penal",), None, None, frozenset())]) == []
    assert suggest([OrgRecord(1, (), None, None, frozenset()), OrgRecord(2, (), None, None, frozenset())]) == []


def test_regions_the_names_state_veto_even_without_region_codes() -> None:
    records = [
        OrgRecord(1, ("Colegio de Odontólogos Tachirenses de Mérida",), None, None, frozenset()),
        OrgRecord(2, ("Colegio de Odontólogos Tachirenses de Maracaibo",), None, None, frozenset()),
        OrgRecord(3, ("Colegio de Odontólogos Tachirenses",), None, None, frozenset()),
    ]
    assert {(s.a, s.b) for s in suggest(records, threshold=0.0)} == {(1, 3), (2, 3)}


@pytest.mark.parametrize(
    ("plain", "other", "reason"),
    [
        ("Fundación Moche", "Fundación Moche 2023", "only one name carries a number (2023)"),
        ("Foro Penal", "Foro Penal Zulia", "only one name states a region (VE-V): maybe a chapter"),
    ],
)
def test_evidence_of_two_organizations_lowers_the_score(plain: str, other: str, reason: str) -> None:
    records = [
        OrgRecord(1, (plain,), None, None, frozenset()),
        OrgRecord(2, (f"{plain} A.C.", plain.upper()), None, None, frozenset()),
        OrgRecord(3, (other,), None, None, frozenset()),
    ]
    scores = {(s.a, s.b): s for s in suggest(records, threshold=0.0)}
    assert reason in scores[(1, 3)].reasons
    assert scores[(1, 3)].score < scores[(1, 2)].score


def test_different_kinds_of_body_are_never_suggested() -> None:
    records = [
        OrgRecord(1, ("Fundación Tebripar",), None, None, frozenset()),
        OrgRecord(2, ("Asociación Civil Tebripar",), None, None, frozenset()),
        OrgRecord(3, ("Tebripar Network for Health",), None, None, frozenset()),
        OrgRecord(4, ("Tebripar",), None, None, frozenset()),
    ]
    assert {(s.a, s.b) for s in suggest(records, threshold=0.0)} == {(1, 4), (2, 4), (3, 4)}


def test_a_word_split_apart_and_misspelt_is_still_one_word() -> None:
    records = [
        OrgRecord(1, ("Consejo Comunal Tebripar Guanare Norte",), None, None, frozenset()),
        OrgRecord(2, ("Consejo Comunal Tebri pra Guanare Norte",), None, None, frozenset()),
    ]
    assert [s.reasons[-1] for s in suggest(records)] == ["'tebripar' and 'tebri pra' are one word split apart"]
