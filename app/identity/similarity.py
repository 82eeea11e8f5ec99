"""Duplicate suggestions: pairs of organizations that may be one, for a person to decide.

Pure. Candidates come from blocking (never every pair); they are scored by a fuzzy word overlap
weighted by how rare each word is, and vetoed when the names prove them different.
"""

from __future__ import annotations

import functools
import gc
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz.distance import OSA

from app.identity import names
from app.identity.regions import infer_region, place_words

DEFAULT_THRESHOLD = 0.6
"""Lowest score (0..1) the names must earn for a pair to be suggested."""

BLOCK_CAP = 50
"""Largest block whose pairs are compared: a word (or key) shared by more records than this says
too little to be worth the comparisons, and an all-pairs block grows with its square."""

# --- the field's vocabulary ---------------------------------------------------------------------

_STOPWORDS = frozenset({
    "de", "del", "la", "las", "los", "el", "y", "e", "en", "para", "por", "con", "a", "al", "o", "u",
    "sin", "su", "sus", "un", "una", "pro", "of", "the", "for", "and", "in", "on", "to", "an",
})
# English (and gendered Spanish) words this field prints, mapped to one Spanish form, so that a
# name and its translation share words: "Amnesty International" -> "amnistia internacional".
_TRANSLATIONS: dict[str, str] = {
    "amnesty": "amnistia", "international": "internacional", "human": "humanos", "humans": "humanos",
    "humano": "humanos", "rights": "derechos", "foundation": "fundacion", "observatory": "observatorio",
    "commission": "comision", "committee": "comite", "network": "red", "center": "centro",
    "centre": "centro", "association": "asociacion", "institute": "instituto", "justice": "justicia",
    "peace": "paz", "venezuelan": "venezolano", "venezolana": "venezolano", "venezolanos": "venezolano",
    "venezolanas": "venezolano", "education": "educacion", "health": "salud", "women": "mujeres",
    "woman": "mujer", "children": "ninos", "democracy": "democracia", "freedom": "libertad",
    "liberty": "libertad", "press": "prensa", "environment": "ambiente", "council": "consejo",
    "federation": "federacion", "movement": "movimiento", "alliance": "alianza", "coalition": "coalicion",
    "forum": "foro", "program": "programa", "programme": "programa", "school": "escuela",
    "university": "universidad", "church": "iglesia", "office": "oficina", "prosecutor": "fiscal",
    "criminal": "penal", "court": "corte", "national": "nacional", "nations": "naciones",
    "united": "unidas", "society": "sociedad", "development": "desarrollo", "transparency": "transparencia",
    "defenders": "defensores", "victims": "victimas", "relatives": "familiares", "families": "familiares",
    "migrants": "migrantes", "indigenous": "indigenas", "peoples": "pueblos", "friends": "amigos",
    "group": "grupo", "action": "accion", "defense": "defensa", "defence": "defensa", "prisons": "prisiones",
    "workers": "trabajadores", "doctors": "medicos", "lawyers": "abogados", "journalists": "periodistas",
    "caribbean": "caribe", "citizens": "ciudadanos", "citizen": "ciudadano", "union": "union",
    "chapter": "capitulo", "faculty": "facultad", "department": "departamento", "clinic": "clinica",
    "memory": "memoria", "truth": "verdad", "solidarity": "solidaridad", "humanitarian": "humanitaria",
    "vzla": "venezuela", "conflict": "conflictividad", "prison": "prisiones", "violence": "violencia",
    "access": "acceso", "information": "informacion", "expression": "expresion",
}
# Words that fill this field's names (in their translated form). Their frequency starts from this
# share of the imaginary records, so that a small registry does not take "fundación" for rare.
_COMMON_WORDS = frozenset({
    "derechos", "humanos", "centro", "fundacion", "asociacion", "civil", "venezuela", "venezolano",
    "red", "comite", "comision", "observatorio", "movimiento", "organizacion", "organizaciones",
    "sociedad", "nacional", "social", "sociales", "ciudadano", "ciudadana", "ciudadanos", "ciudadania",
    "estado", "consejo", "comunal", "colegio", "federacion", "universidad", "instituto", "alianza",
    "frente", "grupo", "programa", "proyecto", "accion", "defensa", "justicia", "paz", "desarrollo",
    "educacion", "salud", "mujer", "mujeres", "juvenil", "popular", "democracia", "democratica",
    "ong", "internacional", "foro", "union", "coalicion", "amigos", "familiares", "victimas",
    "defensores", "libertad", "vida", "comunidad", "comunitaria", "comunitario", "unidos", "unidad",
    "vecinos", "vecinal", "ambiente", "cultura", "escuela", "iglesia", "parroquia", "municipio",
    "oficina", "asamblea", "apoyo", "ayuda", "humanitaria", "regional", "estudios", "investigacion",
    "catedra", "nueva", "nuevo", "latinoamericana", "america", "caribe", "activistas", "ciudadanas",
})
_COMMON_SHARE = 0.05
# Pseudo-count of imaginary records behind the word frequencies: it keeps weights comparable
# between a registry of a hundred organizations and one of a hundred thousand.
_PRIOR_RECORDS = 1000
_DISTINCTIVE_MAX_SHARE = 0.01  # a word in more of the records than this is not distinctive
_DISTINCTIVE_MIN_LETTERS = 3

