"""Moving signature lines between organizations, and what follows from it.

Merges and splits both come down to `move_lines`: lines change organization, nothing else about
them does. Afterwards `settle` brings everything derived from the lines up to date for the
organizations and statements concerned: the names each organization is printed as, its region
and country from its lines' evidence, which lines repeat an organization, and the stored counts.
An undo is the same move backwards, refused while a later change still depends on the lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.identity import attribution, regions
from app.identity.attribution import Place
from app.identity.evidence import DEFAULT_COUNTRY
from app.models import Merge, MergeMove, Organization, OrganizationName, PrintedName, SignatureLine, Split, SplitMove
from app.services import signing_stats

PLACE_FIELDS = ("region_code", "region_source", "region_evidence", "region_conflict", "country", "country_source")
_CHUNK = 2_000  # ids per `IN (...)`: far below SQLite's and psycopg's parameter limits


def chunks(values: list[Any], size: int = _CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def live_organization(session: Session, organization_id: int, field: str) -> Organization:
    """The organization, if it exists and was not merged into another; NotFound / Conflict naming `field`."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"No organization with id {organization_id}.", field=field)
    if organization.merged_into_id is not None:
        raise Conflict(
            f"Organization {organization_id} was merged into {organization.merged_into_id}; use that one.",
            field=field,
        )
    return organization


def lines_of(session: Session, organization_id: int) -> list[int]:
    return list(session.scalars(select(SignatureLine.id).where(SignatureLine.organization_id == organization_id)))


def move_lines(session: Session, line_ids: list[int], to_id: int) -> set[int]:
    """Attribute `line_ids` to `to_id`; returns the statements they are on."""
    statements: set[int] = set()
    for chunk in chunks(line_ids):
        session.execute(update(SignatureLine).where(SignatureLine.id.in_(chunk)).values(organization_id=to_id))
        statements.update(session.scalars(select(SignatureLine.statement_id).where(SignatureLine.id.in_(chunk)).distinct()))
    return statements


def settle(session: Session, organization_ids: Collection[int], statement_ids: Collection[int], regions_before: set[str | None]) -> None:
    """Everything derived from lines, for organizations whose lines moved and their statements."""
    session.flush()
    ids = sorted(set(organization_ids))
    refresh_names(session, ids)
    after = refresh_places(session, ids)
    recompute_repeats(session, set(statement_ids))
    signing_stats.refresh(session, organization_ids=ids, statement_ids=sorted(statement_ids))
    signing_stats.refresh_regions(session, regions_before | after)


def refresh_names(session: Session, organization_ids: list[int]) -> None:
    """organization_names of these organizations, recounted from their lines."""
    for chunk in chunks(organization_ids):
        session.execute(delete(OrganizationName).where(OrganizationName.organization_id.in_(chunk)))
        counted = (
            select(SignatureLine.organization_id, SignatureLine.printed_name_id, func.count())
            .where(SignatureLine.organization_id.in_(chunk))
            .group_by(SignatureLine.organization_id, SignatureLine.printed_name_id)
        )
        session.execute(insert(OrganizationName).from_select(["organization_id", "printed_name_id", "line_count"], counted))


def refresh_places(session: Session, organization_ids: list[int]) -> set[str | None]:
    """Region and country of these organizations from their lines' evidence (attribution.derive_place);
    returns the regions they had and have."""
    touched: set[str | None] = set()
    for chunk in chunks(organization_ids):
        given: dict[int, tuple[Counter[str], Counter[str]]] = {organization_id: (Counter(), Counter()) for organization_id in chunk}
        evidence = (
            select(SignatureLine.organization_id, SignatureLine.region_code, SignatureLine.country, func.count())
            .where(SignatureLine.organization_id.in_(chunk))
            .where((SignatureLine.region_code.is_not(None)) | (SignatureLine.country.is_not(None)))
            .group_by(SignatureLine.organization_id, SignatureLine.region_code, SignatureLine.country)
        )
        for organization_id, region_code, country, count in session.execute(evidence):
            if region_code:
                given[organization_id][0][region_code] += count
            if country:
                given[organization_id][1][country] += count
        for organization in session.scalars(select(Organization).where(Organization.id.in_(chunk))):
            current = place_of(organization)
            regions_given, countries_given = given[organization.id]
            derived = attribution.derive_place(current, regions_given, countries_given, lambda o=organization: _infer(o))
            touched.update((current.region_code, derived.region_code))
            if derived != current:
                set_place(organization, derived)
    session.flush()
    return touched


def _infer(organization: Organization) -> regions.RegionMatch | None:
    return regions.infer_region(organization.name, organization.country or DEFAULT_COUNTRY)


