"""Pure name logic: fold printed organization names into comparable forms, clean them for display,
and find the acronym they print.

`match_key` decides automatic identity (same key => same organization), so it only removes
differences that can never distinguish two organizations. Everything fuzzier is a suggestion.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from app.identity.regions import place_words
from app.identity.text import fold, fold_word

# Version of the match-key rules; stored keys older than this are recomputed by `firmas db rekey`.
MATCH_KEY_VERSION = 1

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-záéíóúñü])(?=[A-ZÁÉÍÓÚÑÜ])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")

# Abbreviations that always stand for the same words in this field's names. Applied on the
# folded text before punctuation is dropped, so "Fund." (with its dot) is told from English "Fund".
# Each comes with a substring its matches contain, tested first because it is much quicker.
_ABBREVIATIONS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (trigger, re.compile(pattern), replacement)
    for trigger, pattern, replacement in (
        ("dd", r"\bdd\s*\.?\s*hh\b\.?", " derechos humanos "),
        ("edo", r"\bedo\b\.?", " estado "),
        ("fund.", r"\bfund\.", " fundacion "),
        ("asoc", r"\basoc\b\.?", " asociacion "),
        ("univ", r"\buniv\b\.?", " universidad "),
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


def split_glued_words(text: str) -> str:
    """Insert a space where a lowercase letter runs into a capital: 'deColegios' -> 'de Colegios'."""
    return _CAMEL_BOUNDARY.sub(" ", text)


def tokens(text: str) -> list[str]:
    """Folded alphanumeric words of a printed name, with glued words split and abbreviations expanded."""
    return _expanded_words(fold(split_glued_words(text)))


def words(printed: str) -> list[str]:
    """Folded words of the display-clean name (`clean`), abbreviations expanded.

    Unlike `tokens`, a glued brand name stays one word ("FundaRedes" -> "fundaredes"), so that it
    matches the same name printed in lower case; only glued function words are split.
    """
    return _expanded_words(fold(clean(printed)))


def _expanded_words(folded: str) -> list[str]:
    for trigger, pattern, replacement in _ABBREVIATIONS:
        if trigger in folded:
            folded = pattern.sub(replacement, folded)
    return [word for word in _NON_ALNUM.split(folded) if word]


def strip_legal_forms(words: list[str]) -> list[str]:
    """Folded words without legal forms (A.C., AC, Asociación Civil) at either end; never emptied."""
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
    return "".join(_drop_optional_de(strip_legal_forms(tokens(printed_name))))


def search_text(printed_name: str) -> str:
    """Folded, space-normalized text used for substring search: 'Aquí  Cabemos' -> 'aqui cabemos'."""
    folded = fold(printed_name)
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", folded)).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """URL slug from a name: 'Centro de Justicia y Paz (Cepaz)' -> 'centro-de-justicia-y-paz-cepaz'."""
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "sin-nombre"


def first_free_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever is not in `taken`."""
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace and trim: the printed name without layout accidents."""
    return _SPACES.sub(" ", text).strip()


# --- display-clean names ------------------------------------------------------------------------

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})
_DASH = re.compile(r"(\s*)[-‐‑‒–—―−](\s*)")
_GLUED_FUNCTION_WORD = re.compile(r"(?<![^\W\d_])(de|del|la|las|los|el|y|en|para|por|con)(?=[A-ZÁÉÍÓÚÑÜ])")
_FUNCTION_WORDS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "en", "para", "por", "con", "a", "al"})
# Two words, the second all lowercase or all capitals: where an OCR split may have fallen.
_SPLIT_CANDIDATE = re.compile(r"(?<![^\W_])([^\W\d_]+) (?=([a-zà-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]+)(?![^\W_]))")
# A rejoined place must be long enough that two fragments spelling it is no coincidence.
_SPLIT_PLACE_MIN_LETTERS = 6


# why: a name is cleaned, then handed to `words` and `extract_acronym`, which clean it again
@functools.lru_cache(maxsize=1 << 12)
def clean(printed: str) -> str:
    """The name as it should be displayed: the printed text without typographic accidents.

    Unicode NFC; whitespace collapsed and trimmed; typographic quotes made straight (“ ” « » -> ",
    ‘ ’ -> '); every dash made a hyphen, spaced (" - ", a separator) when it was spaced on either
    side ("Clima21 – Ambiente" -> "Clima21 - Ambiente"), glued otherwise ("Venezuela–Mérida" ->
    "Venezuela-Mérida"). A lowercase function word (de, del, la, las, los, el, y, en, para, por,
    con) glued to a capital is split off ("deColegios" -> "de Colegios"); glued brand names stay
    ("FundaRedes", "DefensActiva", "StopVIH"). Two words that an OCR split apart are rejoined when
    together they spell a one-word place of `regions.place_words()` ("Mona gas" -> "Monagas"),
    provided the second piece continues the first's case (lowercase, or both all-caps), neither
    piece is a function word, and not both pieces are places on their own.
    """
    text = unicodedata.normalize("NFC", printed).translate(_QUOTES)
    text = _DASH.sub(_unified_dash, text)
    text = _GLUED_FUNCTION_WORD.sub(r"\1 ", text)
    return _rejoin_split_places(normalize_whitespace(text))


def _unified_dash(match: re.Match[str]) -> str:
    return " - " if match.group(1) or match.group(2) else "-"


def _rejoin_split_places(text: str) -> str:
    pieces, last_end = [], 0
    for candidate in _SPLIT_CANDIDATE.finditer(text):
        space = candidate.end(1)
        if space - len(candidate.group(1)) >= last_end and _is_split_place(candidate.group(1), candidate.group(2)):
            pieces.append(text[last_end:space])
            last_end = space + 1
    return "".join(pieces) + text[last_end:]


@functools.cache
def _place_word_heads() -> frozenset[str]:
    """Every proper beginning of a one-word place name: the only heads an OCR split can leave."""
    return frozenset(word[:cut] for word in place_words() for cut in range(1, len(word)))


def _is_split_place(head: str, tail: str) -> bool:
    # why: an OCR split keeps the word's case on both sides; "Mona Gas" is two capitalized words
    if tail.isupper() and not head.isupper():
        return False
    folded_head = fold_word(head)
    if folded_head not in _place_word_heads():
        return False
    folded_tail = fold_word(tail)
    if folded_head in _FUNCTION_WORDS or folded_tail in _FUNCTION_WORDS:
        return False
    places = place_words()
    return (
        len(folded_head + folded_tail) >= _SPLIT_PLACE_MIN_LETTERS
        and folded_head + folded_tail in places
        and not (folded_head in places and folded_tail in places)
    )


# --- acronyms -----------------------------------------------------------------------------------

_LEADING_LEGAL_FORM = re.compile(r"^(?:asociaci[oó]n\s+civil|a\.?\s*c\.?)(?=[\s,]|$)[\s,]*", re.IGNORECASE)
_TRAILING_LEGAL_FORM = re.compile(r"(?:^|[\s,]+)(?:asociaci[oó]n\s+civil|a\.?\s*c\.?)$", re.IGNORECASE)
_PARENTHESIZED_AT_END = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]*)\)$")
_LAST_WORD = re.compile(r"^(?P<head>.*?\S)(?:\s*[,/]\s*|\s+-\s+|\s+)(?P<word>[^\s,/]+)$")
_FIRST_WORD = re.compile(r"^(?P<word>[^\s,:/]+)(?:\s+-\s+|\s*:\s*|\s*,\s*)(?P<rest>.*\S)$")
_ACRONYM_SHAPE = re.compile(r"^[^\W_][\w.&-]*$")
_NOT_LETTERS = re.compile(r"[^a-z]+")
# Tokens printed like acronyms that never name an organization: kinds, legal forms, abbreviations.
_GENERIC_ACRONYMS = frozenset({"ong", "ngo", "ddhh", "ac", "sc", "rl", "ca", "asoc", "fund", "univ", "edo", "dr"})
_SPELLING_FILLERS = _FUNCTION_WORDS | {"and", "for", "of", "the"}
_ACRONYM_MAX_LENGTH = 15
_ACRONYM_MIN_LETTERS = 3  # unparenthesized: two capitals after a name are too often something else
_CAPITALIZED_ACRONYM_MIN_LETTERS = 6


def extract_acronym(printed: str) -> str | None:
    """The organization's acronym as printed in its name, or None. Precision first.

    Legal forms at either end are set aside first ("A.C.", "AC", "Asociación Civil" are never
    acronyms). Then, in this order:

    1. A single token in parentheses at the end: "Centro de Justicia y Paz (Cepaz)" -> "Cepaz",
       "... (Alfavic-2017)", "... (MPD)". It must be all capitals, or spell the words before it
       (see below). A parenthesized phrase is no acronym; the rules go on before it.
    2. A last token after the name: "... del Estado Anzoátegui REDHANZ" -> "REDHANZ",
       "... y la Niñez Funda-Pden" -> "Funda-Pden". It must spell the words before it, using two of
       them if it is all capitals or has an inner capital or hyphen, three (and six letters or
       more) if it is merely capitalized ("Fundación para el Debido Proceso Fundepro"); a
       lowercase word never counts.
    3. A first token, not lowercase, followed by a separator (" - ", ":" or ","), spelling two of
       the words after it: "Cepaz - Centro de Justicia y Paz" -> "Cepaz".

    "Spelling" words: the acronym's letters are, in order, leading letters of successive words
    (words may be skipped; DDHH counts as "derechos humanos"): Provea = PROgrama VEnezolano ...
    Acción. Never an acronym: a token of fewer than three letters outside parentheses ("Mujer y
    Ciudadanía/CL"), a place ("... Monagas"), "Venezuela", kinds and abbreviations (ONG, DDHH), and
    an all-caps word that begins or sits inside the name with nothing separating it, because it is
    the name's own word: "AMBAR Asociación Civil", "SOS Pacientes Renales", "Movimiento Juvenil UNE
    Monagas". A last all-caps word that spells nothing before it is the name's own word too:
    "Mayday CONFAVIDT", "Comisión de DDHH del Estado Monagas de la FCAV" (FCAV is the parent's).
    """
    text = _without_legal_forms(clean(printed))
    parenthesized = _PARENTHESIZED_AT_END.match(text)
    if parenthesized:
        inner, text = parenthesized.group("inner").strip(), parenthesized.group("name")
        if _is_acronym_token(inner, min_letters=2) and (inner.isupper() or _spells(inner, text, min_words=2)):
            return inner
    return _acronym_after(text) or _acronym_before(text)


def _acronym_after(text: str) -> str | None:
    """The last token, when it spells the words before it (rule 2)."""
    last = _LAST_WORD.match(text)
    if last is None or not _is_acronym_token(word := last.group("word"), _ACRONYM_MIN_LETTERS):
        return None
    needed = _words_needed(word)
    return word if needed and _spells(word, last.group("head"), min_words=needed) else None


def _acronym_before(text: str) -> str | None:
    """The first token before a separator, when it spells the words after it (rule 3)."""
    first = _FIRST_WORD.match(text)
    if first is None or not _is_acronym_token(word := first.group("word"), _ACRONYM_MIN_LETTERS):
        return None
    return word if not word.islower() and _spells(word, first.group("rest"), min_words=2) else None


def _without_legal_forms(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_LEGAL_FORM.sub("", _LEADING_LEGAL_FORM.sub("", text)).strip()
    return text


def _is_acronym_token(token: str, min_letters: int) -> bool:
    letters = _NOT_LETTERS.sub("", fold(token))
    return (
        bool(_ACRONYM_SHAPE.match(token))
        and len(token) <= _ACRONYM_MAX_LENGTH
        and len(letters) >= min_letters
        and letters not in _GENERIC_ACRONYMS
        and letters not in place_words()
        and letters != "venezuela"
    )


def _words_needed(token: str) -> int | None:
    """How many words a token after a name must spell to be its acronym, or None when it cannot be
    one: capitals and hyphens are evidence of their own (two words); a merely capitalized word
    must be long and spell three ("Fundepro"), as short ones are mostly names ("Cuna")."""
    letters = [ch for ch in token if ch.isalpha()]
    inner_capital = any(ch.isupper() for ch in letters[1:])
    if token.isupper() or inner_capital or "-" in token:
        return 2
    if letters and letters[0].isupper() and len(letters) >= _CAPITALIZED_ACRONYM_MIN_LETTERS:
        return 3
    return None


def _spells(acronym: str, source: str, min_words: int) -> bool:
    """Whether the acronym's letters are leading letters of at least `min_words` successive words of source."""
    letters = _NOT_LETTERS.sub("", fold(acronym))
    source_words = [word for word in _expanded_words(fold(source)) if not word.isdigit()]
    if not letters or letters[0] not in {word[0] for word in source_words}:
        return False
    return _most_words_spelling(letters, tuple(source_words)) >= min_words


def _most_words_spelling(letters: str, source_words: tuple[str, ...]) -> int:
    """How many words, at most, lend their leading letters to spell `letters` in order; -1 when
    they cannot. Function words may lend letters ("CERLAS": ... para la Reflexión y LA Acción
    Social) but do not count: "Yuña" is not spelt by "... y Sociales de la Universidad NAcional"."""

    @functools.cache
    def most(position: int, word_index: int) -> int:
        if position == len(letters):
            return 0
        if word_index == len(source_words):
            return -1
        best = most(position, word_index + 1)
        word = source_words[word_index]
        counts = 0 if word in _SPELLING_FILLERS else 1
        size = 1
        while size <= len(word) and letters[position : position + size] == word[:size]:
            rest = most(position + size, word_index + 1)
            if rest >= 0:
                best = max(best, rest + counts)
            size += 1
        return best

    return most(0, 0)