# Typos. One edit (a swap of neighbours counts as one) in words of four to nine letters, two from ten.
_TYPO_MIN_LETTERS = 4
_TWO_TYPOS_MIN_LETTERS = 10
# Letters Spanish spelling confuses because they sound alike: the only replacements taken for typos.
_SOUND_ALIKE = frozenset(frozenset(pair) for pair in ("cs", "sz", "cz", "bv", "yi", "gj", "kc", "qk", "xs"))
_TYPO_ALONE_MIN_LETTERS = 7  # a single misspelt word links names alone when this long...
_TYPO_AMID_SHARED_WORDS = 3  # ...or amid this many shared words (and at least five letters)...
_TYPO_AMID_MIN_LETTERS = 5
_ATTESTED_MIN_RECORDS = 3  # ...or when it misprints a word printed by this many records

# Blocking.
_LEAVE_ONE_OUT_MIN_WORDS = 3  # with two words, leaving one out is a single word: the word index's job
_MISPRINT_MAX_RECORDS = 2  # a misprint is rare: two well-attested words a letter apart are two words
# Shorter words one letter apart are too many to pair their records up (a third of all pairs):
# their misprints are found by the all-words-but-one keys when the names have three words or more.
_TYPO_BLOCK_MIN_LETTERS = 5
_INITIALS_MIN_LETTERS = 4  # three initials coincide too often: 'MDP', 'FAM'
_ACRONYM_MIN_LETTERS = 3

# How alike two parts of names (a parent, a unit, a whole name) must be to be the same, but for typos.
_SAME_PART_MIN_SIMILARITY = 0.9
_SAME_NAME_MIN_SIMILARITY = 0.95

# Head words of a body that lives inside another: "Centro ... de la Universidad X".
_UNIT_WORDS = frozenset({
    "centro", "catedra", "comision", "comite", "escuela", "facultad", "instituto", "observatorio",
    "oficina", "vicaria", "capitulo", "seccional", "nucleo", "departamento", "direccion",
    "coordinacion", "clinica", "asociacion", "federacion", "sindicato", "consejo", "delegacion",
    "sede", "extension", "unidad", "laboratorio", "postgrado", "programa", "defensoria", "fiscal",
})
# Words that say what kind of body a name is (see `_kind`): a foundation and a civil association
# of the same name are two legal persons.
_KIND_WORDS = frozenset({
    "fundacion", "asociacion", "colectivo", "movimiento", "red", "centro", "instituto", "observatorio",
    "comite", "comision", "consejo", "universidad", "catedra", "escuela", "federacion", "sindicato",
    "alianza", "coalicion", "frente", "foro", "grupo", "organizacion", "parroquia", "programa",
    "proyecto", "sociedad", "union", "colegio", "camara", "iglesia", "clinica", "oficina",
})
_FIELD_WORDS = _STOPWORDS | _COMMON_WORDS
_LINKS = frozenset({"de", "del", "of"})
_ARTICLES = frozenset({"la", "las", "los", "el", "the"})

# Scores of acronym evidence: a one-word name that is the other's acronym...
_ACRONYM_OF_OTHER = 0.9  # ...printed as such: "Provea" / "... (Provea)"
_PRINTED_INSIDE = 0.8  # ...printed in capitals or parentheses in it: "Tebripar" / "Consejo Comunal TEBRIPAR"
_INITIALS = 0.75  # ...made of its initials: "OVCS" / "Observatorio Venezolano de Conflictividad Social"
_SAME_ACRONYM = 0.8  # both records carry the same acronym in their acronym field
_CONTAINED_BONUS = 0.3  # share of the gap to 1 added when one name is the other plus weak words
# Multipliers for evidence that the two are different organizations.
_DIFFERENT_PLACES = 0.6  # both name places, none in common: "... de Baruta" / "... de Chacao"
_ONE_NUMBERED = 0.7  # "Fundación Moche" / "Fundación Moche 2023": a year or a sector number added
_ONE_PLACED = 0.7  # "Foro Penal" / "Foro Penal Zulia": maybe a chapter
_SAME_STATEMENT = 0.6


@dataclass(frozen=True, slots=True)
class OrgRecord:
    id: int
    names: tuple[str, ...]  # every printed name of the organization, verbatim
    acronym: str | None
    region_code: str | None  # ISO 3166-2, any source
    statement_ids: frozenset[int]  # statements it is printed on


@dataclass(frozen=True, slots=True)
class Suggestion:
    a: int  # smaller id
    b: int
    score: float  # 0..1
    reasons: tuple[str, ...]  # human-readable, strongest first


# --- names as the matcher sees them -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Name:
    """A printed name as the matcher compares it. Words are folded, translated to one language and
    interned: a hundred thousand names repeat the same few thousand words."""

    printed: str
    words: tuple[str, ...]  # content words (no stopwords, no legal forms), in order
    translated: bool  # whether any of them was translated
    core: tuple[str, ...]  # words without the acronym; stopwords kept, for "X de la Y"
    core_words: tuple[str, ...]  # content words of `core`: what names are compared on
    original: tuple[tuple[str, str], ...]  # (translated, as printed) for the translated words
    acronym: str | None  # folded, as `names.extract_acronym` finds it
    printed_tokens: tuple[str, ...]  # maybe acronyms, whether or not they spell the name
    numbers: frozenset[str]
    places: frozenset[str]
    initials: tuple[str, ...]  # of its words, with and without legal forms ("ACPCC", "PCC")
    kind: str | None  # its kind word, from `_KIND_WORDS`
    single_token: str | None  # folded, when the name is printed as one token: "Alfavic-2017"


