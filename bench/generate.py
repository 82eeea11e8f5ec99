"""Generate a realistic long-format signatures CSV (the import contract) for benchmarks.

Deterministic for a given --seed, written as a stream; --truth maps every printed name to its organization.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
import time
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

HEADER = ("statement_title", "statement_date", "statement_url", "organization", "position", "region", "acronym")
TRUTH_HEADER = ("printed_name", "organization_id", "variant_kind")
CsvWriter = Any  # what csv.writer returns has no public type

# ISO 3166-2:VE subdivision codes; the weight says how many organizations are based there.
STATES: dict[str, tuple[str, int]] = {
    "Distrito Capital": ("VE-A", 14), "Anzoátegui": ("VE-B", 4), "Apure": ("VE-C", 2),
    "Aragua": ("VE-D", 5), "Barinas": ("VE-E", 2), "Bolívar": ("VE-F", 4), "Carabobo": ("VE-G", 6),
    "Cojedes": ("VE-H", 1), "Falcón": ("VE-I", 3), "Guárico": ("VE-J", 2), "Lara": ("VE-K", 6),
    "Mérida": ("VE-L", 5), "Miranda": ("VE-M", 8), "Monagas": ("VE-N", 3), "Nueva Esparta": ("VE-O", 2),
    "Portuguesa": ("VE-P", 2), "Sucre": ("VE-R", 3), "Táchira": ("VE-S", 5), "Trujillo": ("VE-T", 2),
    "Yaracuy": ("VE-U", 2), "Zulia": ("VE-V", 9), "La Guaira": ("VE-X", 2), "Delta Amacuro": ("VE-Y", 1),
    "Amazonas": ("VE-Z", 2),
}
CITIES: dict[str, str] = {
    "Caracas": "Distrito Capital", "Petare": "Miranda", "Los Teques": "Miranda", "Guarenas": "Miranda",
    "Maracaibo": "Zulia", "Cabimas": "Zulia", "Ciudad Ojeda": "Zulia", "Barquisimeto": "Lara",
    "Carora": "Lara", "Valencia": "Carabobo", "Puerto Cabello": "Carabobo", "Maracay": "Aragua",
    "Mérida": "Mérida", "El Vigía": "Mérida", "San Cristóbal": "Táchira", "Rubio": "Táchira",
    "Maturín": "Monagas", "Ciudad Bolívar": "Bolívar", "Ciudad Guayana": "Bolívar", "Barcelona": "Anzoátegui",
    "Puerto La Cruz": "Anzoátegui", "Cumaná": "Sucre", "Carúpano": "Sucre", "Coro": "Falcón",
    "Punto Fijo": "Falcón", "Barinas": "Barinas", "San Fernando de Apure": "Apure", "Guanare": "Portuguesa",
    "Acarigua": "Portuguesa", "Valera": "Trujillo", "San Felipe": "Yaracuy", "San Carlos": "Cojedes",
    "San Juan de los Morros": "Guárico", "Porlamar": "Nueva Esparta", "Tucupita": "Delta Amacuro",
    "Puerto Ayacucho": "Amazonas", "Catia La Mar": "La Guaira",
}
THEMES = (
    "Derechos Humanos", "Justicia y Paz", "Educación", "Salud", "Ambiente", "Derechos de la Mujer",
    "Libertad de Expresión", "Participación Ciudadana", "Transparencia", "Desarrollo Social",
    "Derechos de la Niñez", "Seguridad Ciudadana", "Prisiones", "Conflictividad Social", "Derechos Laborales",
    "Cultura", "Memoria Histórica", "Migración", "Pueblos Indígenas", "Democracia", "Diversidad Sexual",
    "Discapacidad", "Alimentación", "Vivienda", "Servicios Públicos", "Acción Humanitaria",
    "Desarrollo Comunitario", "Estudios Electorales", "Educación Popular", "Justicia Transicional",
    "Derechos Económicos, Sociales y Culturales", "Violencia", "Salud Mental", "Derechos Digitales",
)
THEMES_EN = (
    "Human Rights", "Justice and Peace", "Education", "Health", "the Environment", "Democracy",
    "Press Freedom", "Migrants' Rights", "Indigenous Peoples", "Women's Rights", "Children's Rights",
    "Accountability", "Humanitarian Aid", "Civic Space",
)
# why: human rights is the field's main theme, so "DDHH" abbreviations get names to work on.
THEME_WEIGHTS = tuple(6 if theme == "Derechos Humanos" else 1 for theme in THEMES)
MOTTO_NOUNS = (
    "Semillas", "Voces", "Manos", "Caminos", "Puentes", "Huellas", "Raíces", "Alas", "Luces", "Brazos",
    "Sueños", "Redes", "Latidos", "Pasos", "Sembradores", "Tejedoras", "Guardianes", "Amigos", "Hijos",
    "Mujeres", "Jóvenes", "Madres", "Abuelos", "Vecinos",
)
MOTTO_COMPLEMENTS = (
    "Esperanza", "Libertad", "Paz", "Vida", "Futuro", "Amor", "Dignidad", "Solidaridad", "Fe", "Luz",
    "Justicia", "Verdad", "Memoria", "Encuentro", "Progreso", "Alegría", "Unidad", "Cambio", "Ayuda",
    "Igualdad",
)
FIRST_NAMES = (
    "Rómulo", "Andrés", "Simón", "José", "María", "Teresa", "Luisa", "Rafael", "Carmen", "Juan", "Ana",
    "Gustavo", "Arturo", "Josefa", "Manuel", "Francisco", "Rosa", "Isabel", "Pedro", "Gabriela",
    "Cecilia", "Ignacio", "Mercedes", "Antonio", "Elena", "Ramón", "Lucía", "Hilda", "Cruz", "Alirio",
)
SURNAMES = (
    "Bello", "Urdaneta", "Miranda", "Páez", "Gallegos", "Briceño", "Uslar", "Pérez", "Rodríguez",
    "González", "Hernández", "Márquez", "Villalobos", "Chirinos", "Colmenares", "Quintero", "Betancourt",
    "Carreño", "Parra", "Ramírez", "Salcedo", "Montilla", "Arismendi", "Toro", "Mendoza", "Zambrano",
    "Rangel", "Morillo", "Bracho", "Labarca", "Fuenmayor", "Contreras", "Guanipa", "Atencio", "Añez",
    "Linares", "Peña", "Medina", "Suárez", "Acosta", "Palacios", "Ledezma", "Oropeza", "Carrasquero",
)
SYLLABLES = (
    "ta", "ma", "ri", "ca", "yu", "gua", "pa", "ra", "na", "cu", "ti", "mo", "ña", "ba", "ye", "ku",
    "wa", "te", "pu", "ja", "li", "co", "ro", "ai", "che", "que", "mi", "to", "ya", "re", "chu", "pi",
)
BARRIOS = (
    "La Ceiba", "El Carmen", "San José", "Los Olivos", "23 de Enero", "Brisas del Lago", "Santa Rosa",
    "El Valle", "La Pastora", "Los Samanes", "Las Delicias", "San Agustín", "La Vega", "Antímano",
    "El Cementerio", "Pinto Salinas", "Los Cortijos", "Sabana Grande", "La Limpia", "San Jacinto",
    "Cerro Verde", "Las Acacias", "El Paraíso", "Simón Bolívar", "Cacique Mara", "Los Robles",
)
UNIVERSITIES = (
    "Universidad Central de Venezuela", "Universidad del Zulia", "Universidad de Los Andes",
    "Universidad Católica Andrés Bello", "Universidad de Carabobo", "Universidad Simón Bolívar",
    "Universidad Centroccidental Lisandro Alvarado", "Universidad de Oriente", "Universidad Metropolitana",
    "Universidad Rafael Urdaneta", "Universidad Católica del Táchira", "Universidad Nacional Experimental del Táchira",
    "Universidad Pedagógica Experimental Libertador", "Universidad Valle del Momboy", "Universidad Arturo Michelena",
    "Universidad Monteávila", "Universidad Católica Cecilio Acosta", "Universidad Nacional Experimental de Guayana",
)
UNIVERSITY_UNITS = (
    "Centro de Derechos Humanos", "Centro para la Paz", "Escuela de Derecho", "Clínica Jurídica",
    "Facultad de Ciencias Jurídicas y Políticas", "Instituto de Investigaciones Económicas y Sociales",
    "Escuela de Comunicación Social", "Federación de Centros Universitarios", "Asociación de Profesores",
    "Centro de Estudiantes de Medicina", "Observatorio de Derechos Humanos", "Centro de Estudios Políticos",
)
PROFESSIONS = (
    "Médicos", "Abogados", "Enfermeras", "Periodistas", "Ingenieros", "Odontólogos", "Bioanalistas",
    "Profesores", "Farmacéuticos", "Economistas", "Psicólogos", "Licenciados en Educación",
)
UNION_SECTORS = (
    "la Educación", "la Salud", "la Industria Petrolera", "la Construcción", "la Prensa", "la Universidad",
    "la Electricidad", "Transporte Público", "la Administración Pública", "la Industria Siderúrgica",
)
SAINTS = (
    "San José", "Santa Rosa", "San Judas Tadeo", "Nuestra Señora de Coromoto", "San Rafael", "Santa Teresa",
    "San Antonio", "Nuestra Señora de la Chiquinquirá", "San Benito", "Santa Bárbara", "El Buen Pastor",
)
# why: random syllables can spell a Spanish obscenity; a name containing one is drawn again.
OBSCENE_PARTS = ("puta", "puto", "pito", "cul", "caca", "cuca", "pija", "teta", "coño", "mama", "pipi")
MOVEMENT_WORDS = ("Ciudadano", "Estudiantil", "Popular", "Democrático", "Juvenil", "Social", "Cívico", "Vecinal")
NETWORK_ADJECTIVES = ("Sociales", "Comunitarias", "de Base", "Populares", "Juveniles", "de Mujeres", "Vecinales")
WITHOUT_ACRONYMS = ("Consejo Comunal", "Parroquia", "Cátedra", "Friends of")
SMALL_WORDS = frozenset(
    ("de", "del", "la", "las", "los", "el", "y", "e", "para", "por", "en", "a", "of", "for", "the", "and", "in")
)

LEGAL_SUFFIXES = (", A.C.", " A.C.", " AC", " A. C.")
DDHH_FORMS = ("DDHH", "DD.HH.", "DD. HH.", "DD HH")
EDO_FORMS = ("Edo. ", "Edo ")
DATE_FORMAT_WEIGHTS = ((10, 70), (7, 20), (4, 10))  # ISO prefix lengths: YYYY-MM-DD, YYYY-MM, YYYY
YEARS = range(2000, 2027)
# why: statements cluster after 2014, when the civic space crisis multiplied joint statements.
YEAR_WEIGHTS = tuple(1 + 4 * (year >= 2014) + 3 * (year >= 2017) for year in YEARS)
URL_HOSTS = ("statements.example.org", "comunicados.example.org", "www.example.org", "redes.example.org")
TITLE_KINDS = (
    "Pronunciamiento", "Comunicado conjunto", "Carta abierta", "Declaración conjunta", "Exhorto",
    "Alerta", "Llamado urgente", "Manifiesto", "Posicionamiento", "Solicitud",
)
TITLE_LINKS = ("ante", "sobre", "frente a", "por")
TITLE_TOPICS = (
    "la detención arbitraria de defensores de derechos humanos", "la crisis humanitaria compleja",
    "la Ley de Fiscalización de ONG", "la criminalización de la sociedad civil",
    "los resultados de las elecciones presidenciales", "el cierre de medios de comunicación",
    "la situación de los presos políticos", "el derecho a la educación", "la emergencia eléctrica",
    "la escasez de medicinas", "la desaparición forzada de activistas", "la represión de protestas",
    "la situación de los migrantes venezolanos", "la violencia contra las mujeres",
    "el derecho a la alimentación", "la minería ilegal en el Arco Minero",
    "la situación de los pueblos indígenas", "la libertad sindical", "la autonomía universitaria",
    "el cierre del espacio cívico", "los salarios del sector público", "la crisis del agua potable",
    "las inhabilitaciones políticas", "el acceso a la justicia", "la persecución a periodistas",
    "el colapso del sistema de salud", "los derechos de niños, niñas y adolescentes",
    "la investigación de la Corte Penal Internacional", "el Examen Periódico Universal",
    "el informe de la Misión de Determinación de los Hechos", "la protección de las personas defensoras",
)
TITLE_TOPICS_EN = (
    "arbitrary detentions in Venezuela", "the shrinking civic space", "the NGO oversight law",
    "the humanitarian emergency", "political prisoners", "attacks on the independent press",
    "the rights of Venezuelan migrants", "the electoral process",
)


@dataclass(slots=True)
class Organization:
    id: int
    base: str  # the name without its acronym
    region: str  # ISO 3166-2 code, "" when national or foreign
    prominence: float  # how likely it is to sign: national NGOs more than a communal council
    acronym: str = ""
    shows_acronym: bool = False  # canonical name prints "Name (Acr)"

    @property
    def canonical(self) -> str:
        return f"{self.base} ({self.acronym})" if self.shows_acronym else self.base


# --- identity -----------------------------------------------------------------------------------

_DDHH = re.compile(r"\bdd\s*\.?\s*hh\b\.?")
_EDO = re.compile(r"\bedo\b\.?")
_WORDS = re.compile(r"[0-9a-z]+")
_LEGAL_FORMS = (("asociacion", "civil"), ("a", "c"), ("ac",))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def identity_key(name: str) -> str:
    """Name folded past every difference that never tells two organizations apart.

    why: two generated organizations must never share this key, otherwise the ground truth would ask
    a deduplicator to separate names that carry no information to separate them. It is written here
    rather than imported from app.identity.names so that the benchmark does not grade the app by its own rules.
    """
    text = _EDO.sub(" estado ", _DDHH.sub(" derechos humanos ", strip_accents(name).casefold()))
    words = _WORDS.findall(text)
    trimmed = True
    while trimmed:
        trimmed = False
        for form in _LEGAL_FORMS:
            size = len(form)
            if len(words) > size and tuple(words[:size]) == form:
                words, trimmed = words[size:], True
            elif len(words) > size and tuple(words[-size:]) == form:
                words, trimmed = words[:-size], True
    return "".join(words)


# --- organization names -------------------------------------------------------------------------

STATE_NAMES = tuple(STATES)
STATE_WEIGHTS = tuple(weight for _, weight in STATES.values())
CITY_NAMES = tuple(CITIES)


def pick_state(rng: random.Random) -> str:
    return rng.choices(STATE_NAMES, STATE_WEIGHTS)[0]


def state_code(state: str) -> str:
    return STATES[state][0]


def formal_state(state: str) -> str:
    """'Estado Zulia', but 'Distrito Capital', which is no state."""
    return state if state == "Distrito Capital" else f"Estado {state}"


def state_phrase(state: str) -> str:
    return f" del {formal_state(state)}"


def invented_word(rng: random.Random) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3))))
        if not any(part in word for part in OBSCENE_PARTS):
            return word.capitalize()


def pick_theme(rng: random.Random) -> str:
    return rng.choices(THEMES, THEME_WEIGHTS)[0]


def motto(rng: random.Random) -> str:
    return f"{rng.choice(MOTTO_NOUNS)} de {rng.choice(MOTTO_COMPLEMENTS)}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def place_suffix(rng: random.Random) -> tuple[str, str]:
    """A ' del Estado X' or ' de City' suffix and its region code."""
    if rng.random() < 0.55:
        state = pick_state(rng)
        return state_phrase(state), state_code(state)
    city = rng.choice(CITY_NAMES)
    return f" de {city}", state_code(CITIES[city])


Family = list[tuple[str, str, float]]  # (name, region, prominence) of related organizations


def chapters(rng: random.Random, base: str, prominence: float, most: int = 6) -> Family:
    """The same body in several states: the 'same name, different state' near-misses."""
    states = rng.sample(STATE_NAMES, rng.randint(1, most))
    return [(f"{base}{state_phrase(state)}", state_code(state), prominence) for state in states]


def foundation(rng: random.Random) -> Family:
    distinct = rng.choice(
        (invented_word(rng), person(rng), motto(rng), f"{invented_word(rng)} {rng.randint(1990, 2024)}")
    )
    if rng.random() < 0.3:
        suffix, region = place_suffix(rng)
        return [(f"Fundación {distinct}{suffix}", region, 1.0)]
    return [(f"Fundación {distinct}", "", 1.5)]


def civil_association(rng: random.Random) -> Family:
    distinct = rng.choice((motto(rng), invented_word(rng), f"{pick_theme(rng)} {invented_word(rng)}"))
    if rng.random() < 0.35:
        suffix, region = place_suffix(rng)
        return [(f"Asociación Civil {distinct}{suffix}", region, 1.0)]
    return [(f"Asociación Civil {distinct}", "", 1.3)]


def human_rights_body(rng: random.Random) -> Family:
    base = rng.choice((
        "Comisión de Derechos Humanos", "Comité de Derechos Humanos", "Red de Defensores de Derechos Humanos",
        f"Comité de Familiares de Víctimas {invented_word(rng)}",
    ))
    return chapters(rng, base, 1.5)


def observatory(rng: random.Random) -> Family:
    theme = pick_theme(rng)
    if rng.random() < 0.4:
        national = (f"Observatorio Venezolano de {theme}", "", 4.0)
        return chapters(rng, f"Observatorio de {theme}", 1.5, most=4) + [national]
    scope = rng.choice(("Venezolano", "Ciudadano", "Regional"))
    return [(f"Observatorio {scope} de {theme} {invented_word(rng)}", "", 2.0)]


def network(rng: random.Random) -> Family:
    name = rng.choice((
        f"Red de Organizaciones {rng.choice(NETWORK_ADJECTIVES)}",
        f"Red {rng.choice(('Venezolana', 'Nacional', 'Ciudadana'))} de {pick_theme(rng)}",
        f"Red de Activistas por {pick_theme(rng)}",
        f"Red {invented_word(rng)}",
    ))
    if rng.random() < 0.5:
        return chapters(rng, name, 1.2, most=4)
    return [(f"{name} {invented_word(rng)}", "", 3.0)]


def professional_body(rng: random.Random) -> Family:
    """State chapters of a professional body, some with their human-rights commission inside."""
    family = chapters(rng, f"Colegio de {rng.choice(PROFESSIONS)}", 1.2, most=8)
    commissions = [
        (f"Comisión de Derechos Humanos del {name}", region, 1.0) for name, region, _ in family if rng.random() < 0.3
    ]
    return family + commissions


def union(rng: random.Random) -> Family:
    kind = rng.choice(("Sindicato Único de Trabajadores de", "Sindicato de Trabajadores de", "Sindicato Unitario de"))
    return chapters(rng, f"{kind} {rng.choice(UNION_SECTORS)}", 0.8, most=5)


def university(rng: random.Random) -> Family:
    """A university and units inside it: the 'institution inside another' near-misses."""
    parent = rng.choice((
        rng.choice(UNIVERSITIES),
        f"Universidad {invented_word(rng)}",
        f"Universidad Nacional Experimental {invented_word(rng)}",
    ))
    units = rng.sample(UNIVERSITY_UNITS, rng.randint(1, 4))
    chair = f"Cátedra {rng.choice(('de', 'Libre de', 'Unesco de'))} {pick_theme(rng)} de la {parent}"
    return [(parent, "", 1.2), (chair, "", 0.5)] + [(f"{unit} de la {parent}", "", 0.8) for unit in units]


def communal_council(rng: random.Random) -> Family:
    """Numbered sectors of one barrio: the 'Consejo Comunal 12 vs 13' near-misses."""
    city = rng.choice(CITY_NAMES)
    barrio = rng.choice((rng.choice(BARRIOS), f"Barrio {invented_word(rng)}", f"Altos de {invented_word(rng)}"))
    first = rng.randint(1, 30)
    region = state_code(CITIES[city])
    numbers = range(first, first + rng.randint(1, 4))
    return [(f"Consejo Comunal {barrio} {number} de {city}", region, 0.3) for number in numbers]


def movement(rng: random.Random) -> Family:
    name = rng.choice((
        f"Movimiento {rng.choice(MOVEMENT_WORDS)} {invented_word(rng)}",
        f"Movimiento por {pick_theme(rng)} {invented_word(rng)}",
        f"Movimiento {invented_word(rng)} {rng.randint(2000, 2024)}",
        f"Colectivo {motto(rng)}",
    ))
    return [(name, "", 1.0)]


def center(rng: random.Random) -> Family:
    kind = rng.choice(
        ("Centro de Estudios de", "Instituto de", "Centro de", "Acción por", "Coalición por", "Alianza por")
    )
    name = f"{kind} {pick_theme(rng)} {rng.choice((invented_word(rng), person(rng)))}"
    return [(name, "", 2.0)]


def religious(rng: random.Random) -> Family:
    city = rng.choice(CITY_NAMES)
    name = rng.choice((
        f"Parroquia {rng.choice(SAINTS)} de {city}",
        f"Cáritas {city}",
        f"Pastoral Social {invented_word(rng)} de {city}",
    ))
    return [(name, state_code(CITIES[city]), 0.7)]


def english(rng: random.Random) -> Family:
    name = rng.choice((
        f"{invented_word(rng)} Foundation",
        f"{invented_word(rng)} Network for {rng.choice(THEMES_EN)}",
        f"{invented_word(rng)} Center for {rng.choice(THEMES_EN)}",
        f"{rng.choice(SURNAMES)} Institute for {rng.choice(THEMES_EN)}",
        f"Friends of {invented_word(rng)}",
        f"Venezuelan Coalition for {rng.choice(THEMES_EN)}",
    ))
    return [(name, "", 2.5)]


FAMILY_MAKERS = (
    (foundation, 20), (civil_association, 18), (human_rights_body, 4), (observatory, 3), (network, 5),
    (professional_body, 3), (union, 3), (university, 4), (communal_council, 10), (movement, 8),
    (center, 8), (religious, 4), (english, 6),
)


def acronym_candidates(rng: random.Random, base: str) -> list[str]:
    """'OVP'-style initials and 'Cepaz'-style syllables of the name's significant words, preferred first."""
    if base.startswith(WITHOUT_ACRONYMS):
        return []
    words = [strip_accents(word) for word in base.replace(",", "").split() if word.lower() not in SMALL_WORDS]
    words = [word for word in words if word.isalpha()]
    if len(words) < 2:
        return []
    initials = "".join(word[0].upper() for word in words[:6])
    syllables = ["".join(word[:size].lower() for word in words[:3]).capitalize() for size in (2, 3)]
    return [initials, *syllables] if rng.random() < 0.5 else [*syllables, initials]


