"""Enterprise profile editing: the form, the public profile page and the JSON API.

An enterprise account edits only the profile it is linked to. A save updates
the database in one transaction and then the live index
(:meth:`~recommender.serving.catalog.Catalog.apply_saved`), so buyers find the change at once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recommender import places
from recommender.store.changes import record_change
from recommender.store.models import (
    MAX_LEN,
    Certification,
    ChangeOp,
    SupplierProfile,
    utcnow,
)
from recommender.store.records import clean_line, clean_text
from recommender.store.terms import confirmed_mappings
from recommender.store.wording import read_capabilities, read_date, split_phrases
from recommender.taxonomy import load_taxonomy

from .auth import current_account, login_required
from .catalog import get_catalog
from .db import get_session
from .errors import error_response
from .i18n import current_language

bp = Blueprint("enterprise", __name__)
api = Blueprint("enterprise_api", __name__, url_prefix="/api/v1")

EDITABLE = ("description", "processes", "certifications", "capacity", "park", "ward")
MAX_CERTIFICATES = 50


class ProfileErrors(ValueError):
    """Field → Vietnamese message for every invalid field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _as_text(value: Any, limit: int, label: str, *, multiline: bool = False) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{label} phải là văn bản.")
    text = clean_text(value) if multiline else clean_line(value)
    if len(text) > limit:
        raise ValueError(f"{label} quá dài ({len(text)} ký tự; tối đa {limit}).")
    return text or None