@dataclass(frozen=True, slots=True)
class _Entry:
    record: OrgRecord
    names: tuple[_Name, ...]
    words: frozenset[str]  # union over its names
    acronyms: frozenset[str]  # folded: the record's, the extracted ones, one-word names
    printed_tokens: frozenset[str]
    initials: frozenset[str]
    one_word: frozenset[str]  # its names that are one word: maybe acronyms printed alone
    kinds: frozenset[str]  # the kind words of its names: a record of another kind is another body


_infer_region = functools.lru_cache(maxsize=1 << 14)(infer_region)


def _folded_key(text: str) -> str:
    return "".join(names.tokens(text))


def _translated(words: Iterable[str]) -> list[str]:
    return [_TRANSLATIONS.get(word, word) for word in words]


def translation_pairs() -> Iterator[tuple[str, str]]:
    """(word, its Spanish form) for the English and variant words this field prints: ('amnesty', 'amnistia')."""
    return iter(_TRANSLATIONS.items())


def _content(words: Iterable[str]) -> list[str]:
    return [word for word in words if word not in _STOPWORDS]


def _without_last(words: list[str], part: list[str]) -> list[str]:
    """`words` with the last occurrence of the run `part` taken out."""
    for start in range(len(words) - len(part), -1, -1):
        if words[start : start + len(part)] == part:
            return words[:start] + words[start + len(part) :]
    return words


def _prepare_name(printed: str) -> _Name:
    cleaned = names.clean(printed)
    acronym = names.extract_acronym(cleaned)
    every_word = [sys.intern(word) for word in names.words(cleaned)]
    all_words = names.strip_legal_forms(every_word)
    translated = _translated(all_words)
    content = tuple(_content(translated))
    core = _without_last(translated, _translated(names.words(acronym))) if acronym else translated
    core_words = tuple(_content(core)) if acronym else content
    return _Name(
        printed=printed,
        words=content,
        translated=translated != all_words,
        core=tuple(core),
        core_words=core_words,
        original=tuple((_TRANSLATIONS[word], word) for word in all_words if word in _TRANSLATIONS),
        acronym=_folded_key(acronym) if acronym else None,
        printed_tokens=_printed_tokens(cleaned),
        numbers=frozenset(digits for word in all_words if (digits := "".join(filter(str.isdigit, word)))),
        places=frozenset(word for word in content if word in place_words()),
        initials=_initials(every_word),
        kind=_kind(_content(_translated(every_word))),
        single_token=_folded_key(cleaned) if " " not in cleaned else None,
    )


def _kind(words: list[str]) -> str | None:
    """The kind word at the head of a name ("Asociación Civil X" is an asociación), or in English
    after its first word or at its end ("X Network for ...", "X Foundation")."""
    return next((word for word in words[:2] + words[-1:] if word in _KIND_WORDS), None)


def _initials(words: list[str]) -> tuple[str, ...]:
    """Initials an acronym may be made of: of the untranslated words with and without legal forms."""
    found = {
        "".join(word[0] for word in _content(kept) if not word.isdigit())
        for kept in (words, names.strip_legal_forms(words))
    }
    return tuple(initials for initials in found if len(initials) >= _INITIALS_MIN_LETTERS)


_PARENTHESIZED = re.compile(r"\(([^()\s]+)\)")
_WITH_CAPITALS = re.compile(r"[^\s()]*[A-ZÁÉÍÓÚÑÜ]{2}[^\s()]*")  # tokens with two capitals in a row


def _printed_tokens(cleaned: str) -> tuple[str, ...]:
    """Folded tokens printed alone in parentheses, or in capitals in a name not all in capitals."""
    tokens = set(_PARENTHESIZED.findall(cleaned))
    if not cleaned.isupper():
        tokens |= {token for token in _WITH_CAPITALS.findall(cleaned) if _all_capitals(token)}
    keys = {_folded_key(token) for token in tokens}
    return tuple(key for key in keys if len(key) >= _ACRONYM_MIN_LETTERS and key not in _FIELD_WORDS)