def build_organizations(rng: random.Random, count: int, keys: dict[str, int]) -> list[Organization]:
    """`count` organizations with distinct identity keys (registered in `keys`), about a fifth with acronyms."""
    makers, weights = zip(*FAMILY_MAKERS, strict=True)
    organizations: list[Organization] = []
    while len(organizations) < count:
        for name, region, prominence in rng.choices(makers, weights)[0](rng):
            key = identity_key(name)
            if key in keys or len(organizations) == count:
                continue
            # why: many local bodies print no place in their name; universities and their units stay national.
            if not region and rng.random() < 0.3 and "Universidad" not in name:
                region = state_code(pick_state(rng))
            organization = Organization(len(organizations) + 1, name, region, prominence)
            keys[key] = organization.id
            organizations.append(organization)
    for organization in organizations:
        if rng.random() < 0.6:
            give_acronym(rng, organization, keys)
    return organizations


def give_acronym(rng: random.Random, organization: Organization, keys: dict[str, int]) -> None:
    for acronym in acronym_candidates(rng, organization.base):
        key = identity_key(acronym)
        # why: an acronym printed alone must point at one organization only, so a taken one is passed over.
        if len(acronym) >= 3 and key not in keys:
            keys[key] = organization.id
            organization.acronym = acronym
            organization.shows_acronym = rng.random() < 0.5
            return


