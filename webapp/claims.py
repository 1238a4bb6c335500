"""Ownership claims, as the claimant and staff see them.

An enterprise that asked to manage an existing profile (at registration, or
later from ``/enterprise/claim``) waits there: it enters the code e-mailed to
the profile's address on file, or waits for staff. Staff decide pending claims
at ``/staff/claims``, seeing what the claimant submitted beside the contact on
file; every claim and decision stays listed (:mod:`recommender.store.claims`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recommender.store.claims import (
    ClaimError,
    claims_of,
    confirm_code,
    decide,
    mask_email,
    new_code,
    pending,
    recent_decisions,
)
from recommender.store.models import ClaimStatus, EnterpriseAccount, ProfileClaim

from .auth import claimed_profile, current_account, login_required, start_claim
from .db import get_session
from .mail import send_claim_code

bp = Blueprint("claims", __name__)

CLAIM_TEXTS = {
    "decided": _l("Yêu cầu này đã được xử lý."),
    "code_just_sent": _l("Mã vừa được gửi: vui lòng đợi một phút rồi thử lại."),
    "no_email": _l("Hồ sơ này không có email để gửi mã: yêu cầu đang chờ cán bộ duyệt."),
    "code_expired": _l("Mã đã hết hạn: hãy yêu cầu gửi mã mới."),
    "too_many_attempts": _l("Đã nhập sai quá nhiều lần: yêu cầu sẽ được cán bộ xem xét."),
    "wrong_code": _l("Mã không đúng (còn %(left)d lần thử)."),
    "wrong_code_last": _l("Mã không đúng. Đã hết lượt thử: yêu cầu sẽ được cán bộ xem xét."),
}
"""The library's claim errors (:data:`recommender.store.claims.CLAIM_MESSAGES`) in the
user's language."""


def claim_problem(exc: ClaimError) -> str:
    text = str(CLAIM_TEXTS[exc.code])
    return text % exc.params if exc.params else text


def _own_pending(claim_id: int) -> ProfileClaim:
    claim = get_session().get(ProfileClaim, claim_id)
    if claim is None or claim.account_id != current_account().id:
        abort(404)
    return claim


@bp.get("/enterprise/claim")
@login_required(role="enterprise")
def status():
    account = current_account()
    claims = claims_of(get_session(), account.id)
    return render_template("enterprise/claim.html", claims=claims, mask_email=mask_email,
                           outbox=session.get("outbox_file"), form={}, errors={},
                           has_profile=account.profile_id is not None)


@bp.post("/enterprise/claim")
@login_required(role="enterprise")
def new():
    """Ask to manage another existing profile (an account without one, or a second firm)."""
    account = current_account()
    errors: dict[str, str] = {}
    profile = claimed_profile(request.form, errors)
    if profile is not None and profile.id == account.profile_id:
        errors["external_id"] = _("Bạn đã quản lý hồ sơ này.")
    if errors:
        return render_template("enterprise/claim.html", claims=claims_of(get_session(),
                                                                         account.id),
                               mask_email=mask_email, outbox=session.get("outbox_file"),
                               form=request.form, errors=errors,
                               has_profile=account.profile_id is not None), 400
    start_claim(account, profile, request.form)
    flash(_("Đã gửi yêu cầu quản lý hồ sơ %(name)s.", name=profile.name))
    return redirect(url_for("claims.status"))


@bp.post("/enterprise/claim/<int:claim_id>/code")
@login_required(role="enterprise")
def enter_code(claim_id: int):
    claim = _own_pending(claim_id)
    try:
        confirm_code(get_session(), claim, request.form.get("code", ""))
    except ClaimError as exc:
        flash(claim_problem(exc))
        return redirect(url_for("claims.status"))
    session.pop("outbox_file", None)
    flash(_("Đã xác nhận: bạn quản lý hồ sơ %(name)s.", name=claim.profile.name))
    return redirect(url_for("enterprise.edit_profile"))


@bp.post("/enterprise/claim/<int:claim_id>/resend")
@login_required(role="enterprise")
def resend(claim_id: int):
    claim = _own_pending(claim_id)
    try:
        code = new_code(get_session(), claim)
    except ClaimError as exc:
        flash(claim_problem(exc))
        return redirect(url_for("claims.status"))
    if code is not None:
        outbox = send_claim_code(claim.code_sent_to, claim.profile.name, code,
                                 current_account().email)
        if outbox is not None:
            session["outbox_file"] = str(outbox)
        flash(_("Đã gửi mã mới tới %(email)s.", email=mask_email(claim.code_sent_to)))
    return redirect(url_for("claims.status"))


@bp.get("/staff/claims")
@login_required(role="staff")
def staff_page():
    db = get_session()
    waiting = pending(db)
    checks = {}
    for claim in waiting:
        competing = db.scalars(select(ProfileClaim.id).where(
            ProfileClaim.profile_id == claim.profile_id, ProfileClaim.id != claim.id,
            ProfileClaim.status == ClaimStatus.PENDING)).all()
        manager = db.scalar(select(EnterpriseAccount.email).where(
            EnterpriseAccount.profile_id == claim.profile_id))
        checks[claim.id] = {"competing": len(competing), "manager": manager}
    return render_template("staff/claims.html", pending=waiting, decided=recent_decisions(db),
                           checks=checks, mask_email=mask_email)


@bp.post("/staff/claims/<int:claim_id>")
@login_required(role="staff")
def staff_decide(claim_id: int):
    db = get_session()
    claim = db.get(ProfileClaim, claim_id)
    if claim is None:
        abort(404)
    action = request.form.get("action")
    if action not in {"approve", "reject"}:
        abort(400)
    try:
        decide(db, claim, action == "approve", current_account().id,
               request.form.get("note", ""))
    except ClaimError as exc:
        flash(claim_problem(exc))
    else:
        flash(_("Đã duyệt: %(email)s quản lý hồ sơ %(name)s.", email=claim.account.email,
                name=claim.profile.name) if action == "approve" else
              _("Đã từ chối yêu cầu của %(email)s.", email=claim.account.email))
    return redirect(url_for("claims.staff_page"))


def init_app(app) -> None:
    app.register_blueprint(bp)
