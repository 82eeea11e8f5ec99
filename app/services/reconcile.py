"""Reconciliation (W3C / OpenRefine Reconciliation Service API 0.2): a name typed in a spreadsheet
-> the registry's organizations it may be, scored 0-100, with `match` only when certain.

Candidates come from SQL (the printed name's match key, and the folded search text of printed
names sharing a word, or half a word, with the query); only those few are scored in Python.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from app.identity import names
from app.errors import InvalidInput
from app.models import Organization, OrganizationName, PrintedName
from app.identity.regions import region_name, resolve_region
from app.identity.similarity import translation_pairs
from app.identity.text import fold
from app.services import organizations
from app.services.organizations import OrganizationFilters

ORGANIZATION_TYPE = {"id": "organization", "name": "Organization"}
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
PROPERTIES = ("region", "country")
"""Property ids a query may give: `region` (ISO 3166-2 code or name) and `country` (ISO 3166-1)."""

# Printed names fetched per query before scoring: enough for the best few to be among them.
_CANDIDATE_NAMES = 60
# Words that say nothing about which organization a name is; never used to find candidates.
_WEAK_WORDS = frozenset({
    "de", "del", "la", "las", "los", "el", "y", "e", "en", "para", "por", "con", "a", "al", "o", "u",
    "of", "the", "for", "and", "in", "on", "to", "an", "ac",
})
_MIN_WORD = 3
# why: a word with one typo keeps one of its halves intact (pigeonhole), so halves of this many
# letters or more find "Justicia" from "Justisia" without any trigram index.
_MIN_HALF = 3
_TYPO_MIN_LETTERS = 4  # shorter words must be spelt right to count
_TYPO_MIN_SIMILARITY = 0.8  # one wrong letter in a word of six or more
_ACRONYM_SCORE = 90.0
_TRANSLATED = 0.95  # a name equal only once translated is likely, not certain, the same
_BEST_UNCERTAIN = 99.0  # only an equal match key scores 100
_OTHER_REGION = 0.7  # a candidate placed elsewhere than the query says
_NO_REGION = 0.95  # a candidate with no known region, when the query gives one
_PLACE_ONLY = 50.0  # a query of properties alone: every organization of that place is as likely


_SPANISH = dict(translation_pairs())  # "amnesty" -> "amnistia"


def _by_spanish_form() -> dict[str, list[str]]:
    """ "amnistia" -> ["amnesty"]: so that a Spanish query finds a name printed in English."""
    reverse: dict[str, list[str]] = {}
    for word, spanish in _SPANISH.items():
        reverse.setdefault(spanish, []).append(word)
    return reverse


_OTHER_LANGUAGES = _by_spanish_form()


class PropertyValue(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str | None = None


class QueryProperty(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pid: str
    v: str | int | float | bool | PropertyValue | list[str | int | float | bool | PropertyValue]


class ReconciliationQuery(BaseModel):
    """One query of a batch, as OpenRefine sends it."""

    model_config = ConfigDict(extra="ignore")
    query: str = ""
    type: str | list[str] | None = None
    type_strict: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1)
    properties: list[QueryProperty] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Place:
    """Where the query says the organization is; an empty set says nothing."""

    region_codes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@dataclass(slots=True)
class Candidate:
    id: int
    name: str
    score: float
    match: bool
    acronym: str | None
    region_code: str | None
    sector: str | None
    same_key: bool = False  # one of its printed names has the query's match key
    same_acronym: bool = False  # the query is its acronym
    same_id: bool = False  # the query is its id or slug
    name_similarity: float = 0.0  # 0..1, the best word overlap of the query with its names
    place_match: bool | None = None  # whether its region and country agree with the query's; None: none given

    @property
    def description(self) -> str:
        parts = [self.acronym] if self.acronym else []
        if self.region_code:
            parts.append(f"{region_name(self.region_code) or self.region_code} ({self.region_code})")
        return " · ".join(parts)


@dataclass(slots=True)
class _Found:
    organization: Organization
    printed: list[str] = field(default_factory=list)


def parse_batch(raw: str) -> dict[str, ReconciliationQuery]:
    """The `queries` parameter (a JSON object of query id -> query) or InvalidInput naming what is wrong."""
    try:
        batch = json.loads(raw)
    except ValueError as error:
        raise InvalidInput(f"queries is not valid JSON: {error}.", parameter="queries") from error
    if not isinstance(batch, dict):
        raise InvalidInput("queries must be a JSON object of query id -> query.", parameter="queries")
    parsed = {}
    for key, value in batch.items():
        try:
            parsed[key] = ReconciliationQuery.model_validate(value)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            detail = f"queries.{key}{'.' + where if where else ''}: {first['msg']}"
            raise InvalidInput(detail + ".", parameter="queries") from error
        _check_properties(key, parsed[key])
    return parsed


def _check_properties(key: str, query: ReconciliationQuery) -> None:
    for prop in query.properties:
        if prop.pid not in PROPERTIES:
            raise InvalidInput(
                f"queries.{key}: unknown property '{prop.pid}'; this service knows {', '.join(PROPERTIES)}.",
                parameter="queries",
            )


def reconcile_batch(session: Session, batch: Mapping[str, ReconciliationQuery]) -> dict[str, list[Candidate]]:
    """Candidates for each query of the batch, best first, at most the query's limit (capped at MAX_LIMIT)."""
    return {key: reconcile(session, query, query_id=key) for key, query in batch.items()}