# --- statements ---------------------------------------------------------------------------------

def statement_sizes(rng: random.Random, statements: int, lines: int, largest: int) -> list[int]:
    """Heavy-tailed sizes (most 20–150, about 1% above 1,000) that add up to exactly `lines`."""
    raw = [
        min(8000, 1000 * rng.paretovariate(1.3)) if rng.random() < 0.012 else rng.lognormvariate(math.log(55), 0.55)
        for _ in range(statements)
    ]
    scale = lines / sum(raw)
    sizes = [min(largest, max(1, int(size * scale))) for size in raw]
    rebalance(rng, sizes, lines, largest)
    return sizes


def rebalance(rng: random.Random, sizes: list[int], lines: int, largest: int) -> None:
    """Nudge random statements one line at a time until the sizes sum to `lines`."""
    missing = lines - sum(sizes)
    step = 1 if missing > 0 else -1
    while missing:
        index = rng.randrange(len(sizes))
        if 1 <= sizes[index] + step <= largest:
            sizes[index] += step
            missing -= step


def coverage_quotas(sizes: list[int], covered: int) -> list[int]:
    """How many never-yet-seen organizations each statement takes, proportional to its size.

    why: every organization must sign at least once, or the file would hold fewer than requested.
    """
    total = sum(sizes)
    exact = [covered * size / total for size in sizes]
    quotas = [int(share) for share in exact]
    by_remainder = sorted(range(len(sizes)), key=lambda index: quotas[index] - exact[index])
    for index in by_remainder[: covered - sum(quotas)]:
        quotas[index] += 1
    return quotas


