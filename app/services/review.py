"""Duplicate review: suggestions, decisions, merges and their exact undo.

A merge moves printed names to the survivor and records each move, so undoing it moves exactly
those names back (plus names imported later that only match the moved ones by key). Decisions hold
for whole clusters: "different" between two organizations keeps everything merged into either apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.identity import similarity
from app.errors import Conflict, InvalidInput, NotFound
from app.models import (
    DECISIONS,
    Merge,
    MergeMove,
    Organization,
    PrintedName,
    ReviewCandidate,
    SignatureLine,
    utcnow,
)
from app.services import audit, signing_stats
from app.services.paging import Page, paginate

# Fields a survivor takes from the merged organization when it has none of its own.
_FILLABLE = ("acronym", "region_code", "region_source", "region_evidence", "sector", "sector_source", "country")


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
    for organization_id, text in session.execute(select(PrintedName.organization_id, PrintedName.text)):
        names_of[organization_id].append(text)
    statements_of: dict[int, set[int]] = defaultdict(set)
    for organization_id, statement_id in session.execute(
        select(PrintedName.organization_id, SignatureLine.statement_id)
        .join(SignatureLine, SignatureLine.printed_name_id == PrintedName.id)
        .distinct()
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
            stored.score, stored.reasons = suggestion.score, list(suggestion.reasons)
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


def decide(session: Session, candidate_id: int, decision: str, *, actor: str) -> DecisionResult:
    """Record a person's decision; "same" merges the pair (the one with more lines survives)."""
    if decision not in DECISIONS:
        raise InvalidInput(f"Decision must be one of {', '.join(DECISIONS)}.", field="decision")
    candidate = get_candidate(session, candidate_id)
    if candidate.status in ("same", "different"):
        raise Conflict(f"Candidate {candidate_id} was already decided: {candidate.status}.", parameter="candidate_id")
    merge = None
    if decision == "same":
        keep, absorb = _choose_survivor(session, candidate.organization_a_id, candidate.organization_b_id)
        merge = merge_organizations(session, absorb, keep, actor=actor, candidate=candidate)
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


def _line_count(session: Session, organization_id: int) -> int:
    return session.scalar(
        select(func.count(SignatureLine.id))
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .where(PrintedName.organization_id == organization_id)
    ) or 0


def _choose_survivor(session: Session, a: int, b: int) -> tuple[int, int]:
    """(survivor, merged): the live organization with more signature lines, else the older one."""
    a, b = survivor_id(session, a), survivor_id(session, b)
    ranked = sorted((a, b), key=lambda org: (-_line_count(session, org), org))
    return ranked[0], ranked[1]


# ---------------------------------------------------------------- merge and undo


def merge_organizations(
    session: Session, merged_id: int, into_id: int, *, actor: str, candidate: ReviewCandidate | None = None
) -> Merge:
    """Move every printed name of `merged_id` to `into_id`; the merged one redirects to it."""
    merged, survivor = _live(session, merged_id, "id"), _live(session, into_id, "into")
    if merged.id == survivor.id:
        raise Conflict("An organization cannot be merged into itself.", field="into")
    if _kept_apart(session, cluster(session, merged.id), cluster(session, survivor.id)):
        raise Conflict(
            f"A reviewer decided that '{merged.name}' and '{survivor.name}' (or organizations merged into them) "
            "are different organizations.",
            field="into",
        )
    # why: the survivor may take the merged one's region (`_fill_survivor`), so the regions
    # before the merge and after it both change counts; the same holds for the undo.
    regions = {merged.region_code, survivor.region_code}
    names_moved = list(session.scalars(select(PrintedName).where(PrintedName.organization_id == merged.id)))
    merge = Merge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        candidate_id=candidate.id if candidate else None,
        actor=actor,
        survivor_before=_fill_survivor(survivor, merged),
    )
    session.add(merge)
    session.flush()
    for printed in names_moved:
        printed.organization_id = survivor.id
        session.add(MergeMove(merge_id=merge.id, printed_name_id=printed.id))
    merged.merged_into_id = survivor.id
    session.flush()
    affected = _statements_naming(session, [p.id for p in names_moved])
    _recompute_repeats(session, affected)
    signing_stats.refresh(session, organization_ids=[merged.id, survivor.id], statement_ids=affected)
    signing_stats.refresh_regions(session, regions | {survivor.region_code})
    audit.record(
        session,
        actor=actor,
        action="organization.merge",
        subject_type="merge",
        subject_id=merge.id,
        details={"merged": merged.id, "into": survivor.id, "names_moved": len(names_moved)},
    )
    return merge


