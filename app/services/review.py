"""Duplicate review: suggestions, decisions, merges and their exact undo.

A merge moves the merged organization's signature lines to the survivor and records each move, so
undoing it moves exactly those lines back (plus lines imported later whose names only the moved
lines shared, by key). Decisions hold for whole clusters: "different" between two organizations
keeps everything merged into either apart. Every change takes the identity lock (`locks`) first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.identity import similarity
from app.models import (
    DECISIONS,
    Merge,
    MergeMove,
    Organization,
    OrganizationName,
    PrintedName,
    ReviewCandidate,
    SignatureLine,
    utcnow,
)
from app.services import audit, reattribution
from app.services.locks import take_identity_lock
from app.services.paging import Page, paginate

# Fields a survivor takes from the merged organization when it has none of its own.
_FILLABLE = ("acronym", "legal_form", "sector", "sector_source")
# How likely two organizations printed with the same words are one, when their files disagree on
# where they are (or do not say which of several it is): as likely as not, so a reviewer decides.
HOMONYM_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class DecisionResult:
    candidate: ReviewCandidate
    merge: Merge | None


# ---------------------------------------------------------------- clusters and decisions


def survivor_id(session: Session, organization_id: int) -> int:
    """The live organization that `organization_id` is (or was merged into)."""
    seen: set[int] = set()
    current = organization_id
    while current not in seen:
        seen.add(current)
        merged_into = session.scalar(select(Organization.merged_into_id).where(Organization.id == current))
        if merged_into is None:
            return current
        current = merged_into
    return current


def cluster(session: Session, organization_id: int) -> set[int]:
    """The organization and every organization merged into it, directly or through others."""
    members, frontier = {organization_id}, [organization_id]
    while frontier:
        children = set(session.scalars(select(Organization.id).where(Organization.merged_into_id.in_(frontier))))
        frontier = list(children - members)
        members |= children
    return members


def _kept_apart(session: Session, left: set[int], right: set[int]) -> bool:
    """A person said some member of `left` is different from some member of `right`."""
    found = session.scalar(
        select(ReviewCandidate.id)
        .where(
            ReviewCandidate.status == "different",
            or_(
                ReviewCandidate.organization_a_id.in_(left) & ReviewCandidate.organization_b_id.in_(right),
                ReviewCandidate.organization_a_id.in_(right) & ReviewCandidate.organization_b_id.in_(left),
            ),
        )
        .limit(1)
    )
    return found is not None


def _decided_pairs(session: Session) -> set[tuple[int, int]]:
    """Pairs of live organizations between which any decision was taken, mapped through merges."""
    rows = session.execute(
        select(ReviewCandidate.organization_a_id, ReviewCandidate.organization_b_id).where(
            ReviewCandidate.status != "open"
        )
    ).all()
    survivors = _survivor_map(session)
    pairs = set()
    for a, b in rows:
        sa, sb = survivors.get(a, a), survivors.get(b, b)
        if sa != sb:
            pairs.add((min(sa, sb), max(sa, sb)))
    return pairs


def _survivor_map(session: Session) -> dict[int, int]:
    """Merged organization id -> live survivor id, for every merged organization."""
    parent = dict(
        session.execute(
            select(Organization.id, Organization.merged_into_id).where(Organization.merged_into_id.is_not(None))
        ).all()
    )

    def root(node: int) -> int:
        seen = set()
        while node in parent and node not in seen:
            seen.add(node)
            node = parent[node]
        return node

    return {node: root(node) for node in parent}


# ---------------------------------------------------------------- suggestions


def _records(session: Session) -> list[similarity.OrgRecord]:
    """Every live organization as the pure matcher sees it: names, acronym, region, statements."""
    organizations = session.execute(
        select(Organization.id, Organization.acronym, Organization.region_code).where(
            Organization.merged_into_id.is_(None)
        )
    ).all()
    names_of: dict[int, list[str]] = defaultdict(list)
    for organization_id, text in session.execute(
        select(OrganizationName.organization_id, PrintedName.text)
        .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .order_by(OrganizationName.organization_id, PrintedName.id)
    ):
        names_of[organization_id].append(text)
    statements_of: dict[int, set[int]] = defaultdict(set)
    for organization_id, statement_id in session.execute(
        select(SignatureLine.organization_id, SignatureLine.statement_id).distinct()
    ):
        statements_of[organization_id].add(statement_id)
    return [
        similarity.OrgRecord(
            id=row.id,
            names=tuple(names_of.get(row.id, ())),
            acronym=row.acronym,
            region_code=row.region_code,
            statement_ids=frozenset(statements_of.get(row.id, ())),
        )
        for row in organizations
    ]


def raise_suggestions(session: Session, *, involving: Collection[int] | None = None) -> int:
    """Find suggested duplicates (all, or those involving `involving`) and store the new ones.

    Returns how many new suggestions were raised. Pairs a person decided are never raised again;
    open suggestions already stored get their score and reasons refreshed.
    """
    decided = _decided_pairs(session)
    suggestions = similarity.suggest(
        _records(session), involving=involving, decided=lambda a, b: (min(a, b), max(a, b)) in decided
    )
    existing = {
        (row.organization_a_id, row.organization_b_id): row
        for row in session.scalars(select(ReviewCandidate).where(ReviewCandidate.status == "open"))
    }
    raised = 0
    for suggestion in suggestions:
        stored = existing.get((suggestion.a, suggestion.b))
        if stored is not None:
            # why: a homonym's reason says what the files said; the names' evidence adds to it.
            kept = stored.reasons[:1] if stored.origin == "homonym" else []
            stored.score, stored.reasons = suggestion.score, list(dict.fromkeys([*kept, *suggestion.reasons]))
            continue
        session.add(
            ReviewCandidate(
                organization_a_id=suggestion.a,
                organization_b_id=suggestion.b,
                score=suggestion.score,
                reasons=list(suggestion.reasons),
            )
        )
        raised += 1
    session.flush()
    return raised


def store_homonym_suggestions(session: Session, reasons: dict[tuple[int, int], str]) -> int:
    """Raise each pair (smaller id first) of same-named organizations kept apart, with its reason,
    unless the pair was already raised or decided. Returns how many were raised."""
    if not reasons:
        return 0
    pairs = list(reasons)
    present: set[tuple[int, int]] = set()
    for chunk in reattribution.chunks(sorted({a for a, _ in pairs})):
        rows = session.execute(
            select(ReviewCandidate.organization_a_id, ReviewCandidate.organization_b_id).where(
                ReviewCandidate.organization_a_id.in_(chunk)
            )
        )
        present.update((a, b) for a, b in rows)
    rows = [
        {"organization_a_id": a, "organization_b_id": b, "score": HOMONYM_SCORE, "reasons": [reasons[(a, b)]],
         "status": "open", "origin": "homonym", "created_at": utcnow()}
        for a, b in pairs
        if (a, b) not in present
    ]  # fmt: skip
    if rows:
        session.execute(insert(ReviewCandidate), rows)
    return len(rows)


def candidate_filter(status: str) -> list[Any]:
    """Conditions for candidates of `status`; undecided ones only while both sides are live."""
    conditions: list[Any] = [ReviewCandidate.status == status]
    if status in ("open", "unsure"):
        live = select(Organization.id).where(Organization.merged_into_id.is_(None))
        conditions += [ReviewCandidate.organization_a_id.in_(live), ReviewCandidate.organization_b_id.in_(live)]
    return conditions


def list_candidates(session: Session, *, status: str = "open", limit: int, cursor: str | None = None) -> Page[Any]:
    """Suggestions between live organizations, best score first."""
    query = select(ReviewCandidate).where(*candidate_filter(status))
    # why: score is a float; ordering pages on the negated score keeps one ascending keyset.
    return paginate(
        session,
        query,
        keys=[-ReviewCandidate.score, ReviewCandidate.id],
        key_of=lambda candidate: [-candidate.score, candidate.id],
        limit=limit,
        cursor=cursor,
        cast_values=lambda values: [float(values[0]), int(values[1])],
    )


def get_candidate(session: Session, candidate_id: int) -> ReviewCandidate:
    candidate = session.get(ReviewCandidate, candidate_id)
    if candidate is None:
        raise NotFound(f"No review candidate with id {candidate_id}.", parameter="candidate_id")
    return candidate


def decide(
    session: Session, candidate_id: int, decision: str, *, actor: str, survivor: int | None = None
) -> DecisionResult:
    """Record a person's decision; "same" merges the pair into `survivor` (one of the two, or an
    organization either was merged into), by default the established record (`default_survivor`)."""
    if decision not in DECISIONS:
        raise InvalidInput(f"Decision must be one of {', '.join(DECISIONS)}.", field="decision")
    take_identity_lock(session)
    candidate = get_candidate(session, candidate_id)
    if candidate.status in ("same", "different"):
        raise Conflict(f"Candidate {candidate_id} was already decided: {candidate.status}.", parameter="candidate_id")
    merge = None
    if decision == "same":
        keep, absorb = _survivor_and_merged(session, candidate, survivor)
        merge = merge_organizations(session, absorb, keep, actor=actor, candidate=candidate, locked=True)
    candidate.status, candidate.decided_by, candidate.decided_at = decision, actor, utcnow()
    audit.record(
        session,
        actor=actor,
        action="review.decide",
        subject_type="review_candidate",
        subject_id=candidate.id,
        details={"decision": decision, "organizations": [candidate.organization_a_id, candidate.organization_b_id]},
    )
    session.flush()
    return DecisionResult(candidate=candidate, merge=merge)


def _survivor_and_merged(session: Session, candidate: ReviewCandidate, survivor: int | None) -> tuple[int, int]:
    a, b = survivor_id(session, candidate.organization_a_id), survivor_id(session, candidate.organization_b_id)
    if a == b:
        raise Conflict(f"Both sides of candidate {candidate.id} are one organization already ({a}).", parameter="candidate_id")
    if survivor is None:
        keep = default_survivor(session, a, b)
    else:
        keep = survivor_id(session, survivor)
        if keep not in (a, b):
            raise InvalidInput(f"The survivor must be organization {a} or {b}.", field="survivor")
    return keep, b if keep == a else a


def proposed_survivor(session: Session, candidate: ReviewCandidate) -> int | None:
    """The side a "same" decision would keep by default, while both sides are distinct and live."""
    a, b = survivor_id(session, candidate.organization_a_id), survivor_id(session, candidate.organization_b_id)
    return None if a == b else default_survivor(session, a, b)


def line_count(session: Session, organization_id: int) -> int:
    return session.scalar(select(func.count(SignatureLine.id)).where(SignatureLine.organization_id == organization_id)) or 0


def default_survivor(session: Session, a: int, b: int) -> int:
    """The established record of two live organizations: one an admin edited, else the one with
    more signature lines, else the older."""
    def rank(organization_id: int) -> tuple[int, int, int]:
        organization = session.get_one(Organization, organization_id)
        edited = "admin" in (organization.name_source, organization.region_source, organization.sector_source)
        return (0 if edited else 1, -line_count(session, organization_id), organization_id)

    return min((a, b), key=rank)


# ---------------------------------------------------------------- merge and undo


def merge_organizations(
    session: Session,
    merged_id: int,
    into_id: int,
    *,
    actor: str,
    candidate: ReviewCandidate | None = None,
    locked: bool = False,
) -> Merge:
    """Move every signature line of `merged_id` to `into_id`; the merged one redirects to it."""
    if not locked:
        take_identity_lock(session)
    merged, survivor = reattribution.live_organization(session, merged_id, "id"), reattribution.live_organization(session, into_id, "into")
    if merged.id == survivor.id:
        raise Conflict("An organization cannot be merged into itself.", field="into")
    if _kept_apart(session, cluster(session, merged.id), cluster(session, survivor.id)):
        raise Conflict(
            f"A reviewer decided that '{merged.name}' and '{survivor.name}' (or organizations merged into them) "
            "are different organizations.",
            field="into",
        )
    regions_before = {merged.region_code, survivor.region_code}
    before = _fields(survivor)
    moved = reattribution.lines_of(session, merged.id)
    merge = Merge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        candidate_id=candidate.id if candidate else None,
        actor=actor,
        last_line_id=reattribution.newest_line_id(session),
    )
    session.add(merge)
    session.flush()
    _record_moves(session, MergeMove, "merge_id", merge.id, moved)
    statements = reattribution.move_lines(session, moved, survivor.id)
    merged.merged_into_id = survivor.id
    session.flush()
    reattribution.refresh_places(session, [survivor.id])
    _fill_survivor(survivor, merged)
    merge.survivor_before = {name: value for name, value in before.items() if getattr(survivor, name) != value}
    reattribution.settle(session, [merged.id, survivor.id], statements, regions_before)
    audit.record(
        session,
        actor=actor,
        action="organization.merge",
        subject_type="merge",
        subject_id=merge.id,
        details={"merged": merged.id, "into": survivor.id, "lines_moved": len(moved)},
    )
    return merge


def _record_moves(session: Session, model: type, parent_column: str, parent_id: int, line_ids: list[int]) -> None:
    if line_ids:
        session.execute(insert(model), [{parent_column: parent_id, "line_id": line_id} for line_id in line_ids])


def _fields(organization: Organization) -> dict[str, Any]:
    return {name: getattr(organization, name) for name in (*_FILLABLE, *reattribution.PLACE_FIELDS)}


def _fill_survivor(survivor: Organization, merged: Organization) -> None:
    """Give the survivor what it lacks from the merged one: acronym, legal form, sector, and the
    merged one's region when the lines give the survivor none."""
    for name in _FILLABLE:
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            setattr(survivor, name, getattr(merged, name))
    if survivor.region_code is None and merged.region_code is not None and survivor.region_source != "admin":
        for name in ("region_code", "region_source", "region_evidence"):
            setattr(survivor, name, getattr(merged, name))
        if survivor.country is None:
            survivor.country, survivor.country_source = merged.country, merged.country_source