def statement_date(rng: random.Random) -> str:
    year = rng.choices(YEARS, YEAR_WEIGHTS)[0]
    month = rng.randint(1, 6 if year == 2026 else 12)
    day = rng.randint(1, 28)
    length = rng.choices(*zip(*DATE_FORMAT_WEIGHTS, strict=True))[0]
    return f"{year:04d}-{month:02d}-{day:02d}"[:length]


def statement_title(rng: random.Random) -> str:
    if rng.random() < 0.08:
        kind = rng.choice(("Joint statement on", "Open letter regarding", "Civil society statement on"))
        return f"{kind} {rng.choice(TITLE_TOPICS_EN)}"
    title = contract(f"{rng.choice(TITLE_KINDS)} {rng.choice(TITLE_LINKS)} {rng.choice(TITLE_TOPICS)}")
    where = rng.random()
    if where < 0.25:
        return f"{title} en el {formal_state(pick_state(rng))}"
    if where < 0.4:
        return f"{title} en {rng.choice(CITY_NAMES)}"
    return title


def contract(text: str) -> str:
    """Spanish contraction: 'frente a el acceso' -> 'frente al acceso'."""
    return text.replace(" a el ", " al ")


def slugify(text: str, longest: int = 70) -> str:
    slug = re.sub(r"[^0-9a-z]+", "-", strip_accents(text).lower()).strip("-")
    return slug if len(slug) <= longest else slug[: longest + 1].rsplit("-", 1)[0]