def reconcile(session: Session, query: ReconciliationQuery, *, query_id: str = "q") -> list[Candidate]:
    """Candidates for one query; none when it asks for a type other than organization.

    The query may be a name, an acronym, or an organization's id or slug (that organization, with
    score 100); a query of properties alone lists the organizations of that place.
    """
    if not wants_organizations(query.type):
        return []
    text = names.normalize_whitespace(query.query)
    place = _place(query, query_id)
    limit = min(query.limit, MAX_LIMIT)
    if not names.search_text(text):
        return _in_place(session, place, limit) if place.region_codes or place.countries else []
    found = _candidates(session, text)
    identified = organizations.live_by_id_or_slug(session, text)
    if identified is not None and identified not in found:
        found.update(_load(session, [identified]))
    scored = [candidate for entry in found.values() if (candidate := _score(text, entry, place, identified)).score > 0]
    _mark_match(scored)
    scored.sort(key=lambda candidate: (-candidate.score, candidate.name, candidate.id))
    return scored[:limit]


def wants_organizations(requested: str | list[str] | None) -> bool:
    """Whether a query's `type` asks for organizations: by the type's id or its name, any case."""
    if requested is None or requested == []:
        return True
    wanted = [requested] if isinstance(requested, str) else requested
    known = {ORGANIZATION_TYPE["id"], ORGANIZATION_TYPE["name"].lower()}
    return any(str(kind).strip().lower() in known for kind in wanted)


def _in_place(session: Session, place: Place, limit: int) -> list[Candidate]:
    """A query of properties alone: the organizations of that region (and country), by name."""
    filters = OrganizationFilters(region=sorted(place.region_codes))
    if len(place.countries) == 1:
        filters.country = next(iter(place.countries))
    page = organizations.search(session, filters, limit=limit)
    return [
        Candidate(
            id=row.id, name=row.name, score=_PLACE_ONLY, match=False, acronym=row.acronym,
            region_code=row.region_code, sector=row.sector, place_match=True,
        )
        for row in page.items
        if not place.countries or (row.country or "").upper() in place.countries
    ]  # fmt: skip


def _values(prop: QueryProperty) -> list[str]:
    values = prop.v if isinstance(prop.v, list) else [prop.v]
    return [value.id if isinstance(value, PropertyValue) else str(value) for value in values]


def _place(query: ReconciliationQuery, query_id: str) -> Place:
    """The regions and countries the query's properties name; an unknown one is an error, not ignored."""
    countries = {
        value.strip().upper() for prop in query.properties if prop.pid == "country" for value in _values(prop)
    }
    for country in countries:
        if len(country) != 2 or not country.isalpha():
            raise InvalidInput(f"queries.{query_id}: country '{country}' is not an ISO 3166-1 code.", parameter="queries")
    regions = set()
    for value in (value for prop in query.properties if prop.pid == "region" for value in _values(prop)):
        code = _region_code(value, countries)
        if code is None:
            raise InvalidInput(f"queries.{query_id}: unknown region '{value}'.", parameter="queries")
        regions.add(code)
    return Place(frozenset(regions), frozenset(countries))


