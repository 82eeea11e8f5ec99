"""Pure name logic: fold printed organization names into comparable forms.

`match_key` decides automatic identity (same key => same organization), so it only removes
differences that can never distinguish two organizations. Everything fuzzier is a suggestion.
"""

from __future__ import annotations

import re
import unicodedata

# Version of the match-key rules; stored keys older than this are recomputed by `firmas db rekey`.
MATCH_KEY_VERSION = 1

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-záéíóúñü])(?=[A-ZÁÉÍÓÚÑÜ])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")

# Abbreviations that always stand for the same words in this field's names. Applied on the
# folded text before punctuation is dropped, so "Fund." (with its dot) is told from English "Fund".
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bdd\s*\.?\s*hh\b\.?", " derechos humanos "),
        (r"\bedo\b\.?", " estado "),
        (r"\bfund\.", " fundacion "),
        (r"\basoc\b\.?", " asociacion "),
        (r"\buniv\b\.?", " universidad "),
    )
)

# Legal-form designations: they say how an organization is registered, never which one it is.
# why: only stripped at the start or end of a name, where they are printed as a label; inside a
# name ("Red de Asociaciones Civiles ...") the same words are part of the name.
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = (
    ("asociacion", "civil"),
    ("a", "c"),
    ("ac",),
)


def fold(text: str) -> str:
    """Lowercase, strip accents and compatibility forms: 'Aquí Cabemos' -> 'aqui cabemos'."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return without_marks.casefold()


def split_glued_words(text: str) -> str:
    """Insert a space where a lowercase letter runs into a capital: 'deColegios' -> 'de Colegios'."""
    return _CAMEL_BOUNDARY.sub(" ", text)


def tokens(text: str) -> list[str]:
    """Folded alphanumeric words of a printed name, with glued words split and abbreviations expanded."""
    folded = fold(split_glued_words(text))
    for pattern, replacement in _ABBREVIATIONS:
        folded = pattern.sub(replacement, folded)
    return [word for word in _NON_ALNUM.split(folded) if word]


def _strip_legal_forms(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for form in _LEGAL_FORMS:
            size = len(form)
            if len(words) > size and tuple(words[:size]) == form:
                words, changed = words[size:], True
            elif len(words) > size and tuple(words[-size:]) == form:
                words, changed = words[:-size], True
    return words


def _drop_optional_de(words: list[str]) -> list[str]:
    """'Comisión de DDHH' and 'Comisión DDHH' name the same body: 'de' before 'derechos humanos' is optional."""
    return [
        word
        for index, word in enumerate(words)
        if not (word == "de" and words[index + 1 : index + 3] == ["derechos", "humanos"])
    ]


def match_key(printed_name: str) -> str:
    """The identity key of a printed name: equal keys are the same organization, automatically.

    Insensitive to case, accents, punctuation, spacing, glued words ("deColegios"), the
    abbreviations DDHH/Edo./Fund./Asoc./Univ. (with an optional "de" before "Derechos Humanos")
    and legal forms ("A.C.", "AC", "Asociación Civil")
    at either end. Numbers, word order and every other word are kept, so "Consejo Comunal 12"
    and "Consejo Comunal 13", or the Táchira and Mérida chapters of a federation, stay apart.
    A name made only of a legal form keeps it, so the key is never empty for a non-empty name.
    """
    return "".join(_drop_optional_de(_strip_legal_forms(tokens(printed_name))))


def search_text(printed_name: str) -> str:
    """Folded, space-normalized text used for substring search: 'Aquí  Cabemos' -> 'aqui cabemos'."""
    folded = fold(printed_name)
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", folded)).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """URL slug from a name: 'Centro de Justicia y Paz (Cepaz)' -> 'centro-de-justicia-y-paz-cepaz'."""
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "sin-nombre"


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace and trim: the printed name without layout accidents."""
    return _SPACES.sub(" ", text).strip()
