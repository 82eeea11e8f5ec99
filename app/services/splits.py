"""Splits: an admin moves chosen signature lines (or every line of one printed form) from an
organization to another, existing or new; audited, and undone exactly by moving them back.

Later imports follow a split: a line already on its statement is never added again, and a
printed form whose every line moved now names the organization it moved to. Undoing the split
takes back, with its lines, the lines imported since that joined the target only through the
moved names (as undoing a merge does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput, NotFound
from app.identity import names
from app.identity.evidence import OrganizationHints, describe_new_organization
from app.models import (
    Merge,
    Organization,
    OrganizationName,
    OrganizationStats,
    PrintedName,
    ReviewCandidate,
    SignatureLine,
    Split,
    SplitMove,
    utcnow,
)
from app.services import audit, reattribution
from app.services.locks import take_identity_lock
from app.services.paging import Page, paginate


@dataclass(frozen=True, slots=True)
class SplitRequest:
    """What to move: `line_ids`, and/or every line printed as `printed_name`; where: the live
    organization `into_id`, or (None) a new one, named `name` or after the first line moved."""

    line_ids: tuple[int, ...] = ()
    printed_name: str | None = None
    into_id: int | None = None
    name: str | None = None
    note: str | None = None


def split(session: Session, organization_id: int, request: SplitRequest, *, actor: str) -> Split:
    """Move the requested lines of `organization_id` (see SplitRequest)."""
    take_identity_lock(session)
    source = reattribution.live_organization(session, organization_id, "id")
    lines, form_id = _lines_to_move(session, source.id, request)
    regions_before = {source.region_code}
    target, created = _target(session, source, request, lines)
    regions_before.add(target.region_code)
    record = Split(
        organization_id=source.id, into_id=target.id, into_name=target.name, created_into=created, actor=actor,
        note=(request.note or "").strip() or None, last_line_id=reattribution.newest_line_id(session), printed_name_id=form_id,
    )
    session.add(record)
    session.flush()
    line_ids = [line.id for line in lines]
    session.execute(SplitMove.__table__.insert(), [{"split_id": record.id, "line_id": line_id} for line_id in line_ids])
    statements = reattribution.move_lines(session, line_ids, target.id)
    reattribution.settle(session, [source.id, target.id], statements, regions_before)
    audit.record(
        session,
        actor=actor,
        action="organization.split",
        subject_type="split",
        subject_id=record.id,
        details={"from": source.id, "into": target.id, "created": created, "lines": line_ids},
    )
    return record


def _lines_to_move(session: Session, organization_id: int, request: SplitRequest) -> tuple[list[SignatureLine], int | None]:
    """The lines, and the printed form the request moves whole (if it names one)."""
    wanted: dict[int, SignatureLine] = {}
    form_id = None
    if request.line_ids:
        for chunk in reattribution.chunks(sorted(set(request.line_ids))):
            found = {line.id: line for line in session.scalars(select(SignatureLine).where(SignatureLine.id.in_(chunk)))}
            for line_id in chunk:
                line = found.get(line_id)
                if line is None or line.organization_id != organization_id:
                    raise InvalidInput(f"Line {line_id} is not a line of organization {organization_id}.", field="lines")
                wanted[line_id] = line
    if request.printed_name is not None:
        printed = session.scalar(select(PrintedName).where(PrintedName.text == request.printed_name.strip()))
        form = [] if printed is None else list(session.scalars(
            select(SignatureLine).where(SignatureLine.organization_id == organization_id, SignatureLine.printed_name_id == printed.id)
        ))  # fmt: skip
        if not form:
            raise InvalidInput(f"Organization {organization_id} has no line printed as '{request.printed_name}'.", field="printed_name")
        wanted.update((line.id, line) for line in form)
        form_id = printed.id
    if not wanted:
        raise InvalidInput("Say which lines to move: line ids, or a printed name.", field="lines")
    return sorted(wanted.values(), key=lambda line: line.id), form_id


def _target(session: Session, source: Organization, request: SplitRequest, lines: list[SignatureLine]) -> tuple[Organization, bool]:
    if request.into_id is not None:
        target = reattribution.live_organization(session, request.into_id, "into")
        if target.id == source.id:
            raise Conflict("Lines cannot be split into the organization they are on.", field="into")
        return target, False
    return _new_organization(session, source, request, lines[0]), True


def _new_organization(session: Session, source: Organization, request: SplitRequest, first: SignatureLine) -> Organization:
    """A new organization for the moved lines, described from the first one as an import would."""
    printed = session.get_one(PrintedName, first.printed_name_id).text
    described = describe_new_organization(
        printed, OrganizationHints(region=first.region_code, acronym=first.given_acronym, country=first.country)
    )
    name = names.normalize_whitespace(request.name or "")
    if name:
        described.update(name=name, name_source="admin")
    taken = set(session.scalars(select(Organization.slug).where(Organization.slug.like(f"{names.slugify(described['name'])}%"))))
    organization = Organization(slug=names.first_free_slug(names.slugify(described["name"]), taken), **described)
    session.add(organization)
    session.flush()
    return organization


def get(session: Session, split_id: int) -> Split:
    record = session.get(Split, split_id)
    if record is None:
        raise NotFound(f"No split with id {split_id}.", parameter="split_id")
    return record


def list_splits(session: Session, *, limit: int, cursor: str | None = None) -> Page[Any]:
    """Splits, newest first, undone ones included (as ORM objects, with their moves)."""
    page = paginate(
        session, select(Split), keys=[Split.id], key_of=lambda row: [row.id], limit=limit, cursor=cursor, descending=True
    )
    return Page(items=[session.get_one(Split, row.id) for row in page.items], total=page.total, next_cursor=page.next_cursor)


def undo(session: Session, split_id: int, *, actor: str) -> Split:
    """Move the split's lines back; an organization the split created goes when nothing else uses it."""
    take_identity_lock(session)
    record = get(session, split_id)
    if record.undone_at is not None:
        raise Conflict(f"Split {split_id} was already undone.", parameter="split_id")
    source = session.get_one(Organization, record.organization_id)
    if source.merged_into_id is not None:
        raise Conflict(
            f"Organization {source.id} was merged into {source.merged_into_id} since; undo that merge first.", parameter="split_id"
        )
    line_ids = [move.line_id for move in record.moves]
    target = session.get_one(Organization, record.into_id)
    if target.merged_into_id is not None:
        raise Conflict(
            f"Organization {target.id} was merged into {target.merged_into_id} since; undo that merge first.", parameter="split_id"
        )
    reattribution.check_still_in_place(session, line_ids, target.id, f"split {split_id}")
    returning = line_ids + reattribution.followers(session, target.id, line_ids, record.last_line_id, undoing_split=record.id)
    regions_before = {source.region_code, target.region_code}
    statements = reattribution.move_lines(session, returning, source.id)
    record.undone_at, record.undone_by = utcnow(), actor
    reattribution.settle(session, [source.id, target.id], statements, regions_before)
    removed = record.created_into and _remove_if_unused(session, record, target)
    audit.record(
        session,
        actor=actor,
        action="organization.unsplit",
        subject_type="split",
        subject_id=record.id,
        details={"from": source.id, "into": record.into_id, "lines": returning, "removed_created": removed},
    )
    return record


