"""Claims to manage an existing profile: a claim alone never grants edit rights.

Profile ids are printed on every public page and Vietnamese tax codes are
public in the business registry, so knowing both proves nothing. A claim is
queued (:func:`open_claim`) and becomes ownership only when

- the claimant enters the one-time code sent to the e-mail the profile has on
  file (:func:`confirm_code`; :data:`CODE_TTL`, at most :data:`MAX_ATTEMPTS`
  wrong tries per claim), or
- staff approve it (:func:`decide`), having seen what the claimant submitted
  and the contact on file.

Every claim and decision stays as a :class:`~recommender.store.models.ProfileClaim`
row (the log staff read); nothing here sends mail (the caller does, with the
code :func:`open_claim` or :func:`new_code` returns).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ClaimStatus, EnterpriseAccount, ProfileClaim, SupplierProfile, utcnow

log = logging.getLogger(__name__)

CODE_TTL = timedelta(hours=24)
MAX_ATTEMPTS = 8
"""Wrong codes allowed per claim, over all codes sent for it (a new code does not reset
the count: eight guesses at a six-digit code, then only staff can approve)."""
RESEND_AFTER = timedelta(minutes=1)
SUBMITTED_FIELDS = ("contact_name", "position", "phone", "message")
"""What a claimant may tell staff (each kept to 500 characters)."""


CLAIM_MESSAGES = {
    "decided": "Yêu cầu này đã được xử lý.",
    "code_just_sent": "Mã vừa được gửi: vui lòng đợi một phút rồi thử lại.",
    "no_email": "Hồ sơ này không có email để gửi mã: yêu cầu đang chờ cán bộ duyệt.",
    "code_expired": "Mã đã hết hạn: hãy yêu cầu gửi mã mới.",
    "too_many_attempts": "Đã nhập sai quá nhiều lần: yêu cầu sẽ được cán bộ xem xét.",
    "wrong_code": "Mã không đúng (còn {left} lần thử).",
    "wrong_code_last": "Mã không đúng. Đã hết lượt thử: yêu cầu sẽ được cán bộ xem xét.",
}
"""Why a claim action cannot be done, in Vietnamese; the web app words the same codes in the
user's language."""


