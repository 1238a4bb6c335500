"""What a buyer did with a supplier, tied to the search that showed it (``?s=<id>&r=<rank>``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recommender.store.models import Interaction, InteractionKind, SearchLog, SupplierProfile

from ..auth import current_account
from ..db import get_session, search_log
from ..security import local_path


def find_profile(external_id: str) -> SupplierProfile | None:
    return get_session().scalar(
        select(SupplierProfile).where(SupplierProfile.external_id == external_id)
        .options(selectinload(SupplierProfile.certifications)))


def positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def search_ref(search_id: Any, rank: Any, profile: SupplierProfile) -> tuple[int | None,
                                                                             int | None]:
    """The search that showed ``profile`` (when it did) and the rank it had there."""
    sid, rnk = positive_int(search_id), positive_int(rank)
    if sid is None:
        return None, None
    log = get_session().get(SearchLog, sid)
    if log is None and sid in search_log().pending_ids():  # shown a moment ago, not yet
        search_log().flush()                               # written (see log_search)
        log = get_session().get(SearchLog, sid)
    if log is None or profile.external_id not in (log.result_external_ids or []):
        return None, None
    return sid, rnk


def record(kind: InteractionKind, profile: SupplierProfile, search_id: int | None = None,
           rank: int | None = None) -> Interaction:
    """Add an interaction to the session (the caller commits)."""
    account = current_account()
    row = Interaction(kind=kind, profile_id=profile.id, search_log_id=search_id, rank=rank,
                      account_id=account.id if account else None)
    get_session().add(row)
    return row


def safe_next(target: str | None, default: str) -> str:
    return local_path(target) or default