def distinct_url(url: str, taken: set[str]) -> str:
    """`url`, or `url-2`, `url-3`... so that two titles cut to the same slug keep two URLs."""
    if not url:
        return url
    candidate, counter = url, 1
    while candidate in taken:
        counter += 1
        candidate = f"{url}-{counter}"
    taken.add(candidate)
    return candidate


@dataclass(slots=True)
class Statement:
    title: str
    date: str
    url: str


def make_statements(rng: random.Random, count: int) -> list[Statement]:
    """Statements with distinct titles and URLs; about 3% were published without a URL."""
    titles: set[str] = set()
    urls: set[str] = set()
    statements = []
    for _ in range(count):
        title = statement_title(rng)
        attempts = 1
        while title in titles:
            title = statement_title(rng) if attempts < 20 else f"{statement_title(rng)} ({len(titles)})"
            attempts += 1
        titles.add(title)
        date = statement_date(rng)
        url = "" if rng.random() < 0.03 else f"https://{rng.choice(URL_HOSTS)}/{date[:4]}/{slugify(title)}"
        url = distinct_url(url, urls)
        statements.append(Statement(title, date, url))
    return statements


# --- popularity ---------------------------------------------------------------------------------

def popularity_ranking(rng: random.Random, organizations: list[Organization]) -> list[int]:
    """Organization ids from most to least prolific signer, favouring prominent kinds."""
    scored = sorted(organizations, key=lambda org: rng.random() ** (1 / org.prominence), reverse=True)
    return [org.id for org in scored]