def _all_capitals(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= _ACRONYM_MIN_LETTERS and all(ch.isupper() for ch in letters)


def _prepare(record: OrgRecord) -> _Entry:
    prepared = tuple(_prepare_name(printed) for printed in record.names)
    one_word = {name.core_words[0] for name in prepared if len(name.core_words) == 1}
    one_word |= {name.single_token for name in prepared if name.single_token}
    one_word = {word for word in one_word if len(word) >= _ACRONYM_MIN_LETTERS and not word.isdigit()}
    acronyms = {name.acronym for name in prepared if name.acronym} | one_word
    if record.acronym:
        acronyms.add(_folded_key(record.acronym))
    return _Entry(
        record=record,
        names=prepared,
        words=frozenset(word for name in prepared for word in name.words),
        acronyms=frozenset(key for key in acronyms if key),
        printed_tokens=frozenset(word for name in prepared for word in name.printed_tokens),
        initials=frozenset(initials for name in prepared for initials in name.initials),
        one_word=frozenset(one_word),
        kinds=frozenset(name.kind for name in prepared if name.kind),
    )


# --- word weights -------------------------------------------------------------------------------


class _Weights:
    """What the whole registry says about words: each word's weight, its IDF over all records (as
    splink's term-frequency adjustments) with the field's common words held down; which words are
    distinctive; which initials belong to one name only."""

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self.frequency = Counter(word for entry in entries for word in entry.words)
        total = len(entries) + _PRIOR_RECORDS
        places = place_words()
        self.weight: dict[str, float] = {}
        distinctive = set()
        for word, count in self.frequency.items():
            prior = _COMMON_SHARE * _PRIOR_RECORDS if word in _COMMON_WORDS else 0.0
            share = (count + prior) / total
            self.weight[word] = -math.log(share)
            if share <= _DISTINCTIVE_MAX_SHARE and _may_be_distinctive(word, places):
                distinctive.add(word)
        self.distinctive = frozenset(distinctive)
        self.unambiguous_initials = _unambiguous_initials(entries)

    def misprint_of_attested(self, first: str, second: str) -> bool:
        """Whether one word is printed once and the other is common or printed by three records."""
        rare, common = sorted((first, second), key=self.frequency.__getitem__)
        return self.frequency[rare] == 1 and (
            common not in self.distinctive or self.frequency[common] >= _ATTESTED_MIN_RECORDS
        )

    def total(self, words: Iterable[str]) -> float:
        return sum(self.weight[word] for word in words)


def _may_be_distinctive(word: str, places: frozenset[str]) -> bool:
    """Places, numbers, stopwords and this field's common words never tell an organization apart."""
    return (
        len(word) >= _DISTINCTIVE_MIN_LETTERS
        and not word.isdigit()
        and word not in _STOPWORDS
        and word not in _COMMON_WORDS
        and word not in places
    )


def _unambiguous_initials(entries: Sequence[_Entry]) -> frozenset[str]:
    """Initials whose names are all one name but for typos: an acronym made of them is that name's."""
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name in entry.names:
            for initials in name.initials:
                owners[initials].add(" ".join(sorted(set(name.core_words))))
    return frozenset(initials for initials, keys in owners.items() if _one_name_but_typos(keys))


def _one_name_but_typos(keys: set[str]) -> bool:
    first = next(iter(keys))
    return all(OSA.normalized_similarity(first, key) >= _SAME_NAME_MIN_SIMILARITY for key in keys)


# --- typos --------------------------------------------------------------------------------------


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))} | {word}


