"""Display-clean names and acronyms: the seed's real printed names and the accidents they carry."""

import csv
from pathlib import Path

import pytest

from app.identity.names import clean, extract_acronym, fold, match_key, words
from app.identity.text import fold as text_fold

SEED = Path(__file__).resolve().parents[2] / "seed" / "2021-11-joint-statement-icc-criminalization.csv"


def seed_names() -> list[str]:
    with open(SEED, encoding="utf-8", newline="") as file:
        return [row["organization"] for row in csv.DictReader(file)]


@pytest.mark.parametrize(
    ("printed", "cleaned"),
    [
        # whitespace and Unicode forms
        ("  Aquí   Cabemos\tTodos ", "Aquí Cabemos Todos"),
        ("Aqui\u0301 Cabemos Todos", "Aquí Cabemos Todos"),  # decomposed accent -> NFC
        ("Foro\u00a0Penal", "Foro Penal"),
        # quotes and dashes
        ("“Un Mundo Sin Mordaza”", '"Un Mundo Sin Mordaza"'),
        ("«Aquí Cabemos Todos»", '"Aquí Cabemos Todos"'),
        ("Defensores ‘del Pueblo’", "Defensores 'del Pueblo'"),
        ("Clima21 – Ambiente y Derechos Humanos", "Clima21 - Ambiente y Derechos Humanos"),
        ("Comité de DDHH de la Carucieña – Barquisimeto", "Comité de DDHH de la Carucieña - Barquisimeto"),
        ("Venezuela—Mérida", "Venezuela-Mérida"),
        ("Venezuela -Mérida", "Venezuela - Mérida"),
        ("Educación‐Acción", "Educación-Acción"),
        # glued function words split; glued brand names kept
        (
            "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira",
            "Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela estado Táchira",
        ),
        ("Frente en Defensa delNorte de Caracas", "Frente en Defensa del Norte de Caracas"),
        ("Una Ventana a laLibertad", "Una Ventana a la Libertad"),
        ("FundaRedes", "FundaRedes"),
        ("DefensActiva", "DefensActiva"),
        ("InnovaVenezuela", "InnovaVenezuela"),
        ("Organización StopVIH", "Organización StopVIH"),
        ("FundehullanVzla", "FundehullanVzla"),
        ("Delta Amacuro", "Delta Amacuro"),  # "Del" + "ta": no capital follows
        ("LaGuaira Activa", "LaGuaira Activa"),  # a capitalized "La" is not split
        # OCR-split places rejoined
        ("Fedecámaras Mona gas", "Fedecámaras Monagas"),
        ("FEDECÁMARAS MONA GAS", "FEDECÁMARAS MONAGAS"),
        ("ONG Barqui simeto Activa", "ONG Barquisimeto Activa"),
        ("Ciclovías Maracai bo", "Ciclovías Maracaibo"),
        ("Red (Mona gas)", "Red (Monagas)"),
        # ...but never two words that stand on their own
        ("Mona Lisa Gas", "Mona Lisa Gas"),
        ("Mona Gas", "Mona Gas"),  # two capitalized words are two words
        ("Red de Salud Mérida", "Red de Salud Mérida"),
        ("Lara Carora", "Lara Carora"),
    ],
)
def test_clean(printed: str, cleaned: str) -> None:
    assert clean(printed) == cleaned


@pytest.mark.parametrize("printed", seed_names())
def test_clean_is_idempotent_and_keeps_the_match_key(printed: str) -> None:
    cleaned = clean(printed)
    assert clean(cleaned) == cleaned
    assert match_key(cleaned) == match_key(printed)


def test_clean_changes_only_the_seed_names_with_accidents() -> None:
    changed = {name: clean(name) for name in seed_names() if clean(name) != name}
    assert changed == {
        "Clima21 – Ambiente y Derechos Humanos": "Clima21 - Ambiente y Derechos Humanos",
        "Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira": (
            "Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela estado Táchira"
        ),
        "Comité de DDHH de la Carucieña – Barquisimeto": "Comité de DDHH de la Carucieña - Barquisimeto",
        "Fedecámaras Mona gas": "Fedecámaras Monagas",
    }


