"""Which organization a signature line names when several are printed with the same words.

Pure rules over evidence. A line's *context* is what its own file said about the organization: a
region code, a country. An organization's *evidence* is what files and admins said of it before:
the region an admin set or the files gave (all of them, when the files disagree) and its country
from the same sources. A region inferred from the name is no evidence here: the same words infer
the same region, so it can neither confirm nor contradict a homonym.

Equal match keys join a line to an organization only when that is certain (`choose`):
- evidence that contradicts the line's context (another state, another country) keeps them apart;
- a printed form an admin split off to an organization goes there (unless contradicted);
- among the candidates that do not contradict it, the one whose evidence agrees wins, if it is
  the only one; else the only candidate, if there is only one;
- anything else is ambiguous: the line gets an organization of its own, suggested for review
  against each candidate. Nothing is guessed.

`derive_place` gives an organization's region and country from its lines' evidence: an admin's
word, over the files' when they agree, over inference from the name; when the files disagree
nothing is overwritten and the conflict is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from app.identity.regions import RegionMatch, region_name

# Sources whose word counts as evidence (see models.VALUE_SOURCES).
_SAID = ("admin", "import")


@dataclass(frozen=True, slots=True)
class Context:
    """What a line's file said about the organization (ISO codes, already checked)."""

    region: str | None = None
    country: str | None = None

    @property
    def countries(self) -> frozenset[str]:
        found = {self.country} if self.country else set()
        if self.region:
            found.add(self.region[:2])
        return frozenset(found)

    @property
    def given(self) -> bool:
        return bool(self.region or self.country)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What files and admins said about an organization: the places it can be."""

    regions: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()

    def with_context(self, context: Context) -> Evidence:
        """The evidence once a line of `context` joins the organization."""
        regions = self.regions | ({context.region} if context.region else set())
        return Evidence(frozenset(regions), self.countries | context.countries)


NO_EVIDENCE = Evidence()


@dataclass(frozen=True, slots=True)
class Place:
    """An organization's place fields (the columns of models.Organization of the same names)."""

    region_code: str | None = None
    region_source: str | None = None
    region_evidence: str | None = None
    region_conflict: tuple[str, ...] | None = None
    country: str | None = None
    country_source: str | None = None

    @property
    def evidence(self) -> Evidence:
        regions = {self.region_code} if self.region_code and self.region_source in _SAID else set()
        regions |= {code for code in self.region_conflict or () if "-" in code}
        countries = {code[:2] for code in regions} | {code for code in self.region_conflict or () if "-" not in code}
        if self.country and self.country_source in _SAID:
            countries.add(self.country)
        return Evidence(frozenset(regions), frozenset(countries))


class Fit(Enum):
    CONTRADICTS = "contradicts"
    AGREES = "agrees"
    NEUTRAL = "neutral"


def fit(context: Context, evidence: Evidence) -> Fit:
    """How a line's context sits with an organization's evidence."""
    if context.region and evidence.regions:
        return Fit.AGREES if context.region in evidence.regions else Fit.CONTRADICTS
    line_countries = context.countries
    if line_countries and evidence.countries:
        return Fit.AGREES if line_countries & evidence.countries else Fit.CONTRADICTS
    return Fit.NEUTRAL


@dataclass(frozen=True, slots=True)
class Choice:
    """Where a line goes: an existing organization, or (organization_id None) a new one kept apart
    from `apart_from`, the homonyms it must be suggested against."""

    organization_id: int | None
    apart_from: tuple[int, ...] = ()


def choose(context: Context, candidates: Sequence[tuple[int, Evidence]], *, split_to: int | None = None) -> Choice:
    """The organization among `candidates` (same match key, in creation order) a line of `context`
    certainly names, else a new one (see the module's rules). `split_to`: where an admin's split
    sent every line printed exactly as this one."""
    fits = [(organization_id, fit(context, evidence)) for organization_id, evidence in candidates]
    possible = [organization_id for organization_id, found in fits if found is not Fit.CONTRADICTS]
    if split_to in possible:
        return Choice(split_to)
    agreeing = [organization_id for organization_id, found in fits if found is Fit.AGREES]
    if len(agreeing) == 1:
        return Choice(agreeing[0])
    if not agreeing and len(possible) == 1:
        return Choice(possible[0])
    return Choice(None, tuple(organization_id for organization_id, _ in candidates))


def homonym_reason(context: Context, evidence: Evidence) -> str:
    """Why a new organization was kept apart from a same-named one, for the review queue."""
    if context.region and evidence.regions and context.region not in evidence.regions:
        theirs = " / ".join(_region_label(code) for code in sorted(evidence.regions))
        return f"same name, different states ({_region_label(context.region)} / {theirs})"
    if context.countries and evidence.countries and not context.countries & evidence.countries:
        return f"same name, different countries ({' / '.join(sorted(context.countries))} / {' / '.join(sorted(evidence.countries))})"
    return "same name as several organizations, and the file does not say which: not joined by guesswork"


def _region_label(code: str) -> str:
    return region_name(code) or code


def derive_place(
    current: Place,
    regions_given: Counter[str],
    countries_given: Counter[str],
    reinfer: Callable[[], RegionMatch | None],
) -> Place:
    """An organization's place from its lines' evidence (codes given, with how many lines gave each).

    An admin's region stands. Files that agree set it; files that disagree keep the current region
    if they gave it (else the one most lines gave) and record every place as the conflict. With no
    evidence left, a region that came from files falls back to inference (`reinfer`); an inferred
    or absent one stays.
    """
    places = set(regions_given) | {
        country for country in countries_given if not any(code.startswith(f"{country}-") for code in regions_given)
    }
    conflict = tuple(sorted(places)) if len(places) > 1 else None
    place = replace(current, region_conflict=None if current.region_source == "admin" else conflict)
    if current.region_source == "admin":
        return _country_from_evidence(place, regions_given, countries_given, reinfer)
    if regions_given:
        code = current.region_code if current.region_code in regions_given else _most_common(regions_given)
        place = replace(place, region_code=code, region_source="import", region_evidence=None)
    elif current.region_source == "import":
        inferred = reinfer()
        place = replace(
            place,
            region_code=inferred.code if inferred else None,
            region_source="inferred" if inferred else None,
            region_evidence=" ".join(inferred.evidence) if inferred else None,
        )
    return _country_from_evidence(place, regions_given, countries_given, reinfer)


def _country_from_evidence(
    place: Place, regions_given: Counter[str], countries_given: Counter[str], reinfer: Callable[[], RegionMatch | None]
) -> Place:
    if place.country_source == "admin":
        return place
    if place.region_code and place.region_source in _SAID:
        return replace(place, country=place.region_code[:2], country_source=place.region_source)
    given = Counter({code[:2]: count for code, count in regions_given.items()}) + countries_given
    if given:
        return replace(place, country=_most_common(given), country_source="import")
    if place.country_source == "import":
        inferred = place.region_code[:2] if place.region_code else None
        return replace(place, country=inferred, country_source="inferred" if inferred else None)
    return place


def _most_common(counts: Counter[str]) -> str:
    """The code most lines gave; ties go to the first in code order, so the answer is stable."""
    return min(counts, key=lambda code: (-counts[code], code))