def get_merge(session: Session, merge_id: int) -> Merge:
    merge = session.get(Merge, merge_id)
    if merge is None:
        raise NotFound(f"No merge with id {merge_id}.", parameter="merge_id")
    return merge


def list_merges(session: Session, *, limit: int, cursor: str | None = None) -> Page[Any]:
    """Merges, newest first, undone ones included."""
    return paginate(
        session,
        select(Merge),
        keys=[Merge.id],
        key_of=lambda merge: [merge.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


def undo_merge(session: Session, merge_id: int, *, actor: str) -> Merge:
    """Move the merge's lines back, and lines imported since whose names only the moved ones shared."""
    take_identity_lock(session)
    merge = get_merge(session, merge_id)
    if merge.undone_at is not None:
        raise Conflict(f"Merge {merge_id} was already undone.", parameter="merge_id")
    survivor = session.get_one(Organization, merge.survivor_id)
    merged = session.get_one(Organization, merge.merged_id)
    if survivor.merged_into_id is not None:
        later = session.scalar(
            select(Merge.id).where(Merge.merged_id == survivor.id, Merge.undone_at.is_(None)).order_by(Merge.id.desc())
        )
        raise Conflict(f"Organization {survivor.id} was merged again since; undo merge {later} first.", parameter="merge_id")
    moved = [move.line_id for move in merge.moves]
    reattribution.check_still_in_place(session, moved, survivor.id, f"merge {merge_id}")
    returning = moved + reattribution.followers(session, merge.survivor_id, moved, merge.last_line_id)
    regions_before = {merged.region_code, survivor.region_code}
    statements = reattribution.move_lines(session, returning, merged.id)
    merged.merged_into_id = None
    for name, old_value in merge.survivor_before.items():
        if name in _fields(survivor) and getattr(survivor, name) == getattr(merged, name):
            setattr(survivor, name, old_value)
    merge.undone_at, merge.undone_by = utcnow(), actor
    if merge.candidate_id is not None:
        candidate = session.get_one(ReviewCandidate, merge.candidate_id)
        candidate.status, candidate.decided_by, candidate.decided_at = "open", None, None
    reattribution.settle(session, [merged.id, survivor.id], statements, regions_before)
    audit.record(
        session,
        actor=actor,
        action="organization.unmerge",
        subject_type="merge",
        subject_id=merge.id,
        details={"merged": merged.id, "survivor": survivor.id, "lines_returned": len(returning)},
    )
    return merge