def _as_list(value: Any, label: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[;\n]", value) if part.strip()]
    if not isinstance(value, list):
        raise ValueError(f"{label} phải là danh sách.")
    return value


def _processes(value: Any) -> dict[str, Any]:
    """The firm's own phrases, mapped to the taxonomy; unknown ones kept as searchable text."""
    phrases: list[str] = []
    items = split_phrases(value) if isinstance(value, str) else _as_list(value, "Quy trình")
    for item in items:
        if not isinstance(item, str):
            raise ValueError("Mỗi quy trình phải là văn bản.")
        text = _as_text(item, MAX_LEN["list_item"], "Quy trình")
        if text and text not in phrases:
            phrases.append(text)
    reading = read_capabilities(phrases, confirmed=confirmed_mappings(get_session()))
    return {"processes": reading.processes, "capabilities": reading.capabilities}


def _cert_date(text: Any, where: str) -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    found = read_date(str(text))
    if found is None:
        raise ValueError(f"{where}: ngày hết hạn phải có dạng NNNN-TT-NN hoặc NN/TT/NNNN "
                         "(ví dụ 2027-12-31 hoặc 31/12/2027).")
    return found


def _certifications(value: Any) -> list[dict[str, Any]]:
    """From a list of objects (API) or lines ``tên; hạn; đơn vị cấp`` (form)."""
    items = _as_list(value, "Chứng chỉ") if not isinstance(value, str) else [
        line for line in value.splitlines() if line.strip()]
    if len(items) > MAX_CERTIFICATES:
        raise ValueError(f"Tối đa {MAX_CERTIFICATES} chứng chỉ.")
    out = []
    for i, item in enumerate(items, 1):
        where = f"Chứng chỉ {i}"
        if isinstance(item, str):
            parts = [p.strip() for p in item.split(";")]
            item = {"name": parts[0], "valid_until": parts[1] if len(parts) > 1 else None,
                    "issuer": parts[2] if len(parts) > 2 else None}
        if not isinstance(item, dict):
            raise ValueError(f"{where} không hợp lệ.")
        unknown = set(item) - {"name", "issuer", "valid_until"}
        if unknown:
            raise ValueError(f"{where}: trường không hỗ trợ {', '.join(sorted(unknown))}.")
        name = _as_text(item.get("name"), MAX_LEN["cert_name"], f"{where}: tên")
        if not name:
            raise ValueError(f"{where} chưa có tên.")
        out.append({"name": name,
                    "issuer": _as_text(item.get("issuer"), MAX_LEN["cert_issuer"],
                                       f"{where}: đơn vị cấp"),
                    "valid_until": _cert_date(item.get("valid_until"), where)})
    return out


def _park(value: Any) -> dict[str, Any]:
    """A park name or any address (old district names too), resolved to today's units."""
    text = _as_text(value, MAX_LEN["address"], "Khu công nghiệp / địa chỉ")
    if not text:
        return {"park": None, "address": None, "area": None, "region": None}
    values, _ = places.stored_location(text)
    if not values["ward"]:
        del values["ward"]  # keep the ward field's own value
    return values


def _description(value: Any) -> str:
    text = _as_text(value, MAX_LEN["description"], "Mô tả", multiline=True)
    if not text:
        raise ValueError("Vui lòng mô tả năng lực của doanh nghiệp.")
    return text


_PARSERS = {
    "description": _description,
    "processes": _processes,
    "certifications": _certifications,
    "capacity": lambda v: _as_text(v, MAX_LEN["capacity"], "Năng lực sản xuất"),
    "park": _park,
    "ward": lambda v: _as_text(v, MAX_LEN["ward"], "Phường/xã"),
}


_SPREADING = frozenset({"processes", "park"})


def validate_profile_changes(data: dict[str, Any]) -> dict[str, Any]:
    """Checked, normalised values for the editable fields in ``data``.

    Raises:
        ProfileErrors: with a Vietnamese message per invalid or unknown field.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key in data:
        if key not in _PARSERS:
            errors[key] = f"Không thể sửa trường này (được sửa: {', '.join(EDITABLE)})."
    for key, parse in _PARSERS.items():
        if key in data:
            try:
                parsed = parse(data[key])
            except ValueError as exc:
                errors[key] = str(exc)
                continue
            if key in _SPREADING:  # one input fills several fields
                values.update({k: v for k, v in parsed.items()
                               if k not in values or k not in data})
            else:
                values[key] = parsed
    if errors:
        raise ProfileErrors(errors)
    return values


def save_profile(profile: SupplierProfile, values: dict[str, Any]) -> None:
    """Write ``values`` and a change-log row in one transaction, then apply them to the live
    index of this process (other processes follow the change log within a second)."""
    db = get_session()
    account = current_account()
    try:
        for key, value in values.items():
            if key == "certifications":
                profile.certifications.clear()
                profile.certifications.extend(Certification(**c) for c in value)
            else:
                setattr(profile, key, value)
        profile.updated_at = utcnow()
        # same transaction: every serving process re-indexes what the change log names
        record_change(db, profile.id, ChangeOp.UPSERT, account.id if account else None)
        db.commit()
    except Exception:
        db.rollback()
        raise
    current_app.logger.info("profile %s: %s changed by account %s", profile.external_id,
                            ", ".join(sorted(values)), account.id if account else None)
    catalog = get_catalog()
    if not catalog.ready:  # the index being built reads the saved row
        current_app.logger.info("profile %s saved while the index is being built",
                                profile.external_id)
        return
    try:
        catalog.apply_saved(profile)
    except Exception:
        # the database is the record: the next index build picks the change up
        current_app.logger.exception("profile %s saved but not applied to the live index",
                                     profile.external_id)


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
    if account.profile is None:
        abort(404)
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
            values = validate_profile_changes(form)
        except ProfileErrors as exc:
            errors = exc.fields
        else:
            save_profile(profile, values)
            flash("Đã lưu hồ sơ. Thay đổi đã có trong kết quả tìm kiếm.")
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
        return error_response(404, f"no supplier {external_id!r}")
    return profile_json(profile)


@api.patch("/suppliers/<external_id>")
@login_required(role="enterprise")
def api_patch(external_id: str):
    profile = _load(external_id)
    if profile is None:
        return error_response(404, f"no supplier {external_id!r}")
    if not _owns(profile):
        return error_response(403, "you may only change your own profile")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not data:
        return error_response(400, "send a JSON object with the fields to change: "
                              + ", ".join(EDITABLE))
    try:
        values = validate_profile_changes(data)
    except ProfileErrors as exc:
        return error_response(400, "some fields are invalid", exc.fields)
    save_profile(profile, values)
    return profile_json(profile)


def init_app(app) -> None:
    from .security import csrf

    # the API uses the session cookie (SameSite=Lax) and JSON bodies, not form tokens
    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)