def _typo_neighbours(words: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Pairs of words one edit apart, found by symmetric deletion rather than comparing all."""
    by_deletion: dict[str, list[str]] = defaultdict(list)
    for word in words:
        if len(word) >= _TYPO_BLOCK_MIN_LETTERS and not any(ch.isdigit() for ch in word):
            for key in _deletions(word):
                by_deletion[key].append(word)
    seen: set[tuple[str, str]] = set()
    for group in by_deletion.values():
        if 2 <= len(group) <= BLOCK_CAP:
            for first, second in combinations(sorted(group), 2):
                if (first, second) not in seen and _typo_similarity(first, second):
                    seen.add((first, second))
                    yield first, second


def _typo_similarity(first: str, second: str) -> float:
    """Similarity (1 - edits / length) of two words that may be one word misspelt, 0 when they are
    not: same first letter, one edit in up to nine letters (a swap of neighbours counts as one),
    two from ten, and a lone replacement only by a letter that sounds alike (`_plausible_slip`)."""
    longest = max(len(first), len(second))
    allowed = 1 if longest < _TWO_TYPOS_MIN_LETTERS else 2
    if (
        first[0] != second[0]  # why: a typo seldom hits the first letter; invented names often differ there
        or min(len(first), len(second)) < _TYPO_MIN_LETTERS
        or abs(len(first) - len(second)) > allowed
        or first.isdigit()
        or second.isdigit()
    ):
        return 0.0
    edits = OSA.distance(first, second, score_cutoff=allowed)
    if edits > allowed or (edits == 1 and not _plausible_slip(first, second)):
        return 0.0
    return 1 - edits / longest


def _telltale_slip(first: str, second: str) -> bool:
    """Two neighbouring letters swapped, or a doubled letter printed once (or a letter doubled):
    slips of the hand, seldom how two names differ."""
    if len(first) == len(second):
        differing = [index for index, (x, y) in enumerate(zip(first, second, strict=True)) if x != y]
        return len(differing) == 2 and differing[1] == differing[0] + 1 and first[differing[0]] == second[differing[1]]
    shorter, longer = sorted((first, second), key=len)
    return len(longer) == len(shorter) + 1 and any(
        longer[index] == longer[index - 1] and longer[:index] + longer[index + 1 :] == shorter
        for index in range(1, len(longer))
    )


def _plausible_slip(first: str, second: str) -> bool:
    """Whether a one-edit difference is how words get misprinted: a letter dropped, added or
    swapped with its neighbour, or replaced by one that sounds alike in Spanish ("Acseso"). Other
    replacements are how invented names differ ("Kukupa" / "Kukuya")."""
    if len(first) != len(second):
        return True
    differing = [(x, y) for x, y in zip(first, second, strict=True) if x != y]
    return len(differing) == 2 or frozenset(differing[0]) in _SOUND_ALIKE


# --- blocking -----------------------------------------------------------------------------------


class _PairSink:
    """Collects candidate pairs of record positions, only those touching `involving` when given."""

    def __init__(self, size: int, involving: set[int] | None) -> None:
        self.size = size
        self.involving = involving
        self.pairs: set[int] = set()

    def within(self, positions: Collection[int]) -> None:
        if len(positions) < 2 or len(positions) > BLOCK_CAP:
            return
        if self.involving is None:
            for first, second in combinations(sorted(positions), 2):
                self.pairs.add(first * self.size + second)
        else:
            self.across(positions, positions)

    def across(self, left: Collection[int], right: Collection[int]) -> None:
        if len(left) * len(right) > BLOCK_CAP * BLOCK_CAP:
            return
        if self.involving is None:
            self._add_product(left, right)
            return
        self._add_product([p for p in left if p in self.involving], right)
        self._add_product([p for p in right if p in self.involving], left)

    def add(self, first: int, second: int) -> None:
        if self.involving is None or first in self.involving or second in self.involving:
            self._add_product((first,), (second,))

    def _add_product(self, left: Iterable[int], right: Collection[int]) -> None:
        for first in left:
            for second in right:
                if first < second:
                    self.pairs.add(first * self.size + second)
                elif second < first:
                    self.pairs.add(second * self.size + first)

    def decoded(self) -> Iterator[tuple[int, int]]:
        for code in self.pairs:
            yield divmod(code, self.size)


def _block(entries: Sequence[_Entry], weights: _Weights, sink: _PairSink) -> None:
    """Candidate pairs: records sharing a distinctive word or a misspelling of one; an acronym, or
    an acronym and the initials of a name; or the same words (see `_block_by_words`)."""
    by_word: dict[str, list[int]] = defaultdict(list)
    by_acronym: dict[str, list[int]] = defaultdict(list)
    by_initials: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        for word in entry.words & weights.distinctive:
            by_word[word].append(position)
        for acronym in entry.acronyms:
            by_acronym[acronym].append(position)
        for initials in entry.initials:
            by_initials[initials].append(position)
    for index in (by_word, by_acronym):
        for positions in index.values():
            sink.within(positions)
    for initials, positions in by_initials.items():
        if initials in by_acronym:
            sink.across(by_acronym[initials], positions)
    for first, second in _typo_neighbours(by_word):
        # why: a misprint is rare; two well-attested words a letter apart are two words
        if min(len(by_word[first]), len(by_word[second])) > _MISPRINT_MAX_RECORDS:
            continue
        for position_a in by_word[first]:
            for position_b in by_word[second]:
                if _otherwise_alike(entries[position_a].words - {first}, entries[position_b].words - {second}):
                    sink.add(position_a, position_b)
    _block_by_words(entries, sink)


class _Blocks:
    """Records under each key, kept small for millions of keys: a key's hash stands for it (a
    collision merely adds a candidate pair), and a key of a single record holds no list."""

    def __init__(self) -> None:
        self._held: dict[int, int | list[int]] = {}

    def add(self, key: str, position: int) -> None:
        digest = hash(key)
        held = self._held.get(digest)
        if held is None:
            self._held[digest] = position
        elif isinstance(held, int):
            if held != position:
                self._held[digest] = [held, position]
        elif held[-1] != position:
            held.append(position)

    def get(self, digest: int) -> list[int]:
        held = self._held.get(digest)
        return [] if held is None else [held] if isinstance(held, int) else held

    def items(self) -> Iterator[tuple[int, list[int]]]:
        for digest, held in self._held.items():
            yield digest, [held] if isinstance(held, int) else held

    def values(self) -> Iterator[list[int]]:
        for held in self._held.values():
            yield [held] if isinstance(held, int) else held


def _block_by_words(entries: Sequence[_Entry], sink: _PairSink) -> None:
    """Pairs of names with the same words in any order and language, or with all words but one,
    which one name lacks or the other misspells (same first letter): so a typo in a common word is
    found whatever the words' frequencies."""
    by_words, by_words_but_one, by_words_but_misspelt = _Blocks(), _Blocks(), _Blocks()
    for position, entry in enumerate(entries):
        for name in entry.names:
            words = sorted(set(name.core_words))
            by_words.add(" ".join(words), position)
            if len(words) >= _LEAVE_ONE_OUT_MIN_WORDS:
                for index, left_out in enumerate(words):
                    rest = " ".join(words[:index] + words[index + 1 :])
                    by_words_but_one.add(rest, position)
                    by_words_but_misspelt.add(f"{rest}|{left_out[0]}", position)
    for blocks in (by_words, by_words_but_misspelt):
        for positions in blocks.values():
            sink.within(positions)
    for digest, positions in by_words_but_one.items():
        sink.across(by_words.get(digest), positions)