def _remove_if_unused(session: Session, record: Split, created: Organization) -> bool:
    """Delete the organization a split created once it has no lines and nothing refers to it but
    this split and open suggestions."""
    organization_id = created.id
    used = (
        session.scalar(select(func.count()).select_from(SignatureLine).where(SignatureLine.organization_id == organization_id))
        or session.scalar(select(func.count()).select_from(Merge).where((Merge.survivor_id == organization_id) | (Merge.merged_id == organization_id)))
        or session.scalar(select(func.count()).select_from(Split).where(
            Split.id != record.id, (Split.organization_id == organization_id) | (Split.into_id == organization_id)
        ))
        or session.scalar(select(func.count()).select_from(Organization).where(Organization.merged_into_id == organization_id))
        or session.scalar(select(func.count()).select_from(ReviewCandidate).where(
            ReviewCandidate.status != "open",
            (ReviewCandidate.organization_a_id == organization_id) | (ReviewCandidate.organization_b_id == organization_id),
        ))
    )  # fmt: skip
    if used:
        return False
    record.into_id = None
    session.flush()
    session.execute(delete(ReviewCandidate).where(
        (ReviewCandidate.organization_a_id == organization_id) | (ReviewCandidate.organization_b_id == organization_id)
    ))  # fmt: skip
    session.execute(delete(OrganizationName).where(OrganizationName.organization_id == organization_id))
    session.execute(delete(OrganizationStats).where(OrganizationStats.organization_id == organization_id))
    session.delete(created)
    session.flush()
    return True