def _region_code(value: str, countries: set[str]) -> str | None:
    for country in sorted(countries) or ["VE"]:
        code = resolve_region(value, country)
        if code is not None:
            return code
    return resolve_region(value, None)


# --- finding candidates -------------------------------------------------------------------------


def _blocking_terms(text: str) -> dict[str, int]:
    """Folded pieces a candidate's search text should contain, with their weight: whole words 2,
    halves of long words 1 (one of them survives a typo)."""
    terms: dict[str, int] = {}
    for word in names.search_text(text).split():
        if word in _WEAK_WORDS or len(word) < _MIN_WORD:
            continue
        terms[word] = 2
        for translation in (_SPANISH.get(word), *_OTHER_LANGUAGES.get(word, ())):
            if translation:
                terms.setdefault(translation, 2)
        if len(word) >= 2 * _MIN_HALF:
            middle = len(word) // 2
            for half in (word[:middle], word[middle:]):
                terms.setdefault(half, 1)
    return terms


def _candidates(session: Session, text: str) -> dict[int, _Found]:
    """Live organizations whose printed names share the query's match key, or its words."""
    ids = set(
        session.scalars(
            select(OrganizationName.organization_id)
            .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
            .where(PrintedName.match_key == names.match_key(text))
        )
    )
    terms = _blocking_terms(text)
    if terms:
        ids |= _organizations_sharing_terms(session, terms)
    ids |= set(
        session.scalars(
            select(Organization.id).where(
                func.lower(Organization.acronym) == fold(text).replace(" ", ""), Organization.merged_into_id.is_(None)
            )
        )
    )
    return _load(session, ids)


def _organizations_sharing_terms(session: Session, terms: Mapping[str, int]) -> set[int]:
    conditions: list[tuple[ColumnElement[bool], int]] = [
        (PrintedName.search_text.contains(term, autoescape=True), weight) for term, weight in terms.items()
    ]
    shared = sum((case((condition, weight), else_=0) for condition, weight in conditions), start=0)
    rows = session.execute(
        select(OrganizationName.organization_id)
        .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .where(or_(*(condition for condition, _ in conditions)))
        .order_by(shared.desc(), PrintedName.id)
        .limit(_CANDIDATE_NAMES)
    )
    return {organization_id for (organization_id,) in rows}


def _load(session: Session, ids: Iterable[int]) -> dict[int, _Found]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = {
        organization.id: _Found(organization)
        for organization in session.scalars(
            select(Organization).where(Organization.id.in_(ids), Organization.merged_into_id.is_(None))
        )
    }
    for organization_id, text in session.execute(
        select(OrganizationName.organization_id, PrintedName.text)
        .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .where(OrganizationName.organization_id.in_(list(found)))
        .order_by(PrintedName.id)
    ):
        found[organization_id].printed.append(text)
    return found


# --- scoring ------------------------------------------------------------------------------------


def _score(text: str, found: _Found, place: Place, identified: int | None = None) -> Candidate:
    organization = found.organization
    key, squeezed = names.match_key(text), _squeezed(text)
    same_key = any(names.match_key(printed) == key for printed in found.printed)
    acronyms = {_squeezed(acronym) for acronym in _acronyms(organization, found.printed)}
    same_acronym = squeezed in acronyms
    same_id = organization.id == identified
    labels = [*found.printed, organization.name]
    similarity = max(_name_similarity(text, label) for label in labels)
    if same_key or same_id:
        score = 100.0
    else:
        score = min(_BEST_UNCERTAIN, 100 * similarity)
        if same_acronym:
            score = max(score, _ACRONYM_SCORE)
    factor, contradicted = _place_factor(organization, place)
    return Candidate(
        id=organization.id,
        name=organization.name,
        score=round(score * factor, 1),
        match=False,
        acronym=organization.acronym or names.extract_acronym(organization.name),
        region_code=organization.region_code,
        sector=organization.sector,
        same_key=same_key and not contradicted,
        same_acronym=same_acronym and not contradicted,
        same_id=same_id,
        name_similarity=round(1.0 if same_key else similarity, 3),
        place_match=None if not (place.region_codes or place.countries) else not contradicted,
    )


def _acronyms(organization: Organization, printed: Iterable[str]) -> set[str]:
    found = {acronym for name in printed if (acronym := names.extract_acronym(name))}
    return found | {organization.acronym} if organization.acronym else found