@pytest.mark.parametrize(
    ("printed", "acronym"),
    [
        ("Centro de Justicia y Paz (Cepaz)", "Cepaz"),
        ("Red de Organizaciones de Derechos Humanos del Estado Anzoátegui REDHANZ", "REDHANZ"),
        ("Alianza de Familiares y Victimas del 2017 (Alfavic-2017)", "Alfavic-2017"),
        ("Movimiento Por la Democracia (MPD)", "MPD"),
        ("Equipo de Defensa se Derechos Humanos del estado Táchira (EDDET)", "EDDET"),
        ("Panamerican and Caribbean Union for Humans Rights (Pacuhr)", "Pacuhr"),
        ("Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)", "Provea"),
        ("Comisión para los Derechos Humanos del Estado Zulia (Codhez)", "Codhez"),
        ("Observatorio Venezolano de Conflictividad Social (OVCS)", "OVCS"),
        ("Centro para los Defensores y la Justicia (CDJ)", "CDJ"),
        ("Fundación Centro para la Reflexión y la Acción Social (CERLAS)", "CERLAS"),
        ("Red de Activistas Ciudadanos por los Derechos Humanos (Redac)", "Redac"),
        ("Sociedad Hominis Iura (SOHI)", "SOHI"),
        ("Fundación para el Debido Proceso Fundepro", "Fundepro"),
        ("Fundación Pro-Defensa del Derecho a la Educación y la Niñez Funda-Pden", "Funda-Pden"),
        # after a legal form, or before the name with a separator
        ("Centro de Justicia y Paz (Cepaz) A.C.", "Cepaz"),
        ("CEPAZ - Centro de Justicia y Paz", "CEPAZ"),
        ("Cepaz: Centro de Justicia y Paz", "Cepaz"),
        ("Red de Defensores del Estado Lara - REDEL", "REDEL"),
        ("Amnesty International (AI)", "AI"),  # two capitals in parentheses
    ],
)
def test_extract_acronym(printed: str, acronym: str) -> None:
    assert extract_acronym(printed) == acronym


@pytest.mark.parametrize(
    "printed",
    [
        "Acceso a la Justicia",
        "AMBAR Asociacion Civil",  # the all-caps word is the name itself
        "Colegio de Médicos Monagas",  # a place is no acronym
        "Mayday CONFAVIDT",  # spells nothing before it: the name's own word
        "A.C. Médicos Unidos de Venezuela",  # a legal form is never an acronym
        "Natural Bio Conservation AC",
        "ONG Democracia Emprendedora",
        "SOS Pacientes Renales",
        "Movimiento Juvenil UNE Monagas",  # inside the name, not after it
        "Mujer y Ciudadanía/CL",  # two letters outside parentheses
        "Comisión de DDHH del Estado Monagas de la FCAV",  # the parent's acronym
        "EXCUBITUS Derechos Humanos en Educación",
        "PROMEDEHUM, Mérida",
        "ODEVIDA-Venezuela",
        "Fundación FUNPEGUAM",
        "Escuela de Formación Obrera Priscila López",
        "Red X (Capítulo Zulia)",  # a parenthesized phrase
        "Fundación Amigos (Caracas)",  # a parenthesized place
        "Observatorio de DDHH",  # an abbreviation, not an acronym
        "Centro de Derechos Humanos de la UCAB",  # the university's acronym spells nothing here
        "Provea",
    ],
)
def test_no_acronym(printed: str) -> None:
    assert extract_acronym(printed) is None


def test_no_seed_name_gives_an_acronym_that_is_a_legal_form_or_a_place() -> None:
    found = {name: extract_acronym(name) for name in seed_names() if extract_acronym(name)}
    assert len(found) == 15
    assert all(fold(acronym) not in {"ac", "a.c.", "monagas", "merida", "venezuela"} for acronym in found.values())


@pytest.mark.parametrize(
    ("printed", "folded"),
    [
        ("FundaRedes", ["fundaredes"]),
        ("Comisión de DDHH del Edo. Zulia", ["comision", "de", "derechos", "humanos", "del", "estado", "zulia"]),
        ("Fedecámaras Mona gas", ["fedecamaras", "monagas"]),
        ("Federación deColegios", ["federacion", "de", "colegios"]),
    ],
)
def test_words_fold_the_clean_name(printed: str, folded: list[str]) -> None:
    assert words(printed) == folded


def test_fold_lives_in_app_text_and_names_reexports_it() -> None:
    assert fold is text_fold
    assert fold("Aquí Cabemos TODOS") == "aqui cabemos todos"
    assert fold("Straße") == "strasse"
