"""Sector inference: the seed's signatories, and the near misses each rule must leave alone."""

import pytest

from app.identity.sectors import SECTORS, SectorMatch, infer_sector

CASES = [
    # academic: universities, their chairs, faculties and centres
    ("Universidad Central de Venezuela", "academic"),
    ("Centro para la Paz y los Derechos Humanos de la Universidad Central de Venezuela", "academic"),
    ("Cátedra de Derechos Humanos de la Universidad Centroccidental Lisandro Alvarado", "academic"),
    ("Univ. Central de Venezuela", "academic"),
    ("Facultad de Ciencias Jurídicas y Políticas de la UCV", "academic"),
    ("Asociación de Profesores Jubilados de la Upel MARACAY", "academic"),
    ("UDO Núcleo Sucre", "academic"),
    ("Federación de Centros Universitarios de la UCAB", "academic"),
    # professional bodies: colleges of a profession, not schools
    ("Colegio de Médicos Monagas", "professional_body"),
    ("Colegio de Profesionales de Enfermería del Edo Vargas", "professional_body"),
    ("COLEGIO DE ABOGADOS DEL ESTADO LARA", "professional_body"),
    ("Colegio Nacional de Periodistas", "professional_body"),
    ("Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira", "professional_body"),
    ("Federación Médica Venezolana", "professional_body"),
    ("Colegio San José", "ngo"),
    ("Colegio Universitario de Caracas", "academic"),
    # unions
    ("Sindicato de Trabajadores de la Universidad Central de Venezuela", "union"),
    ("Federación Unitaria de Trabajadores de la Educación", "union"),
    ("Central de Trabajadores ASI", "union"),
    ("Fetrasalud", "union"),
    ("Observatorio Venezolano de Libertad Sindical", "ngo"),
    # religious bodies
    ("Vicaría de DDHH de la Arquidiócesis de Barquisimeto", "religious"),
    ("Cáritas de Venezuela", "religious"),
    ("Diócesis de San Cristóbal", "religious"),
    ("Iglesia Evangélica Pentecostal", "religious"),
    ("Parroquia San José de Caracas", "religious"),
    ("Parroquia Sucre Solidaria", "ngo"),  # a civil parish
    ("La Choza del Espíritu Santo", "ngo"),
    # business
    ("Fedecámaras Mona gas", "business"),
    ("Cámara de Comercio de Maracaibo", "business"),
    ("Cámara Venezolana de la Construcción", "business"),
    ("Conindustria", "business"),
    # government: only at the head of the name
    ("Government of Venezuela", "government"),
    ("Gobierno Bolivariano de Venezuela", "government"),
    ("Alcaldía de Chacao", "government"),
    ("Gobernación del Estado Miranda", "government"),
    ("Ministerio del Poder Popular para la Salud", "government"),
    ("Observatorio de Gobierno Abierto", "ngo"),
    ("Gobiérnatec", "ngo"),
    # intergovernmental bodies, and their organs
    ("Office of the Prosecutor of the International Criminal Court", "intergovernmental"),
    ("International Criminal Court", "intergovernmental"),
    ("Corte Penal Internacional", "intergovernmental"),
    ("Oficina del Alto Comisionado de las Naciones Unidas para los Derechos Humanos", "intergovernmental"),
    ("United Nations", "intergovernmental"),
    ("Coalition for the International Criminal Court", "ngo"),
    ("Asociación Venezolana pro Naciones Unidas", "ngo"),
    # media: only at the head of the name, and few outlets by name
    ("Radio Fe y Alegría", "media"),
    ("Diario de los Andes", "media"),
    ("El Pitazo", "media"),
    ("Red de Radios Comunitarias", "ngo"),
    ("Instituto Prensa y Sociedad", "ngo"),
    # NGOs of the seed
    ("Acceso a la Justicia", "ngo"),
    ("Amnesty International", "ngo"),
    ("Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)", "ngo"),
    ("Escuela de Formación Obrera", "ngo"),
    ("Transparencia Venezuela", "ngo"),
]


@pytest.mark.parametrize(("name", "sector"), CASES)
def test_infer_sector(name: str, sector: str) -> None:
    assert infer_sector(name).sector == sector


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Colegio de Médicos Monagas", SectorMatch("professional_body", ("Colegio", "de", "Médicos"))),
        ("Fedecámaras Mona gas", SectorMatch("business", ("Fedecámaras",))),
        ("Office of the Prosecutor of the International Criminal Court",
         SectorMatch("intergovernmental", ("International", "Criminal", "Court"))),
        ("Foro Penal", SectorMatch("ngo", ())),
    ],
)
def test_evidence_is_the_printed_words(name: str, expected: SectorMatch) -> None:
    assert infer_sector(name) == expected


def test_the_earliest_sector_word_wins() -> None:
    # a union of university workers is a union; a university's chair is academic
    assert infer_sector("Sindicato de Trabajadores de la Universidad del Zulia").sector == "union"
    assert infer_sector("Cátedra Libre de Derechos Humanos de la Universidad del Zulia").sector == "academic"


def test_every_inferred_sector_is_a_known_code() -> None:
    assert {infer_sector(name).sector for name, _ in CASES} <= set(SECTORS)