def _live(session: Session, organization_id: int, field: str) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"No organization with id {organization_id}.", field=field)
    if organization.merged_into_id is not None:
        raise Conflict(
            f"Organization {organization_id} was merged into {organization.merged_into_id}; use that one.",
            field=field,
        )
    return organization


def _fill_survivor(survivor: Organization, merged: Organization) -> dict[str, Any]:
    """Give the survivor what it lacks from the merged one; return the survivor's old values."""
    before: dict[str, Any] = {}
    for name in _FILLABLE:
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            before[name] = None
            setattr(survivor, name, getattr(merged, name))
    return before


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
    """Move the merge's names back, and names imported since that only match them by key."""
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
    regions = {merged.region_code, survivor.region_code}
    moved_ids = [move.printed_name_id for move in merge.moves]
    returning = moved_ids + _names_following_moved_keys(session, merge, moved_ids)
    session.execute(update(PrintedName).where(PrintedName.id.in_(returning)).values(organization_id=merged.id))
    merged.merged_into_id = None
    for name, old_value in merge.survivor_before.items():
        if getattr(survivor, name) == getattr(merged, name):
            setattr(survivor, name, old_value)
    merge.undone_at, merge.undone_by = utcnow(), actor
    if merge.candidate_id is not None:
        candidate = session.get_one(ReviewCandidate, merge.candidate_id)
        candidate.status, candidate.decided_by, candidate.decided_at = "open", None, None
    session.flush()
    session.expire_all()
    affected = _statements_naming(session, returning)
    _recompute_repeats(session, affected)
    signing_stats.refresh(session, organization_ids=[merged.id, survivor.id], statement_ids=affected)
    signing_stats.refresh_regions(session, regions | {survivor.region_code})
    audit.record(
        session,
        actor=actor,
        action="organization.unmerge",
        subject_type="merge",
        subject_id=merge.id,
        details={"merged": merged.id, "survivor": survivor.id, "names_returned": len(returning)},
    )
    return merge


def _names_following_moved_keys(session: Session, merge: Merge, moved_ids: list[int]) -> list[int]:
    """Names attached to the survivor after the merge whose key only the moved names share."""
    if not moved_ids:
        return []
    moved_keys = set(session.scalars(select(PrintedName.match_key).where(PrintedName.id.in_(moved_ids))))
    survivor_names = session.execute(
        select(PrintedName.id, PrintedName.match_key, PrintedName.created_at).where(
            PrintedName.organization_id == merge.survivor_id, PrintedName.id.not_in(moved_ids)
        )
    ).all()
    created_after = [row for row in survivor_names if _after(row.created_at, merge.created_at)]
    own_keys = {row.match_key for row in survivor_names if not _after(row.created_at, merge.created_at)}
    return [row.id for row in created_after if row.match_key in moved_keys and row.match_key not in own_keys]


def _after(moment: dt.datetime, reference: dt.datetime) -> bool:
    return _as_naive_utc(moment) >= _as_naive_utc(reference)


def _as_naive_utc(moment: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite returns them naive and PostgreSQL aware."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _statements_naming(session: Session, printed_name_ids: list[int]) -> set[int]:
    if not printed_name_ids:
        return set()
    return set(
        session.scalars(
            select(SignatureLine.statement_id).where(SignatureLine.printed_name_id.in_(printed_name_ids)).distinct()
        )
    )


def _recompute_repeats(session: Session, statement_ids: set[int]) -> None:
    """A line is a repeat when its organization already appears on an earlier line of the statement."""
    for statement_id in statement_ids:
        rows = session.execute(
            select(SignatureLine.id, SignatureLine.is_repeat, PrintedName.organization_id)
            .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
            .where(SignatureLine.statement_id == statement_id)
            .order_by(SignatureLine.sort_order)
        ).all()
        seen: set[int] = set()
        for line_id, was_repeat, organization_id in rows:
            is_repeat = organization_id in seen
            seen.add(organization_id)
            if is_repeat != was_repeat:
                session.execute(update(SignatureLine).where(SignatureLine.id == line_id).values(is_repeat=is_repeat))
    session.flush()
