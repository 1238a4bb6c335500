"""The header of an enterprise account: unread messages and unseen RFQs."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from recommender.store.models import AccountRole, ContactRequest, ContactStatus, RequestMatch

from ..auth import current_account
from ..db import get_session
from .blueprints import bp


@bp.app_context_processor
def inject_enterprise_nav():
    """Unread messages and unseen RFQs for the header of an enterprise account."""
    account = current_account()
    if account is None or account.role != AccountRole.ENTERPRISE or account.profile_id is None:
        return {"enterprise_nav": None}
    db = get_session()
    unread = db.scalar(select(func.count()).select_from(ContactRequest)
                       .where(ContactRequest.profile_id == account.profile_id,
                              ContactRequest.status == ContactStatus.NEW)) or 0
    unseen = db.scalar(select(func.count()).select_from(RequestMatch)
                       .where(RequestMatch.profile_id == account.profile_id,
                              RequestMatch.seen_at.is_(None))) or 0
    return {"enterprise_nav": {"unread": unread, "unseen_requests": unseen,
                               "profile_url": url_for("enterprise.edit_profile")}}
