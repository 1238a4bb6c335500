"""Enterprise profile editing: the form, the public profile page and the JSON API.

An enterprise account edits only the profile it is linked to. A save goes through
the one write path (:mod:`recommender.store.profiles`): saved and logged in one
transaction, applied to this process's index at once and to every other
serving process through the change log, so buyers find the change at once.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recommender import places
from recommender.store.models import SupplierProfile
from recommender.store.profiles import EDITABLE, ProfileErrors, read_fields, update_profile
from recommender.taxonomy import load_taxonomy

from .auth import current_account, login_required
from .catalog import get_catalog
from .db import get_session
from .errors import api_error
from .fields import field_messages
from .i18n import current_language

bp = Blueprint("enterprise", __name__)
api = Blueprint("enterprise_api", __name__, url_prefix="/api/v1")

def save_changes(profile: SupplierProfile, values: dict[str, Any]) -> None:
    """Save checked values through the one write path, as the logged-in account."""
    account = current_account()
    update_profile(get_session(), profile, values,
                   account_id=account.id if account else None,
                   publish=get_catalog().apply_saved)


def _load(external_id: str) -> SupplierProfile | None:
    return get_session().scalar(
        select(SupplierProfile).where(SupplierProfile.external_id == external_id)
        .options(selectinload(SupplierProfile.certifications)))


def _owns(profile: SupplierProfile) -> bool:
    account = current_account()
    return account is not None and account.profile_id == profile.id


def profile_json(p: SupplierProfile) -> dict[str, Any]:
    """What anyone may read about a profile (no tax code or contact details)."""
    return {
        "external_id": p.external_id, "name": p.name, "description": p.description,
        "sector": p.sector, "processes": list(p.processes or []),
        "certifications": [{"name": c.name, "issuer": c.issuer,
                            "valid_until": c.valid_until.isoformat() if c.valid_until else None}
                           for c in p.certifications],
        "capabilities": [{"text": c["text"], "keys": list(c.get("keys") or ()),
                          "labels": [load_taxonomy().label(k, current_language())
                                     for k in c.get("keys") or ()]}
                         for c in p.capabilities or ()],
        "capacity": p.capacity, "park": p.park, "ward": p.ward, "area": p.area,
        "region": p.region, "verified": bool(p.verified),
        "updated_at": p.updated_at.isoformat() if p.updated_at else None,
    }


def _form_values(p: SupplierProfile) -> dict[str, str]:
    return {
        "description": p.description or "",
        "processes": "; ".join(c["text"] for c in p.capabilities) if p.capabilities else
        "; ".join(load_taxonomy().label(k) for k in p.processes or []),
        "certifications": "\n".join(
            f"{c.name}; {c.valid_until.isoformat() if c.valid_until else ''}; "
            f"{c.issuer or ''}".rstrip("; ") for c in p.certifications),
        "capacity": p.capacity or "", "park": p.address or p.park or "",
        "ward": p.ward or "",
    }


@bp.get("/enterprise/profile")
@login_required(role="enterprise")
def edit_profile():
    account = current_account()
    if account.profile is None:  # a claim waiting for proof, or none yet
        return redirect(url_for("claims.status"))
    return redirect(url_for("enterprise.edit", external_id=account.profile.external_id))


@bp.route("/enterprise/profile/<external_id>", methods=["GET", "POST"])
@login_required(role="enterprise")
def edit(external_id: str):
    profile = _load(external_id)
    if profile is None:
        abort(404)
    if not _owns(profile):
        abort(403)
    errors: dict[str, str] = {}
    form = _form_values(profile)
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in EDITABLE}
        try:
            values = read_fields(get_session(), form)
        except ProfileErrors as exc:
            errors = field_messages(exc)
        else:
            save_changes(profile, values)
            flash(_("Đã lưu hồ sơ. Thay đổi đã có trong kết quả tìm kiếm."))
            return redirect(url_for("enterprise.edit", external_id=external_id))
    lang = current_language()
    taxonomy = load_taxonomy()
    return render_template(
        "enterprise/edit.html", profile=profile, form=form, errors=errors, parks=places.PARKS,
        capability_labels=sorted({n.label(lang) for n in taxonomy.capabilities}),
        understood=[(c["text"], [taxonomy.path(k, lang) for k in c["keys"]])
                    for c in profile.capabilities or ()]), 400 if errors else 200


@bp.get("/suppliers/<external_id>")
def show(external_id: str):
    profile = _load(external_id)
    if profile is None:
        abort(404)
    from .buyer import render_supplier

    return render_supplier(profile)


@api.get("/suppliers/<external_id>")
def api_get(external_id: str):
    profile = _load(external_id)
    if profile is None:
        return api_error("supplier_not_found", id=external_id)
    return profile_json(profile)


@api.patch("/suppliers/<external_id>")
@login_required(role="enterprise")
def api_patch(external_id: str):
    profile = _load(external_id)
    if profile is None:
        return api_error("supplier_not_found", id=external_id)
    if not _owns(profile):
        return api_error("not_yours")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not data:
        return api_error("bad_body", expected="{" + ", ".join(f'"{k}": …' for k in EDITABLE)
                         + "}")
    try:
        values = read_fields(get_session(), data)
    except ProfileErrors as exc:
        return api_error("invalid_fields", field_messages(exc))
    save_changes(profile, values)
    return profile_json(profile)


def init_app(app) -> None:
    from .security import csrf

    # the API uses the session cookie (SameSite=Lax) and JSON bodies, not form tokens
    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)
