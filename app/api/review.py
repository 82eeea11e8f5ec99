"""JSON routes for duplicate review, merge and split history (admin only, except reading the history)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Path, Query, Request, Response
from sqlalchemy.orm import Session

from app.api.common import CursorQuery, LimitQuery, page_out
from app.api.deps import AdminDep, SessionDep
from app.api.organizations import merge_public, region_public, split_public
from app.api.schemas import (
    CandidatePublic,
    CandidateSide,
    DecisionPublic,
    DecisionRequest,
    MergePublic,
    PageOut,
    RefreshPublic,
    SplitPublic,
)
from app.models import Organization, ReviewCandidate
from app.services import organizations, review, splits
from app.services.ids import MAX_ID

router = APIRouter(tags=["review"])

CandidateId = Path(description="Review candidate id.", ge=1, le=MAX_ID, examples=[1])
MergeId = Path(description="Merge id.", ge=1, le=MAX_ID, examples=[1])


def _side(session: Session, organization_id: int) -> CandidateSide:
    organization = session.get_one(Organization, organization_id)
    return CandidateSide(
        id=organization.id,
        slug=organization.slug,
        name=organization.name,
        names=organizations.printed_names(session, organization.id),
        acronym=organization.acronym,
        region=region_public(organization),
        statements=[signed.slug for signed in organizations.statements_signed(session, organization.id)],
    )


def candidate_public(session: Session, candidate: ReviewCandidate) -> CandidatePublic:
    return CandidatePublic(
        id=candidate.id,
        default_survivor=review.proposed_survivor(session, candidate),
        score=round(candidate.score, 4),
        reasons=candidate.reasons,
        status=candidate.status,
        decided_by=candidate.decided_by,
        decided_at=candidate.decided_at,
        organization_a=_side(session, candidate.organization_a_id),
        organization_b=_side(session, candidate.organization_b_id),
    )


@router.get("/api/review/candidates", response_model=PageOut[CandidatePublic], summary="Suggested duplicates (admin)")
def list_candidates(
    request: Request,
    response: Response,
    session: SessionDep,
    _token: AdminDep,
    status: str = Query("open", pattern="^(open|same|different|unsure)$", description="Which suggestions.", examples=["open"]),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> PageOut[CandidatePublic]:
    """Pairs that may be one organization, best score first, each side with its names and statements."""
    page = review.list_candidates(session, status=status, limit=limit, cursor=cursor)
    return page_out(request, response, page, [candidate_public(session, c) for c in page.items], limit)


@router.post(
    "/api/review/candidates/{candidate_id}/decision", response_model=DecisionPublic, summary="Decide a suggestion (admin)"
)
def decide_candidate(
    session: SessionDep,
    token: AdminDep,
    body: DecisionRequest = Body(examples=[{"decision": "same"}]),
    candidate_id: int = CandidateId,
) -> DecisionPublic:
    """same merges the pair into `survivor` (by default the established record: the one an admin
    edited, else the one with more lines, else the older); different keeps them apart for good."""
    result = review.decide(session, candidate_id, body.decision, actor=token.name, survivor=body.survivor)
    return DecisionPublic(
        candidate=candidate_public(session, result.candidate),
        merge=merge_public(session, result.merge) if result.merge else None,
    )


@router.post("/api/review/refresh", response_model=RefreshPublic, summary="Look for new suggestions (admin)")
def refresh_candidates(session: SessionDep, token: AdminDep) -> RefreshPublic:
    """Compare every live organization (by blocking, never all pairs) and store new suggestions."""
    raised = review.raise_suggestions(session)
    return RefreshPublic(raised=raised)


SplitId = Path(description="Split id.", ge=1, le=MAX_ID, examples=[1])


@router.get("/api/splits", response_model=PageOut[SplitPublic], summary="Split history, newest first")
def list_splits(
    request: Request, response: Response, session: SessionDep, limit: int = LimitQuery, cursor: str | None = CursorQuery
) -> PageOut[SplitPublic]:
    """Every split, including undone ones, with the lines it moved, who did it and when."""
    page = splits.list_splits(session, limit=limit, cursor=cursor)
    return page_out(request, response, page, [split_public(session, record) for record in page.items], limit)


@router.get("/api/splits/{split_id}", response_model=SplitPublic, summary="One split")
def get_split(session: SessionDep, split_id: int = SplitId) -> SplitPublic:
    return split_public(session, splits.get(session, split_id))


@router.post("/api/splits/{split_id}/undo", response_model=SplitPublic, summary="Undo a split (admin)")
def undo_split(session: SessionDep, token: AdminDep, split_id: int = SplitId) -> SplitPublic:
    """Move the split's lines back; an organization the split created goes if nothing else uses it.
    Refused (409) while a later merge or split moved some of those lines."""
    return split_public(session, splits.undo(session, split_id, actor=token.name))


@router.get("/api/merges", response_model=PageOut[MergePublic], summary="Merge history, newest first")
def list_merges(
    request: Request, response: Response, session: SessionDep, limit: int = LimitQuery, cursor: str | None = CursorQuery
) -> PageOut[MergePublic]:
    """Every merge, including undone ones, with who did it and when."""
    page = review.list_merges(session, limit=limit, cursor=cursor)
    return page_out(request, response, page, [merge_public(session, m) for m in page.items], limit)


@router.get("/api/merges/{merge_id}", response_model=MergePublic, summary="One merge")
def get_merge(session: SessionDep, merge_id: int = MergeId) -> MergePublic:
    return merge_public(session, review.get_merge(session, merge_id))


@router.post("/api/merges/{merge_id}/undo", response_model=MergePublic, summary="Undo a merge (admin)")
def undo_merge(session: SessionDep, token: AdminDep, merge_id: int = MergeId) -> MergePublic:
    """Move the merged organization's printed names back, also those imported since that match them."""
    return merge_public(session, review.undo_merge(session, merge_id, actor=token.name))