def zipf_cum_weights(count: int, offset: float = 30.0, exponent: float = 1.0) -> list[float]:
    # why: the offset flattens the head so the top signer lands in thousands of statements, not all.
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1 / (rank + offset) ** exponent
        cumulative.append(total)
    return cumulative


def statement_members(
    rng: random.Random, size: int, newcomers: list[int], ranking: list[int], cum_weights: list[float]
) -> list[int]:
    """`size` distinct organization ids: the newcomers, topped up by popularity draws."""
    members = list(newcomers)
    present = set(members)
    while len(members) < size:
        for org_id in rng.choices(ranking, cum_weights=cum_weights, k=size - len(members) + 4):
            if org_id not in present and len(members) < size:
                present.add(org_id)
                members.append(org_id)
    return members


# --- printed variants ---------------------------------------------------------------------------

_PARENTHETICAL = re.compile(r"^(.*?)(\s*\([^()]*\))?$")
_LEGAL_PREFIX = "Asociación Civil "
_SMALL_WORD_BEFORE_CAPITAL = re.compile(r"\b([a-z]{1,4}) (?=[A-ZÁÉÍÓÚÑ])")


def split_acronym(text: str) -> tuple[str, str]:
    name, acronym = _PARENTHETICAL.match(text).groups()
    return name, acronym or ""


def accents_dropped(rng: random.Random, text: str, org: Organization) -> str:
    return unicodedata.normalize("NFC", strip_accents(text))