def _name_similarity(query: str, label: str) -> float:
    """0..1; a name that only matches once translated ("Amnistía"/"Amnesty") earns a little less."""
    as_printed = _word_overlap(_content_words(query), _content_words(label))
    translated = _word_overlap(_content_words(query, translate=True), _content_words(label, translate=True))
    return max(as_printed, _TRANSLATED * translated)


@functools.lru_cache(maxsize=1 << 14)
def _content_words(name: str, *, translate: bool = False) -> tuple[str, ...]:
    """The words that tell one organization from another, without the printed acronym (scored
    apart), legal forms and function words; with `translate`, in their Spanish form."""
    acronym = names.extract_acronym(name)
    words = names.strip_legal_forms(names.words(name))
    if acronym and words and words[-1] == _squeezed(acronym):
        words = words[:-1]
    content = [word for word in words if word not in _WEAK_WORDS]
    return tuple(_SPANISH.get(word, word) for word in content) if translate else tuple(content)


def _word_overlap(query: tuple[str, ...], label: tuple[str, ...]) -> float:
    """Dice coefficient of the two word lists, where a word misspelt by a letter or two counts
    for its similarity: 'acseso justisia' / 'acceso justicia' -> about 0.85."""
    if not query or not label:
        return 0.0
    unused = list(label)
    shared = 0.0
    for word in query:
        best, similarity = None, 0.0
        for other in unused:
            alike = _word_similarity(word, other)
            if alike > similarity:
                best, similarity = other, alike
        if best is not None:
            unused.remove(best)
            shared += similarity
    return 2 * shared / (len(query) + len(label))


def _word_similarity(first: str, second: str) -> float:
    if first == second:
        return 1.0
    if min(len(first), len(second)) < _TYPO_MIN_LETTERS:
        return 0.0
    similarity = fuzz.ratio(first, second) / 100
    return similarity if similarity >= _TYPO_MIN_SIMILARITY else 0.0


def _squeezed(text: str) -> str:
    return names.search_text(text).replace(" ", "")


def _place_factor(organization: Organization, place: Place) -> tuple[float, bool]:
    """How much the query's place lowers the score, and whether it contradicts the candidate's."""
    factor, contradicted = 1.0, False
    for wanted, known in ((place.region_codes, organization.region_code), (place.countries, organization.country)):
        if not wanted:
            continue
        if known is None:
            factor *= _NO_REGION
        elif known.upper() not in wanted:
            factor *= _OTHER_REGION
            contradicted = True
    return factor, contradicted


def _mark_match(candidates: list[Candidate]) -> None:
    """`match` says the candidate is certainly the one: the one whose id or slug the query is; else
    the only one with the query's match key, or, when none has it, the only one whose acronym the
    query is. Two certain ones: neither is."""
    for certain in ("same_id", "same_key", "same_acronym"):
        found = [candidate for candidate in candidates if getattr(candidate, certain)]
        if found:
            if len(found) == 1:
                found[0].match = True
            return


FEATURES: dict[str, str] = {
    "name_similarity": "0-1: how much of the query's distinctive words the best of the organization's printed names "
    "shares (a word misspelt by a letter or two counts for its similarity; 1 when a printed name has the query's match key).",
    "match_key": "true when one of the organization's printed names has the query's match key (the key that makes two "
    "printed names one organization: case, accents, punctuation, legal forms and DDHH/Edo./Fund. ignored).",
    "acronym_match": "true when the query is the organization's acronym, or one printed in one of its names.",
    "place_match": "Only when the query gives `region` or `country`: true when the organization's agree (or are unknown), "
    "false when they differ.",
}


def result_item(candidate: Candidate) -> dict[str, Any]:
    """A candidate in the API's shape, with the features its score comes from."""
    features: list[dict[str, Any]] = [
        {"id": "name_similarity", "value": candidate.name_similarity},
        {"id": "match_key", "value": candidate.same_key},
        {"id": "acronym_match", "value": candidate.same_acronym},
    ]
    if candidate.place_match is not None:
        features.append({"id": "place_match", "value": candidate.place_match})
    return {
        "id": str(candidate.id),
        "name": candidate.name,
        "score": candidate.score,
        "match": candidate.match,
        "type": [ORGANIZATION_TYPE],
        "description": candidate.description,
        "features": features,
    }
