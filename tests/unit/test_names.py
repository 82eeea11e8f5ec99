"""Match keys on the seed's real names, their variants, and the near-misses that must stay apart."""

import pytest

from app.identity.names import match_key, search_text, slugify

SAME = [
    # (printed, variant): the same organization printed differently
    ("Aquí Cabemos Todos", "Aquí Cabemos Todos"),
    ("Aquí Cabemos Todos", "AQUI CABEMOS TODOS"),
    ("Aquí Cabemos Todos", "Aqui  Cabemos   Todos."),
    ("A.C. Justicia y Paz OP Venezuela", "Justicia y Paz OP Venezuela"),
    ("AC Comunidad en Movimiento", "Comunidad en Movimiento A.C."),
    ("AMBAR Asociacion Civil", "AMBAR"),
    ("Asociación Civil Gente del Petróleo", "Gente del Petroleo, A.C."),
    ("Grupo La Colina A C.", "Grupo La Colina"),
    ("Natural Bio Conservation AC", "Natural Bio Conservation"),
    (
        "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira",
        "Comisión Nacional de Derechos Humanos de la Federación de Colegios de Abogados de Venezuela, Estado Tachira",
    ),
    ("Comité de DDHH de la Carucieña – Barquisimeto", "Comite de DD.HH. de la Carucieña - Barquisimeto"),
    ("Colegio de Profesionales de Enfermería del Edo Vargas", "Colegio de Profesionales de Enfermeria del Estado Vargas"),
    ("Fund. Aguaclara", "Fundación Aguaclara"),
    ("Asoc. Venezolana para la Hemofilia", "Asociación venezolana para la Hemofilia"),
    ("Univ. Central de Venezuela", "Universidad Central de Venezuela"),
    ("Clima21 – Ambiente y Derechos Humanos", "Clima21 - Ambiente y Derechos Humanos"),
    ("Fundación Pro-Defensa del Derecho a la Educación y la Niñez Funda-Pden", "Fundacion Pro Defensa del Derecho a la Educacion y la Ninez Funda Pden"),
]

DIFFERENT = [
    # (a, b): different organizations, however alike
    (
        "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira",
        "Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela-Mérida",
    ),
    ("Universidad Central de Venezuela", "Centro para la Paz y los Derechos Humanos de la Universidad Central de Venezuela"),
    ("Escuela de Formación Obrera", "Escuela de Formación Obrera Priscila López"),
    ("Tebripar", "Consejo Comunal TEBRIPAR"),
    ("Consejo Comunal 12", "Consejo Comunal 13"),
    ("Alianza de Familiares y Victimas del 2017 (Alfavic-2017)", "Alianza de Familiares y Victimas del 2018 (Alfavic-2018)"),
    ("Provea", "Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)"),
    ("Amnistía Internacional", "Amnesty International"),
    ("Observatorio Venezolano de Conflictividad Social (OVCS)", "Observatorio Venezolano de Libertad Sindical"),
    ("Fundación Aguaclara", "Aguaclara"),  # "Fundación" is part of a name, not a legal form
    ("Sociedad Civil Activa Mérida", "Activa Mérida"),
    ("Fund for Peace", "Fundación for Peace"),  # English "Fund" is not an abbreviation
    ("Escuela de Formación Obrera", "Escuela de Formación Obrera A"),
]


@pytest.mark.parametrize(("printed", "variant"), SAME)
def test_variants_of_one_organization_share_a_key(printed: str, variant: str) -> None:
    assert match_key(printed) == match_key(variant)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_organizations_keep_different_keys(a: str, b: str) -> None:
    assert match_key(a) != match_key(b)


def test_glued_and_spaced_words_fold_alike() -> None:
    assert match_key("Federación deColegios") == match_key("Federacion de Colegios")


def test_a_name_that_is_only_a_legal_form_keeps_a_key() -> None:
    assert match_key("A.C.") != ""


def test_search_text_folds_case_accents_and_punctuation() -> None:
    assert search_text("  Aquí Cabemos—Todos (ACT) ") == "aqui cabemos todos act"


def test_slugify_makes_ascii_slugs() -> None:
    assert slugify("Centro de Justicia y Paz (Cepaz)") == "centro-de-justicia-y-paz-cepaz"
    assert slugify("¡¿!") == "sin-nombre"