def uppercase(rng: random.Random, text: str, org: Organization) -> str:
    return text.upper()


def lowercase(rng: random.Random, text: str, org: Organization) -> str:
    return text.lower()


def titlecase(rng: random.Random, text: str, org: Organization) -> str:
    return text.title()


def legal_form_added(rng: random.Random, text: str, org: Organization) -> str:
    name, acronym = split_acronym(text)
    if name.startswith(_LEGAL_PREFIX) or name.endswith(("A.C.", " AC", "A. C.")):
        return text
    if rng.random() < 0.25:
        return f"{_LEGAL_PREFIX}{name}{acronym}"
    return f"{name}{rng.choice(LEGAL_SUFFIXES)}{acronym}"


def legal_form_moved(rng: random.Random, text: str, org: Organization) -> str:
    """'Asociación Civil X' printed as 'X', 'X, A.C.' or 'X AC'."""
    name, acronym = split_acronym(text)
    if not name.startswith(_LEGAL_PREFIX):
        return text
    return f"{name[len(_LEGAL_PREFIX):]}{rng.choice(('',) + LEGAL_SUFFIXES)}{acronym}"


def ddhh_abbreviated(rng: random.Random, text: str, org: Organization) -> str:
    """'Derechos Humanos' as 'DDHH', 'DD.HH.'...; sometimes 'Comisión de DDHH' loses its 'de' too."""
    long_form = "de Derechos Humanos" if rng.random() < 0.3 and "de Derechos Humanos" in text else "Derechos Humanos"
    return text.replace(long_form, rng.choice(DDHH_FORMS))


def edo_abbreviated(rng: random.Random, text: str, org: Organization) -> str:
    return text.replace("Estado ", rng.choice(EDO_FORMS))


def acronym_only(rng: random.Random, text: str, org: Organization) -> str:
    return org.acronym or text


def acronym_removed(rng: random.Random, text: str, org: Organization) -> str:
    return split_acronym(text)[0] if org.shows_acronym else text


def acronym_added(rng: random.Random, text: str, org: Organization) -> str:
    if not org.acronym or org.shows_acronym:
        return text
    return rng.choice((f"{text} ({org.acronym})", f"{org.acronym} - {text}", f"{text} - {org.acronym}"))


def extra_spaces(rng: random.Random, text: str, org: Organization) -> str:
    gaps = [index for index, char in enumerate(text) if char == " "]
    choice = rng.random()
    if choice < 0.5 and gaps:
        index = rng.choice(gaps)
        return f"{text[:index]}{' ' * rng.randint(2, 3)}{text[index + 1:]}"
    if choice < 0.75:
        return f"{text} "
    return f" {text}"


def long_word_positions(text: str, shortest: int) -> list[re.Match[str]]:
    return [match for match in re.finditer(r"[^\W\d_]+", text) if len(match.group()) >= shortest]


def ocr_split(rng: random.Random, text: str, org: Organization) -> str:
    """A word broken by a stray space, as OCR and PDF copy do: 'Monagas' -> 'Mona gas'."""
    words = long_word_positions(text, 6)
    if not words:
        return text
    word = rng.choice(words)
    cut = rng.randint(word.start() + 2, word.end() - 2)
    return f"{text[:cut]} {text[cut:]}"


def ocr_glued(rng: random.Random, text: str, org: Organization) -> str:
    """Two words run together, mostly a small word into a capital: 'de Colegios' -> 'deColegios'."""
    gaps = [match.end(1) for match in _SMALL_WORD_BEFORE_CAPITAL.finditer(text)]
    if not gaps or rng.random() < 0.3:
        gaps = [index for index, char in enumerate(text) if char == " "]
    if not gaps:
        return text
    index = rng.choice(gaps)
    return text[:index] + text[index + 1:]


def typo_swapped(rng: random.Random, text: str, org: Organization) -> str:
    words = long_word_positions(text, 5)
    if not words:
        return text
    word = rng.choice(words)
    index = rng.randint(word.start() + 1, word.end() - 2)
    return text[:index] + text[index + 1] + text[index] + text[index + 2:]


def typo_dropped(rng: random.Random, text: str, org: Organization) -> str:
    words = long_word_positions(text, 5)
    if not words:
        return text
    word = rng.choice(words)
    index = rng.randint(word.start() + 1, word.end() - 1)
    return text[:index] + text[index + 1:]


TRANSFORMS = (
    (accents_dropped, 18), (uppercase, 12), (lowercase, 4), (titlecase, 2), (legal_form_added, 10),
    (legal_form_moved, 8), (ddhh_abbreviated, 8), (edo_abbreviated, 6), (acronym_only, 10),
    (acronym_removed, 5), (acronym_added, 4), (extra_spaces, 6), (ocr_split, 4), (ocr_glued, 4),
    (typo_swapped, 1.5), (typo_dropped, 1.5),
)
TRANSFORM_FUNCTIONS, TRANSFORM_WEIGHTS = zip(*TRANSFORMS, strict=True)
CASE_CHANGES = frozenset((uppercase, lowercase, titlecase))
SECOND_TRANSFORM_SHARE = 0.15
REUSE_SHARE = 0.6  # why: statements are copied from one another, so a misprint recurs