def _otherwise_alike(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two names, a misspelt word set aside, differ by at most one more word on each side."""
    return len(a - b) <= 1 and len(b - a) <= 1


def candidate_pairs(records: Sequence[OrgRecord], *, involving: Collection[int] | None = None) -> set[tuple[int, int]]:
    """The blocking step alone: the id pairs (smaller first) that `suggest` scores."""
    with _cyclic_gc_paused():
        entries = [_prepare(record) for record in records]
        sink = _PairSink(len(entries), _positions_of(records, involving))
        _block(entries, _Weights(entries), sink)
        pairs = {_ordered(records[first].id, records[second].id) for first, second in sink.decoded()}
        del entries, sink
    return pairs


def _positions_of(records: Sequence[OrgRecord], involving: Collection[int] | None) -> set[int] | None:
    if involving is None:
        return None
    wanted = set(involving)
    return {position for position, record in enumerate(records) if record.id in wanted}


def _ordered(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


# --- vetoes -------------------------------------------------------------------------------------


def _plainly_different(a: _Entry, b: _Entry) -> bool:
    """Regions both known and different, or names with different numbers ("Consejo Comunal 12" /
    "13", "Alfavic-2017" / "Alfavic-2018")."""
    if a.record.region_code and b.record.region_code and a.record.region_code != b.record.region_code:
        return True
    return any(
        name_a.numbers and name_b.numbers and name_a.numbers != name_b.numbers
        for name_a in a.names
        for name_b in b.names
    )


def _units_and_parents(core: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Each way to read a name as a unit inside a parent: 'centro ... de la universidad x'."""
    if not core or core[0] not in _UNIT_WORDS:
        return
    for index, word in enumerate(core):
        if word in _LINKS and index > 0:
            parent = list(core[index + 1 :])
            while parent and parent[0] in _ARTICLES:
                parent.pop(0)
            if parent_words := _content(parent):
                yield " ".join(_content(core[:index])), " ".join(parent_words)


def _inside(a: _Entry, b: _Entry) -> bool:
    """One is a body inside the other ("Centro ... de la UCV" / "UCV"), or both are different
    bodies inside the same one ("Escuela de Derecho de la UCV" / "Centro para la Paz de la UCV")."""
    return any(_name_inside(name_a, name_b, a, b) for name_a in a.names for name_b in b.names)


def _name_inside(a: _Name, b: _Name, a_entry: _Entry, b_entry: _Entry) -> bool:
    a_parts = list(_units_and_parents(a.core))
    b_parts = list(_units_and_parents(b.core))
    if _a_parent_is(a_parts, b, b_entry) or _a_parent_is(b_parts, a, a_entry):
        return True
    return any(
        _alike(parent_a, parent_b) and not _alike(unit_a, unit_b)
        for unit_a, parent_a in a_parts
        for unit_b, parent_b in b_parts
    )


def _a_parent_is(parts: list[tuple[str, str]], name: _Name, entry: _Entry) -> bool:
    """Whether a parent among `parts` is the other name, or its acronym: "Centro ... de la UCV" / "UCV"."""
    others = {" ".join(name.core_words)} | entry.acronyms
    return any(_alike(parent, other) for _, parent in parts for other in others)


def _alike(first: str, second: str) -> bool:
    """Equal but for a typo or two: how a parent's or a unit's name is told to be the same."""
    return first == second or OSA.normalized_similarity(first, second) >= _SAME_PART_MIN_SIMILARITY


# --- scoring ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evidence:
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Alignment:
    """The words of two names paired up: equal, misspelt, split apart, or left over on either side."""

    shared: frozenset[str]
    typos: tuple[tuple[str, str, float], ...]  # (word of a, word of b, similarity)
    split: tuple[tuple[str, ...], tuple[str, ...], float] | None  # (("tebri", "par"), ("tebripar",), similarity)
    left_a: tuple[str, ...]  # in name order
    left_b: tuple[str, ...]

    def pairs_up(self) -> bool:
        """Whether only one name, if any, has words of its own."""
        return not (self.left_a and self.left_b)


def _may_align(a: set[str], b: set[str]) -> bool:
    """A quick test that the words each name has of its own may still be typos or split words."""
    left_a, left_b = a - b, b - a
    if not left_a or not left_b:
        return True
    if len(left_a) != len(left_b):
        return abs(sum(map(len, left_a)) - sum(map(len, left_b))) <= 1
    return {word[0] for word in left_a} == {word[0] for word in left_b}


def _align(a: _Name, b: _Name) -> _Alignment:
    shared = frozenset(a.core_words) & frozenset(b.core_words)
    left_a = [word for word in dict.fromkeys(a.core_words) if word not in shared]
    left_b = [word for word in dict.fromkeys(b.core_words) if word not in shared]
    typos = []
    for word in list(left_a):
        similarity, other = max(((_misspelt(word, other, a, b), other) for other in left_b), default=(0.0, ""))
        if similarity:
            typos.append((word, other, similarity))
            left_a.remove(word)
            left_b.remove(other)
    split = _split_apart(left_a, left_b)
    if split:
        left_a, left_b = [], []
    return _Alignment(shared, tuple(typos), split, tuple(left_a), tuple(left_b))


def _misspelt(word: str, other: str, a: _Name, b: _Name) -> float:
    """Typo similarity of two words, as translated or as printed ("Foundtion" / "Foundation")."""
    similarity = _typo_similarity(word, other)
    if not similarity and (a.original or b.original):
        similarity = _typo_similarity(dict(a.original).get(word, word), dict(b.original).get(other, other))
    return similarity


def _split_apart(left_a: list[str], left_b: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], float] | None:
    """The words left over when one side is the other split or glued ("Tebri par" / "Tebripar"),
    allowing one more typo, with their similarity; None when they are not."""
    if not left_a or not left_b or len(left_a) == len(left_b):
        return None
    glued_a, glued_b = "".join(left_a), "".join(left_b)
    if min(len(glued_a), len(glued_b)) < _TYPO_MIN_LETTERS or OSA.distance(glued_a, glued_b) > 1:
        return None
    return tuple(left_a), tuple(left_b), OSA.normalized_similarity(glued_a, glued_b)


