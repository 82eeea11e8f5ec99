"""Text matching in SQL that gives the same answers on SQLite and PostgreSQL.

Names: every word of the query must start a word of some printed name (or the whole query start
the acronym), after folding case, accents and punctuation: "funda justicia" finds "Fundación
Acceso a la Justicia". SQLite answers from an FTS5 index, PostgreSQL from a GIN index over
`to_tsvector('simple', search_text)`; both split the folded text at the same spaces, so they agree.
When nothing matches, `fuzzy_organization_ids` tolerates typos ("Acseso a la Justisia").

Statements: the same word-prefix rule over title, summary and body, folded in SQL (no index:
statements are few).
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Select, String, and_, bindparam, column, func, literal, literal_column, or_, select, table
from sqlalchemy.orm import Session

from app.identity import names
from app.models import Organization, OrganizationName, PrintedName

_FTS = table("printed_names_fts", column("rowid"), column("printed_names_fts"))
_SIMPLE = literal_column("'simple'::regconfig")
_ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçý"
_PLAIN = "aaaaaaeeeeiiiiooooouuuuncy"

FUZZY_MIN_SCORE = 85
_FUZZY_PREFIX = 3
_FUZZY_MAX_CANDIDATES = 50_000
_FUZZY_MAX_RESULTS = 200


def query_words(q: str | None) -> list[str]:
    """The folded words of a query: 'Fundación  (ACJ)' -> ['fundacion', 'acj']."""
    return names.search_text(q).split() if q else []


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def printed_names_matching(session: Session, words: list[str], *, any_word: bool = False) -> Select:
    """Ids of printed names in which each word (or, with any_word, some word) starts a word."""
    postgresql = is_postgresql(session)
    return _printed_names_matching(postgresql, _names_query(postgresql, words, any_word=any_word))


# Words printed in short or in full, either of which a query may use: "derechos humanos" also
# finds "Centro de DDHH" and "DD.HH.", and "ddhh" finds the names written in full (as match keys do).
_SAME_WORDS: tuple[tuple[str, ...], ...] = (("derechos", "humanos"), ("ddhh",), ("dd", "hh"))


def _word_groups(words: list[str]) -> list[list[tuple[str, ...]]]:
    """Each word as a group of one alternative, except a run that `_SAME_WORDS` spells another way,
    which becomes one group of every spelling: any one of them must match."""
    groups: list[list[tuple[str, ...]]] = []
    index = 0
    while index < len(words):
        spelled = next((form for form in _SAME_WORDS if tuple(words[index : index + len(form)]) == form), None)
        if spelled is None:
            groups.append([(words[index],)])
            index += 1
        else:
            groups.append(list(_SAME_WORDS))
            index += len(spelled)
    return groups


def _names_query(postgresql: bool, words: list[str], *, any_word: bool = False) -> str:
    """The full-text query of `words`: a tsquery on PostgreSQL, an FTS5 MATCH expression on SQLite."""
    if postgresql:
        if any_word:
            return " | ".join(f"{word}:*" for word in words)
        return " & ".join(_alternatives(group, " | ", " & ", "{}:*") for group in _word_groups(words))
    if any_word:
        return " OR ".join(f'"{word}"*' for word in words)
    return " AND ".join(_alternatives(group, " OR ", " AND ", '"{}"*') for group in _word_groups(words))


def _alternatives(group: list[tuple[str, ...]], either: str, both: str, term: str) -> str:
    if len(group) == 1 and len(group[0]) == 1:
        return term.format(group[0][0])
    return "(" + either.join("(" + both.join(term.format(word) for word in form) + ")" for form in group) + ")"


def _printed_names_matching(postgresql: bool, names_query: Any) -> Select:
    if postgresql:
        vector = func.to_tsvector(_SIMPLE, PrintedName.search_text)
        return select(PrintedName.id).where(vector.op("@@")(func.to_tsquery(_SIMPLE, names_query)))
    return select(_FTS.c.rowid).where(_FTS.c.printed_names_fts.op("MATCH")(names_query))


def organizations_matching_params(postgresql: bool, words: list[str]) -> dict[str, str]:
    """The values `organizations_matching` binds for a query's words."""
    prefix = "".join(words)
    return {
        "names_query": _names_query(postgresql, words),
        "acronym_from": prefix,
        "acronym_below": prefix[:-1] + chr(ord(prefix[-1]) + 1),
    }


def organizations_matching(postgresql: bool) -> ColumnElement[bool]:
    """Condition on Organization: a printed name has every word, or the acronym starts with them
    (as an index range: a LIKE would not use the index). Values bound by name: see
    `organizations_matching_params`."""
    by_name = Organization.id.in_(
        select(OrganizationName.organization_id).where(
            OrganizationName.printed_name_id.in_(_printed_names_matching(postgresql, bindparam("names_query")))
        )
    )
    lowered = func.lower(Organization.acronym)
    if postgresql:
        lowered = lowered.collate("C")
    return or_(by_name, and_(lowered >= bindparam("acronym_from"), lowered < bindparam("acronym_below")))


def fuzzy_organization_ids(session: Session, q: str) -> list[int]:
    """Organizations whose printed name is close to `q` despite typos, best first.

    Candidates are the names with a word starting like one of the query's two longest words
    (a typo in the first three letters of both is not forgiven); rapidfuzz scores only those.
    """
    words = query_words(q)
    stems = sorted({word[:_FUZZY_PREFIX] for word in sorted(words, key=len, reverse=True)[:2] if len(word) >= _FUZZY_PREFIX})
    if not stems:
        return []
    candidates = session.execute(
        select(PrintedName.search_text, OrganizationName.organization_id)
        .join(OrganizationName, OrganizationName.printed_name_id == PrintedName.id)
        .where(PrintedName.id.in_(printed_names_matching(session, stems, any_word=True)))
        .limit(_FUZZY_MAX_CANDIDATES)
    ).all()
    texts = [row.search_text for row in candidates]
    scored = process.extract(
        " ".join(words), texts, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_MIN_SCORE, limit=_FUZZY_MAX_RESULTS
    )
    ranked: list[int] = []
    for _text, _score, index in scored:
        organization_id = candidates[index].organization_id
        if organization_id not in ranked:
            ranked.append(organization_id)
    return ranked


def _folded(postgresql: bool, text_column: ColumnElement[str | None]) -> ColumnElement[str]:
    if postgresql:
        lowered = func.translate(func.lower(func.coalesce(text_column, "")), _ACCENTED, _PLAIN)
        words = func.regexp_replace(lowered, "[^a-z0-9]+", " ", "g")
    else:
        words = func.coalesce(func.firmas_search_text(text_column, type_=String), "")
    return literal(" ") + words


def word_start_pattern(word: str) -> str:
    """The LIKE pattern of a folded word starting a word of a `folded` text."""
    return f"% {word}%"


def text_has_patterns(postgresql: bool, columns: list[ColumnElement[str | None]], patterns: list[Any]) -> ColumnElement[bool]:
    """Every LIKE pattern (a value or a bound parameter) matches the folded text of one of `columns`."""
    haystacks = [_folded(postgresql, col) for col in columns]
    return and_(*[or_(*[haystack.like(pattern) for haystack in haystacks]) for pattern in patterns])