def place_of(organization: Organization) -> Place:
    values = {field: getattr(organization, field) for field in PLACE_FIELDS}
    values["region_conflict"] = tuple(values["region_conflict"]) if values["region_conflict"] else None
    return Place(**values)


def set_place(organization: Organization, place: Place) -> None:
    for field in PLACE_FIELDS:
        value = getattr(place, field)
        setattr(organization, field, list(value) if field == "region_conflict" and value else value)


def recompute_repeats(session: Session, statement_ids: set[int]) -> None:
    """A line is a repeat when its organization already appears on an earlier line of the statement."""
    changes = []
    for statement_id in sorted(statement_ids):
        rows = session.execute(
            select(SignatureLine.id, SignatureLine.is_repeat, SignatureLine.organization_id)
            .where(SignatureLine.statement_id == statement_id)
            .order_by(SignatureLine.sort_order)
        ).all()
        seen: set[int] = set()
        for line_id, was_repeat, organization_id in rows:
            is_repeat = organization_id in seen
            seen.add(organization_id)
            if is_repeat != was_repeat:
                changes.append({"line": line_id, "repeat": is_repeat})
    if changes:
        table = SignatureLine.__table__
        session.execute(
            table.update().where(table.c.id == bindparam("line")).values(is_repeat=bindparam("repeat")), changes
        )


def newest_line_id(session: Session) -> int:
    return session.scalar(select(func.max(SignatureLine.id))) or 0


def followers(session: Session, organization_id: int, moved: list[int], last_line_id: int | None, *, undoing_split: int | None = None) -> list[int]:
    """Lines that came to `organization_id` after a move (ids past `last_line_id`) only because
    the moved lines' names were there: their match key is among the moved lines' keys and not
    among the organization's own lines' keys from before. An undo takes them back too, except
    lines an admin's split (another one than `undoing_split`) put there."""
    if not moved:
        return []
    key_of_line = (
        select(SignatureLine.id, PrintedName.match_key)
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .where(SignatureLine.organization_id == organization_id)
    )
    moved_set, last = set(moved), last_line_id or 0
    moved_keys, own_keys, later = set(), set(), []
    for line_id, key in session.execute(key_of_line):
        if line_id in moved_set:
            moved_keys.add(key)
        elif line_id <= last:
            own_keys.add(key)
        else:
            later.append((line_id, key))
    placed = _placed_by_splits(session, [line_id for line_id, _ in later], undoing_split)
    return [line_id for line_id, key in later if key in moved_keys and key not in own_keys and line_id not in placed]


def _placed_by_splits(session: Session, line_ids: list[int], except_split: int | None) -> set[int]:
    placed: set[int] = set()
    for chunk in chunks(line_ids):
        query = (
            select(SplitMove.line_id)
            .join(Split, Split.id == SplitMove.split_id)
            .where(SplitMove.line_id.in_(chunk), Split.undone_at.is_(None))
        )
        if except_split is not None:
            query = query.where(Split.id != except_split)
        placed.update(session.scalars(query))
    return placed


def check_still_in_place(session: Session, line_ids: list[int], expected_id: int, undoing: str) -> None:
    """Refuse an undo while a later merge or split moved some of its lines elsewhere; name it."""
    for chunk in chunks(line_ids):
        moved = session.execute(
            select(SignatureLine.id, SignatureLine.organization_id)
            .where(SignatureLine.id.in_(chunk), SignatureLine.organization_id != expected_id)
            .limit(1)
        ).first()
        if moved is not None:
            raise Conflict(f"Cannot undo {undoing}: {later_change(session, moved.id)} moved line {moved.id} since; undo that first.")


def later_change(session: Session, line_id: int) -> str:
    """The most recent merge or split, not undone, that moved `line_id`."""
    split = session.scalar(
        select(SplitMove.split_id).join(Split, Split.id == SplitMove.split_id)
        .where(SplitMove.line_id == line_id, Split.undone_at.is_(None)).order_by(Split.id.desc()).limit(1)
    )  # fmt: skip
    merge = session.scalar(
        select(MergeMove.merge_id).join(Merge, Merge.id == MergeMove.merge_id)
        .where(MergeMove.line_id == line_id, Merge.undone_at.is_(None)).order_by(Merge.id.desc()).limit(1)
    )  # fmt: skip
    if split is not None and (merge is None or _split_is_later(session, split, merge)):
        return f"split {split}"
    return f"merge {merge}" if merge is not None else "another change"


def _split_is_later(session: Session, split_id: int, merge_id: int) -> bool:
    split_at = session.scalar(select(Split.created_at).where(Split.id == split_id))
    merge_at = session.scalar(select(Merge.created_at).where(Merge.id == merge_id))
    return split_at is not None and merge_at is not None and split_at >= merge_at