class ClaimError(ValueError):
    """A claim action that cannot be done: a ``code`` of :data:`CLAIM_MESSAGES` with its
    parameters; ``str()`` is the Vietnamese message."""

    def __init__(self, code: str, **params: int) -> None:
        self.code, self.params = code, params
        super().__init__(CLAIM_MESSAGES[code].format(**params))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def mask_email(email: str) -> str:
    """``n***@congty.vn``: enough for the owner to recognise, not to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def _issue_code(claim: ProfileClaim, now: datetime) -> str | None:
    email = (claim.profile.email or "").strip()
    if not email or (claim.code_attempts or 0) >= MAX_ATTEMPTS:
        claim.code_hash = claim.code_sent_to = claim.code_expires_at = None
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    claim.code_hash = _digest(code)
    claim.code_sent_to = email
    claim.code_expires_at = now + CODE_TTL
    return code


def open_claim(session: Session, account: EnterpriseAccount, profile: SupplierProfile,
               submitted: dict[str, str] | None = None) -> tuple[ProfileClaim, str | None]:
    """Queue ``account``'s claim on ``profile`` (committed); returns it and the one-time
    code to e-mail to ``claim.code_sent_to`` (None when the profile has no e-mail on file:
    staff decide alone). An open claim of the same account on the same profile is reused.
    """
    details = {k: str(v).strip()[:500] for k, v in (submitted or {}).items()
               if k in SUBMITTED_FIELDS and str(v or "").strip()}
    claim = session.scalar(select(ProfileClaim).where(
        ProfileClaim.account_id == account.id, ProfileClaim.profile_id == profile.id,
        ProfileClaim.status == ClaimStatus.PENDING))
    if claim is None:
        claim = ProfileClaim(account=account, profile=profile, submitted=details,
                             status=ClaimStatus.PENDING, code_attempts=0)
        session.add(claim)
    elif details:
        claim.submitted = {**(claim.submitted or {}), **details}
    code = _issue_code(claim, utcnow())
    session.commit()
    log.info("claim %s: account %s asks to manage profile %s (code %s)", claim.id, account.id,
             profile.external_id, "sent to the e-mail on file" if code else "not possible")
    return claim, code


def new_code(session: Session, claim: ProfileClaim) -> str | None:
    """A fresh code for a pending claim (committed), or None without an e-mail on file.

    Raises:
        ClaimError: the claim is decided, or the last code is less than a minute old.
    """
    if claim.status != ClaimStatus.PENDING:
        raise ClaimError("decided")
    now = utcnow()
    if claim.code_expires_at is not None and \
            claim.code_expires_at - CODE_TTL + RESEND_AFTER > now:
        raise ClaimError("code_just_sent")
    code = _issue_code(claim, now)
    session.commit()
    return code


def _grant(session: Session, claim: ProfileClaim, now: datetime, decided_by: int | None,
           decision: str) -> None:
    # the profile has one managing account: whoever held it before loses the link (logged)
    previous = list(session.scalars(select(EnterpriseAccount).where(
        EnterpriseAccount.profile_id == claim.profile_id,
        EnterpriseAccount.id != claim.account_id)))
    for other in previous:
        other.profile_id = None
    if previous:
        decision += " Tài khoản quản lý trước đó (" + ", ".join(
            a.email for a in previous) + ") không còn quyền sửa hồ sơ."
    claim.account.profile_id = claim.profile_id
    claim.status = ClaimStatus.APPROVED
    claim.decided_at, claim.decided_by, claim.decision = now, decided_by, decision
    claim.code_hash = None


def confirm_code(session: Session, claim: ProfileClaim, code: str) -> None:
    """Approve ``claim`` when ``code`` is the one e-mailed to the contact on file (committed).

    Raises:
        ClaimError: wrong, expired or used-up code, or the claim is not pending.
    """
    if claim.status != ClaimStatus.PENDING:
        raise ClaimError("decided")
    now = utcnow()
    if claim.code_hash is None or claim.code_expires_at is None:
        raise ClaimError("no_email")
    if claim.code_expires_at < now:
        raise ClaimError("code_expired")
    if claim.code_attempts >= MAX_ATTEMPTS:
        raise ClaimError("too_many_attempts")
    claim.code_attempts += 1
    if not hmac.compare_digest(claim.code_hash, _digest("".join(code.split()))):
        session.commit()
        left = MAX_ATTEMPTS - claim.code_attempts
        raise ClaimError("wrong_code", left=left) if left else ClaimError("wrong_code_last")
    _grant(session, claim, now, None,
           f"Xác nhận bằng mã gửi tới {mask_email(claim.code_sent_to or '')}.")
    session.commit()
    log.info("claim %s approved by the code sent to the e-mail on file", claim.id)


def decide(session: Session, claim: ProfileClaim, approve: bool, staff_id: int,
           note: str = "") -> None:
    """Staff approve or reject a pending claim (committed), with an optional note.

    Raises:
        ClaimError: the claim was decided already.
    """
    if claim.status != ClaimStatus.PENDING:
        raise ClaimError("decided")
    now = utcnow()
    note = note.strip()[:1000]
    if approve:
        _grant(session, claim, now, staff_id, "Cán bộ đã duyệt." + (f" {note}" if note else ""))
    else:
        claim.status = ClaimStatus.REJECTED
        claim.decided_at, claim.decided_by = now, staff_id
        claim.decision = "Cán bộ từ chối." + (f" {note}" if note else "")
        claim.code_hash = None
    session.commit()
    log.info("claim %s %s by staff account %s", claim.id,
             "approved" if approve else "rejected", staff_id)


def pending(session: Session) -> list[ProfileClaim]:
    """Claims waiting for a decision, oldest first."""
    return list(session.scalars(select(ProfileClaim)
                                .where(ProfileClaim.status == ClaimStatus.PENDING)
                                .order_by(ProfileClaim.created_at, ProfileClaim.id)))


def recent_decisions(session: Session, limit: int = 50) -> list[ProfileClaim]:
    """The latest decided claims, newest first."""
    return list(session.scalars(select(ProfileClaim)
                                .where(ProfileClaim.status != ClaimStatus.PENDING)
                                .order_by(ProfileClaim.decided_at.desc(), ProfileClaim.id.desc())
                                .limit(limit)))


def claims_of(session: Session, account_id: int) -> list[ProfileClaim]:
    """An account's claims, newest first."""
    return list(session.scalars(select(ProfileClaim)
                                .where(ProfileClaim.account_id == account_id)
                                .order_by(ProfileClaim.created_at.desc(),
                                          ProfileClaim.id.desc())))