def _typos_suffice(alignment: _Alignment, weights: _Weights) -> bool:
    """Whether misspelt words link otherwise equal names: when several, long, amid three shared
    words, a telltale slip ("Aceso", "Yecail"), or a misprint of a well-attested word (printed
    once, against a common word or one printed by three records or more: "Comnual"). Short
    invented names differ by a letter on their own ("Jamore Foundation" / "Jamire Foundation")."""
    typos = alignment.typos
    longest_shortened = max((min(len(x), len(y)) for x, y, _ in typos), default=0)
    return (
        len(typos) >= 2
        or longest_shortened >= _TYPO_ALONE_MIN_LETTERS
        or (len(alignment.shared) >= _TYPO_AMID_SHARED_WORDS and longest_shortened >= _TYPO_AMID_MIN_LETTERS)
        or any(_telltale_slip(x, y) or weights.misprint_of_attested(x, y) for x, y, _ in typos)
    )


def _name_evidence(a: _Name, b: _Name, weights: _Weights) -> _Evidence | None:
    """How alike two names are, or None when nothing distinctive links them.

    None too when each name has words the other lacks (beyond typos and split words): "Colectivo
    Pasos de Paz" / "Colectivo Pasos de Vida" are two organizations, however alike; so are two
    names printing different acronyms. Misspelt words alone link names only when nothing else
    differs. Acronyms are left out of the comparison: they are evidence of their own.
    """
    if a.acronym and b.acronym and not _alike(a.acronym, b.acronym):
        return None
    if not _may_align(set(a.core_words), set(b.core_words)):
        return None
    alignment = _align(a, b)
    if not alignment.pairs_up():
        return None
    distinctive = sorted(alignment.shared & weights.distinctive)
    equal_but_typos = not (alignment.left_a or alignment.left_b) and (
        not alignment.typos or _typos_suffice(alignment, weights)
    )
    if not (distinctive or alignment.split or equal_but_typos):
        return None
    evidence = _Evidence(_overlap(a, b, alignment, weights), _likeness(a, b, alignment, distinctive))
    return _discounted(evidence, a, b)


def _overlap(a: _Name, b: _Name, alignment: _Alignment, weights: _Weights) -> float:
    """Weighted overlap of the two names' words (misspelt ones by their similarity): rare words
    count much, the field's common words little."""
    weight = weights.weight
    matched = weights.total(alignment.shared)
    matched += sum(similarity * (weight[x] + weight[y]) / 2 for x, y, similarity in alignment.typos)
    if alignment.split:
        words_a, words_b, similarity = alignment.split
        matched += similarity * weights.total(words_a + words_b) / 2
    total = weights.total(set(a.core_words)) + weights.total(set(b.core_words))
    score = 2 * matched / total
    # why: one name inside the other is how variants mostly differ (a kind, a place added); when
    # the extra words are distinctive, they may as well name another organization
    if not weights.distinctive.intersection(alignment.left_a + alignment.left_b):
        score += (1 - score) * _CONTAINED_BONUS
    return min(score, 1.0)


def _likeness(a: _Name, b: _Name, alignment: _Alignment, distinctive: list[str]) -> tuple[str, ...]:
    reasons = []
    if a.translated != b.translated and set(a.words) == set(b.words):
        reasons.append(f"same name in another language ({a.printed} / {b.printed})")
    elif set(a.core_words) == set(b.core_words):
        reasons.append("same words, once acronyms, legal forms and word order are set aside")
    if distinctive:
        quoted = ", ".join(f"'{word}'" for word in distinctive)
        reasons.append(f"share the distinctive word{'s' if len(distinctive) > 1 else ''} {quoted}")
    if alignment.split:
        words_a, words_b, _ = alignment.split
        reasons.append(f"'{' '.join(words_a)}' and '{' '.join(words_b)}' are one word split apart")
    reasons += [f"'{x}' and '{y}' are spelt alike: a typo?" for x, y, _ in alignment.typos]
    return tuple(reasons)


def _discounted(evidence: _Evidence, a: _Name, b: _Name) -> _Evidence:
    """Evidence lowered by what suggests two organizations: different places, or a number only
    one name carries."""
    score, reasons = evidence.score, evidence.reasons
    if a.places and b.places and a.places.isdisjoint(b.places):
        score *= _DIFFERENT_PLACES
        reasons += (f"name different places ({', '.join(sorted(a.places))} / {', '.join(sorted(b.places))})",)
    if bool(a.numbers) != bool(b.numbers):
        score *= _ONE_NUMBERED
        reasons += (f"only one name carries a number ({', '.join(sorted(a.numbers | b.numbers))})",)
    return _Evidence(score, reasons)