class Printer:
    """Decides how each signature line prints its organization and streams the ground truth."""

    def __init__(self, rng: random.Random, keys: dict[str, int], variant_share: float, truth: CsvWriter | None):
        self.rng = rng
        self.keys = keys
        self.variant_share = variant_share
        self.truth = truth
        self.seen: set[str] = set()
        self.variants: dict[int, list[tuple[str, str]]] = {}
        self.variant_lines = 0

    def print_name(self, org: Organization) -> str:
        printed, kind = org.canonical, "canonical"
        if self.rng.random() < self.variant_share:
            printed, kind = self.variant(org)
        if kind != "canonical":
            self.variant_lines += 1
        if printed not in self.seen:
            self.seen.add(printed)
            if self.truth:
                self.truth.writerow((printed, org.id, kind))
        return printed

    def variant(self, org: Organization) -> tuple[str, str]:
        known = self.variants.get(org.id)
        if known and self.rng.random() < REUSE_SHARE:
            return self.rng.choice(known)
        for _ in range(8):
            printed, kind = self.transformed(org)
            if printed != org.canonical and self.keys.setdefault(identity_key(printed), org.id) == org.id:
                self.variants.setdefault(org.id, []).append((printed, kind))
                return printed, kind
        return org.canonical, "canonical"

    def transformed(self, org: Organization) -> tuple[str, str]:
        count = 2 if self.rng.random() < SECOND_TRANSFORM_SHARE else 1
        drawn = self.rng.choices(TRANSFORM_FUNCTIONS, TRANSFORM_WEIGHTS, k=count)
        if set(drawn) <= CASE_CHANGES:  # why: a second change of case would undo the first
            drawn = drawn[:1]
        text, kinds = org.canonical, []
        # why: applying in table order gives each combination one label ("accents_dropped+uppercase").
        for transform in (transform for transform in TRANSFORM_FUNCTIONS if transform in drawn):
            changed = transform(self.rng, text, org)
            if changed != text:
                text = changed
                kinds.append(transform.__name__)
        return text, "+".join(kinds)


# --- driver -------------------------------------------------------------------------------------

def write_signatures(args: argparse.Namespace, out: TextIO, truth: CsvWriter | None) -> Printer:
    rng = random.Random(args.seed)
    keys: dict[str, int] = {}
    organizations = build_organizations(rng, args.organizations, keys)
    ranking = popularity_ranking(rng, organizations)
    cum_weights = zipf_cum_weights(len(ranking))
    statements = make_statements(rng, args.statements)
    sizes = statement_sizes(rng, args.statements, args.lines, args.organizations)
    newcomers = [org.id for org in organizations]
    rng.shuffle(newcomers)
    quotas = coverage_quotas(sizes, min(args.organizations, args.lines))
    printer = Printer(rng, keys, args.variant_share, truth)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    taken = 0
    for statement, size, quota in zip(statements, sizes, quotas, strict=True):
        members = statement_members(rng, size, newcomers[taken:taken + quota], ranking, cum_weights)
        taken += quota
        write_statement(rng, writer, printer, statement, [organizations[org_id - 1] for org_id in members])
    return printer


def write_statement(
    rng: random.Random, writer: CsvWriter, printer: Printer, statement: Statement, members: list[Organization]
) -> None:
    printed = [(printer.print_name(org), org) for org in members]
    # why: real lists are either alphabetical or in the order organizations joined.
    if rng.random() < 0.3:
        printed.sort(key=lambda pair: strip_accents(pair[0]).casefold().strip())
    else:
        rng.shuffle(printed)
    for position, (name, org) in enumerate(printed, start=1):
        region = org.region if org.region and rng.random() < 0.35 else ""
        acronym = org.acronym if org.acronym and rng.random() < 0.3 else ""
        writer.writerow((statement.title, statement.date, statement.url, name, position, region, acronym))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="signature lines (CSV rows) in total")
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--variant-share", type=float, default=0.2, help="share of lines printing a variant name")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out/signatures.csv"))
    parser.add_argument("--truth", type=Path, help="also write printed_name,organization_id,variant_kind here")
    args = parser.parse_args(argv)
    if not 1 <= args.statements <= args.lines:
        parser.error("need 1 <= --statements <= --lines")
    if args.organizations * args.statements < args.lines:
        parser.error("too few organizations: a statement lists each organization at most once")
    return args


def open_for_writing(path: Path) -> TextIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8", newline="")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    with ExitStack() as files:
        out = files.enter_context(open_for_writing(args.out))
        truth = None
        if args.truth:
            truth = csv.writer(files.enter_context(open_for_writing(args.truth)), lineterminator="\n")
            truth.writerow(TRUTH_HEADER)
        printer = write_signatures(args, out, truth)
    elapsed = time.perf_counter() - started
    print(
        f"{args.lines:,} lines, {args.statements:,} statements, {args.organizations:,} organizations; "
        f"{len(printer.seen):,} distinct printed names; variant lines {printer.variant_lines / args.lines:.1%}; "
        f"{elapsed:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
