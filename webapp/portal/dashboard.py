"""The enterprise dashboard: profile completeness, certificate expiry warnings, new
messages and RFQs, search appearances and clicks (``/enterprise`` and
``GET /api/v1/enterprise/dashboard``)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import String, cast, func, select

from recommender import certificates as certs
from recommender.store.models import (
    ContactRequest,
    ContactStatus,
    Interaction,
    InteractionKind,
    RequestMatch,
    SearchLog,
    SupplierProfile,
    utcnow,
)

from ..auth import login_required
from ..db import flush_search_log, get_session
from .blueprints import api, bp
from .common import own_profile

RECENT_DAYS = 30
SHORT_DESCRIPTION = 200


def completeness(p: SupplierProfile) -> list[dict[str, Any]]:
    """Each profile field buyers look at: filled or not, and why it matters to them."""
    certs = list(p.certifications)
    checks = [
        ("description", _("Mô tả năng lực"),
         bool(p.description) and len(p.description) >= SHORT_DESCRIPTION,
         _("Bên mua tìm bằng lời: mô tả càng nêu rõ sản phẩm, vật liệu, máy móc và dung sai "
           "thì hồ sơ càng khớp nhiều truy vấn (nên có ít nhất %(n)d ký tự).",
           n=SHORT_DESCRIPTION), True),
        ("processes", _("Quy trình gia công"), bool(p.processes),
         _("Bên mua lọc và tìm theo quy trình (gia công CNC, ép phun nhựa...)."), True),
        ("certifications", _("Chứng chỉ"), bool(certs),
         _("Bên mua FDI kiểm tra chứng chỉ (ISO 9001, IATF 16949...) trước khi liên hệ; "
           "truy vấn nêu chứng chỉ xếp hồ sơ có chứng chỉ còn hạn lên trước."), True),
        ("certificate_dates", _("Ngày hết hạn chứng chỉ"),
         bool(certs) and all(c.valid_until for c in certs),
         _("Bên mua kiểm tra hiệu lực chứng chỉ; chứng chỉ không ghi ngày hết hạn không được "
           "coi là còn hiệu lực."), True),
        ("capacity", _("Năng lực sản xuất"), bool(p.capacity),
         _("Bên mua cần biết quy mô sản lượng để đặt hàng."), True),
        ("park", _("Khu công nghiệp / khu chế xuất"), bool(p.park),
         _("Nhiều bên mua ưu tiên nhà cung cấp trong KCN/KCX gần nhà máy; nhiều chính sách hỗ "
           "trợ cũng xét địa điểm."), True),
        ("ward", _("Phường/xã"), bool(p.ward),
         _("Địa chỉ sau sắp xếp hành chính 2025 giúp bên mua tính đường giao hàng."), True),
        ("employees", _("Số lao động"), p.employees is not None,
         _("Truy vấn như “ít nhất 200 công nhân” và các chính sách hỗ trợ DNNVV xét số lao "
           "động. Liên hệ Ban quản lý để cập nhật."), False),
        ("ownership", _("Loại hình sở hữu"), p.ownership is not None,
         _("Nhiều bên mua tìm “doanh nghiệp 100% vốn Việt Nam”. Liên hệ Ban quản lý để cập "
           "nhật."), False),
    ]
    return [{"field": key, "label": label, "complete": ok, "why": why, "editable": editable}
            for key, label, ok, why, editable in checks]


def certificate_warnings(p: SupplierProfile, today: date | None = None) -> list[dict[str, Any]]:
    """Certificates that have expired, expire within 90 days, or have no expiry date."""
    return [w.to_dict() for w in certs.certificate_warnings(p.certifications,
                                                             today or date.today())]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_appearances(p: SupplierProfile, since) -> int:
    """Searches since ``since`` whose shown results included the profile."""
    # the JSON list is matched as text first (portable, uses no JSON functions), then
    # checked exactly in Python
    needle = f"%{_like_escape(json.dumps(p.external_id))}%"
    flush_search_log()
    lists = get_session().scalars(
        select(SearchLog.result_external_ids)
        .where(SearchLog.created_at >= since,
               cast(SearchLog.result_external_ids, String).like(needle, escape="\\")))
    return sum(1 for ids in lists if p.external_id in (ids or []))


def counts(p: SupplierProfile) -> dict[str, int]:
    db = get_session()
    since = utcnow() - timedelta(days=RECENT_DAYS)

    def count(stmt) -> int:
        return db.scalar(stmt) or 0

    interactions = select(func.count()).select_from(Interaction).where(
        Interaction.profile_id == p.id, Interaction.created_at >= since)
    return {
        "new_contact_requests": count(
            select(func.count()).select_from(ContactRequest)
            .where(ContactRequest.profile_id == p.id,
                   ContactRequest.status == ContactStatus.NEW)),
        "new_matching_requests": count(
            select(func.count()).select_from(RequestMatch)
            .where(RequestMatch.profile_id == p.id, RequestMatch.seen_at.is_(None))),
        "search_appearances_30d": search_appearances(p, since),
        "clicks_30d": count(interactions.where(Interaction.kind == InteractionKind.CLICK)),
        "shortlisted_30d": count(
            interactions.where(Interaction.kind == InteractionKind.SHORTLIST)),
    }


def dashboard_data(p: SupplierProfile) -> dict[str, Any]:
    checks = completeness(p)
    done = sum(c["complete"] for c in checks)
    return {"profile": {"external_id": p.external_id, "name": p.name},
            "completeness": {"percent": round(100 * done / len(checks)), "fields": checks},
            "certificate_warnings": certificate_warnings(p), "counts": counts(p)}


@bp.get("/enterprise")
@login_required(role="enterprise")
def dashboard():
    profile = own_profile()
    data = {**dashboard_data(profile), "profile": profile}  # the row, not its JSON summary
    return render_template("portal/dashboard.html", **data)


@api.get("/dashboard")
@login_required(role="enterprise")
def api_dashboard():
    return dashboard_data(own_profile())
