"""Sector inference: what kind of body an organization's printed name says it is.

Pure and offline. Conservative: a name is an NGO ("ngo", with no evidence) unless a word or phrase
this field uses for another sector says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.identity.names import clean
from app.identity.text import fold_word

SECTORS = (
    "ngo", "academic", "professional_body", "union", "religious", "business", "government",
    "intergovernmental", "media",
)

_PROFESSIONS = (
    "medicos", "abogados", "ingenieros", "periodistas", "enfermeras", "enfermeros", "enfermeria",
    "profesionales", "odontologos", "bioanalistas", "economistas", "psicologos", "contadores",
    "farmaceuticos", "licenciados", "profesores", "arquitectos", "veterinarios", "administradores",
    "nutricionistas", "sociologos", "politologos", "internacionalistas", "docentes", "educadores",
    "trabajadores sociales",
)
_SAINTLY = (
    "san", "santa", "santo", "nuestra", "sagrado", "sagrada", "virgen", "inmaculada", "cristo",
    "jesus", "divino", "divina", "espiritu", "el buen pastor",
)
# Words that may precede an intergovernmental body's name in the name of one of its organs:
# "Office of the Prosecutor of the International Criminal Court".
_ORGAN_WORDS = frozenset({
    "office", "oficina", "prosecutor", "fiscalia", "fiscal", "secretariat", "secretaria", "secretary",
    "general", "alto", "comisionado", "high", "commissioner", "mision", "mission", "representacion",
    "representation", "relator", "relatora", "rapporteur", "especial", "special", "programa",
    "programme", "program", "fondo", "fund", "of", "the", "for", "de", "del", "la", "las", "los",
    "el", "para",
})
_ARTICLES = frozenset({"the", "el", "la", "los", "las"})


def _alternatives(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(word) for word in words) + ")"


@dataclass(frozen=True, slots=True)
class _Rule:
    sector: str
    pattern: re.Pattern[str]  # on the folded words joined by single spaces
    allowed_before: frozenset[str] | None  # None: anywhere; else only these words may precede it


def _rule(sector: str, pattern: str, allowed_before: frozenset[str] | None = None) -> _Rule:
    return _Rule(sector, re.compile(rf"\b(?:{pattern})\b"), allowed_before)


_RULES: tuple[_Rule, ...] = (
    # a university, or a chair, faculty or centre of one: "Centro para la Paz ... de la Universidad
    # Central de Venezuela" is a university centre. Acronyms of Venezuelan universities count.
    _rule("academic", r"universidad(?:es)?|university|univ|universitari[oa]s?|catedra|facultad|faculty"
          r"|ucv|ucab|upel|unet|unimet|ucla|udo"),
    # a professional college, not a school: "Colegio de Médicos", never "Colegio San José"
    _rule("professional_body", rf"colegio(?: \w+){{0,3}}? {_alternatives(_PROFESSIONS)}"
          r"|colegios profesionales|federacion (?:nacional )?de colegios|federacion medica|bar association"),
    _rule("union", r"sindicatos?|trade union|labou?r union|fetra\w+"
          r"|(?:federacion|central|confederacion|union)(?: \w+){0,2}? de trabajadores"),
    _rule("religious", rf"vicaria|arquidiocesis|diocesis|iglesia|caritas|pastoral|episcopal|congregacion"
          rf"|church|archdiocese|diocese|jesuitas|compania de jesus|misioneras|misioneros|seminario"
          rf"|parroquia {_alternatives(_SAINTLY)}"),
    _rule("business", r"fedecamaras|conindustria|consecomercio|venamcham|fedeagro|fedenaga|empresarios"
          r"|comerciantes|industriales|chamber of commerce|camara (?:venezolana|nacional)"
          r"|camara(?: \w+){0,2}? (?:comercio|industria\w*|empresas|petrolera|construccion|turismo)"),
    _rule("government", r"gobierno|government|ministerio|ministry|alcaldia|gobernacion|defensoria del pueblo"
          r"|asamblea nacional|consejo legislativo|concejo municipal|fiscalia general|tribunal supremo"
          r"|consejo nacional electoral|cancilleria|embajada|embassy|consulado|consulate", _ARTICLES),
    _rule("intergovernmental", r"international criminal court|corte penal internacional|naciones unidas"
          r"|united nations|onu|unicef|acnur|unhcr|ohchr|oacnudh|pnud|undp|unesco"
          r"|organizacion de (?:los )?estados americanos|organization of american states|oea"
          r"|comision interamericana de derechos humanos|inter american commission on human rights"
          r"|corte interamericana de derechos humanos|inter american court of human rights"
          r"|union europea|european union|consejo de derechos humanos|human rights council",
          _ORGAN_WORDS),
    _rule("media", r"radio|diario|periodico|semanario|revista|televisora|television|tv|emisora"
          r"|agencia de noticias|el pitazo|efecto cocuyo|runrunes|tal cual|cronica uno|la patilla"
          r"|el estimulo|armando info|el universal|el nacional|ultimas noticias|globovision|venevision",
          _ARTICLES),
)

_WORD = re.compile(r"[^\W_]+")
# why: most names are NGOs' and name no sector; one search for any rule settles them
_ANY_RULE = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in _RULES))


@dataclass(frozen=True, slots=True)
class SectorMatch:
    sector: str  # one of SECTORS
    evidence: tuple[str, ...]  # the printed words that named the sector; empty for the "ngo" default


def infer_sector(name: str) -> SectorMatch:
    """The sector a printed name states, ignoring case and accents.

    Each rule names a sector by a word or phrase; the one found earliest in the name wins, because
    a name begins with what the body is: "Sindicato de Trabajadores de la Universidad X" is a union,
    "Cátedra de Derechos Humanos de la Universidad X" academic, and a body inside an institution
    takes the institution's sector when its own head word is generic ("Centro para la Paz ... de
    la Universidad Central de Venezuela" is academic, "Comisión de DDHH de la Federación de
    Colegios de Abogados" a professional body). Some rules count only at the head of the name:
    government ("Gobierno", "Alcaldía" — an NGO may watch a government), media ("Radio", "Diario"),
    and intergovernmental bodies, which may follow only words naming one of their organs ("Office
    of the Prosecutor of the International Criminal Court"; "Coalition for the International
    Criminal Court" is an NGO). A school ("Colegio San José") and a civil parish ("Parroquia
    Sucre") are not told from NGOs: a "Colegio" counts only before a profession, a "Parroquia"
    only before a saint.
    """
    matches = list(_WORD.finditer(clean(name)))
    folded = [fold_word(match.group()) for match in matches]
    joined, starts = _joined_with_offsets(folded)
    if not _ANY_RULE.search(joined):
        return SectorMatch("ngo", ())
    best: tuple[int, int, str] | None = None  # (first word, end word, sector)
    for rule in _RULES:
        for hit in rule.pattern.finditer(joined):
            first, end = starts.index(hit.start()), _word_end(starts, hit.end())
            if rule.allowed_before is not None and not set(folded[:first]) <= rule.allowed_before:
                continue
            if best is None or first < best[0]:
                best = (first, end, rule.sector)
            break
    if best is None:
        return SectorMatch("ngo", ())
    first, end, sector = best
    return SectorMatch(sector, tuple(match.group() for match in matches[first:end]))


def _joined_with_offsets(words: list[str]) -> tuple[str, list[int]]:
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    return " ".join(words), starts


def _word_end(starts: list[int], end_offset: int) -> int:
    """Index just past the word that ends at `end_offset` in the joined text."""
    return sum(1 for start in starts if start < end_offset)
