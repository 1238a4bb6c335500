"""API tokens: how a program authenticates to the JSON API without the HTML login form.

A token is ``knt_`` plus 43 random URL-safe characters, shown once when made;
only its SHA-256 digest is stored, so a database copy reveals no usable token.
A client sends it as ``Authorization: Bearer knt_…``; it acts as the account
that made it (same roles) until revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiToken, EnterpriseAccount, utcnow

PREFIX = "knt_"
MAX_NAME = 120
TOUCH_EVERY = timedelta(minutes=5)
"""``last_used_at`` is written at most this often (not on every request)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, account: EnterpriseAccount, name: str) -> tuple[ApiToken, str]:
    """A new token for ``account`` named ``name`` (committed); returns the row and the token,
    which is never shown again."""
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise ValueError("Hãy đặt tên cho token (ví dụ: máy chủ ERP).")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(account_id=account.id, name=name, token_hash=_digest(token),
                   prefix=token[:len(PREFIX) + 6])
    session.add(row)
    session.commit()
    return row, token


def account_for(session: Session, token: str) -> EnterpriseAccount | None:
    """The account a valid, unrevoked ``token`` belongs to, else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        session.commit()
    return row.account


def tokens_of(session: Session, account_id: int) -> list[ApiToken]:
    """An account's tokens, newest first (revoked ones included, marked)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.account_id == account_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(session: Session, token_id: int, account_id: int) -> bool:
    """Revoke one of ``account_id``'s tokens (committed); False if it has no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.account_id != account_id:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return True