def _acronym_evidence(short: _Entry, long: _Entry, unambiguous: frozenset[str]) -> _Evidence | None:
    """A one-word name of `short` that is the acronym of `long`: printed in it, or made of its
    initials when no other name has the same initials (but the same name misspelt)."""
    if not short.one_word:
        return None
    if printed := sorted(short.one_word & long.acronyms):
        return _Evidence(_ACRONYM_OF_OTHER, (f"acronym '{printed[0]}' is printed inside the other name",))
    if tokens := sorted(short.one_word & long.printed_tokens):
        return _Evidence(_PRINTED_INSIDE, (f"'{tokens[0]}' is printed inside the other name",))
    initials = short.one_word & unambiguous & {initials for name in long.names for initials in name.initials}
    if initials:
        return _Evidence(_INITIALS, (f"acronym '{min(initials)}' matches the initials of the other name",))
    return None


def _evidence(a: _Entry, b: _Entry, weights: _Weights) -> _Evidence | None:
    """The strongest evidence that two records are one organization, or None. Records of different
    kinds are different bodies, whatever else they share: "Fundación X" / "Asociación Civil X"."""
    if a.kinds and b.kinds and a.kinds.isdisjoint(b.kinds):
        return None
    found = [_name_evidence(name_a, name_b, weights) for name_a in a.names for name_b in b.names]
    found += [
        _acronym_evidence(a, b, weights.unambiguous_initials),
        _acronym_evidence(b, a, weights.unambiguous_initials),
    ]
    if a.record.acronym and b.record.acronym and _folded_key(a.record.acronym) == _folded_key(b.record.acronym):
        found.append(_Evidence(_SAME_ACRONYM, (f"same acronym '{a.record.acronym}'",)))
    return max((e for e in found if e), key=lambda evidence: evidence.score, default=None)


def _worded(entry: _Entry) -> bool:
    """Whether the record has a name of several words: an acronym printed alone states no place."""
    return any(name.single_token is None for name in entry.names)


def _regions_named(entry: _Entry) -> frozenset[str]:
    """The regions the record's names state, as `regions.infer_region` reads them."""
    return frozenset(match.code for printed in entry.record.names if (match := _infer_region(printed)))


def _placed(evidence: _Evidence, regions_a: frozenset[str], regions_b: frozenset[str]) -> _Evidence | None:
    """Evidence weighed by the places the names state: None for different regions ("Colegio de
    Médicos del Estado Lara" / "... Mérida"), lowered when only one name states one: a body and
    its chapter ("Foro Penal" / "Foro Penal Zulia") are often two organizations."""
    if regions_a and regions_b:
        return None if regions_a.isdisjoint(regions_b) else evidence
    if regions_a or regions_b:
        named = ", ".join(sorted(regions_a | regions_b))
        reason = f"only one name states a region ({named}): maybe a chapter"
        return _Evidence(evidence.score * _ONE_PLACED, (*evidence.reasons, reason))
    return evidence


def suggest(
    records: Sequence[OrgRecord],
    *,
    involving: Collection[int] | None = None,
    decided: Callable[[int, int], bool] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suggestion]:
    """Pairs that may be the same organization, best first.

    Only pairs with at least one id in `involving` when given (incremental use after an import).
    `decided(a, b)` true ⇒ never suggest that pair (a person decided it already).

    Word weights always come from all `records`. Never suggested (vetoed): regions both known and
    different (the records' own, or those their names state), different numbers, bodies of
    different kinds ("Fundación X" / "Asociación Civil X"), one body inside the other or two
    different bodies inside one. Evidence that they differ (names of different places; a number,
    or a region, that only one name states) lowers the score before it meets `threshold`. Two
    names printed on the same statement as different lines are evidence of two organizations
    too, but the pair is still suggested: its score is lowered after the threshold, with a
    reason saying so, so that a person sees it late but sees it.
    """
    with _cyclic_gc_paused():
        entries = [_prepare(record) for record in records]
        weights = _Weights(entries)
        sink = _PairSink(len(entries), _positions_of(records, involving))
        _block(entries, weights, sink)
        suggestions = _scored(entries, weights, sink, decided, threshold)
        suggestions.sort(key=lambda suggestion: (-suggestion.score, suggestion.a, suggestion.b))
        # why: freed now, while the collector is paused, they are never walked by it
        del entries, weights, sink
    return suggestions


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the matcher makes millions of objects and no cycles, and
    the collector would walk them all again and again (a quarter of the run time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scored(
    entries: Sequence[_Entry],
    weights: _Weights,
    sink: _PairSink,
    decided: Callable[[int, int], bool] | None,
    threshold: float,
) -> list[Suggestion]:
    suggestions = []
    for first, second in sink.decoded():
        a, b = entries[first], entries[second]
        low, high = _ordered(a.record.id, b.record.id)
        if _plainly_different(a, b) or (decided is not None and decided(low, high)):
            continue
        evidence = _evidence(a, b, weights)
        if evidence is None or evidence.score < threshold or _inside(a, b):
            continue
        # why: inferring regions is slow, so only the few pairs that made it this far pay for it
        if _worded(a) and _worded(b):
            evidence = _placed(evidence, _regions_named(a), _regions_named(b))
        if evidence is None or evidence.score < threshold:
            continue
        score, reasons = evidence.score, evidence.reasons
        if a.record.statement_ids & b.record.statement_ids:
            score *= _SAME_STATEMENT
            reasons += ("both printed on the same statement, as different lines: evidence they are different",)
        suggestions.append(Suggestion(low, high, round(score, 4), reasons))
    return suggestions
