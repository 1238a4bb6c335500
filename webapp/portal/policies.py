"""The support programmes judged for the enterprise's profile (``/enterprise/policies``),
grouped by how close the profile is to each; judged by :mod:`webapp.policies`."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _

from recommender.policy import ACTIVITIES

from ..auth import login_required
from ..i18n import current_language
from ..policies import BadRequest, _encoder_if_ready, parse_activities, supplier_policies
from .blueprints import bp
from .common import own_profile


def _criterion_hints() -> dict[str, tuple[str, bool]]:
    """Per criterion kind: what to add (in the user's language) and whether the form has it."""
    return {
        "sector": (_("Nêu rõ sản phẩm chính và ngành trong phần mô tả năng lực."), True),
        "size_class": (_("Bổ sung số lao động đóng bảo hiểm và doanh thu hoặc vốn (tỷ đồng): "
                         "liên hệ Ban quản lý để cập nhật."), False),
        "ownership": (_("Bổ sung loại hình sở hữu (trong nước, FDI, liên doanh): liên hệ Ban "
                        "quản lý để cập nhật."), False),
        "location": (_("Thêm khu công nghiệp / khu chế xuất vào hồ sơ."), True),
        "activity": (_("Chọn kế hoạch của doanh nghiệp ở trên để xem lại kết quả."), False),
        "enterprise_age": (_("Bổ sung ngày đăng ký kinh doanh lần đầu: liên hệ Ban quản lý để "
                             "cập nhật."), False),
    }


def policy_group(item: dict[str, Any]) -> str:
    """Where a judged programme goes on the page.

    ``eligible``: in force and every criterion met. ``nearly``: in force and
    some criteria cannot be judged yet (the profile lacks the facts), or the only
    unmet ones are plans the company could take up (activities). ``not``: a
    criterion is not met. ``inactive``: expired or not yet in force.
    """
    if item.get("status") != "active":
        return "inactive"
    if item.get("eligible") == "yes":
        return "eligible"
    if item.get("eligible") == "unknown":
        return "nearly"
    failed = [c for c in item.get("criteria") or [] if c.get("outcome") == "no"]
    return "nearly" if failed and all(c.get("kind") == "activity" for c in failed) else "not"


POLICY_GROUPS = ("eligible", "nearly", "not", "inactive")


@bp.get("/enterprise/policies")
@login_required(role="enterprise")
def policies_page():

    profile = own_profile()
    chosen = request.args.getlist("activities")
    try:
        activities = parse_activities(chosen) if chosen else None
    except BadRequest:
        abort(400)
    today = date.today()
    found = supplier_policies(profile.external_id, as_of=today, activities=activities,
                              encoder=_encoder_if_ready())
    english = current_language() == "en"
    items = found["items"] if found else []
    groups = {g: [i for i in items if policy_group(i) == g] for g in POLICY_GROUPS}
    return render_template(
        "portal/policies.html", profile=profile, items=items, groups=groups,
        group_titles={
            "eligible": _("Đủ điều kiện"),
            "nearly": _("Gần đủ điều kiện: cần bổ sung thông tin hoặc kế hoạch"),
            "not": _("Chưa đủ điều kiện"),
            "inactive": _("Chương trình không còn hoặc chưa có hiệu lực")},
        today=today, english=english, hints=_criterion_hints(), activities=ACTIVITIES,
        chosen=set(activities or ()),
        kinds={"sector": _("Ngành"), "size_class": _("Quy mô"), "ownership": _("Sở hữu"),
               "location": _("Địa điểm"), "activity": _("Kế hoạch"),
               "enterprise_age": _("Thời gian hoạt động")},
        eligible_labels={"yes": _("Đủ điều kiện"), "no": _("Không đủ điều kiện"),
                         "unknown": _("Chưa rõ: cần thêm thông tin")},
        status_labels={"active": _("Đang hiệu lực"), "expired": _("Đã hết hiệu lực"),
                       "not_yet_in_force": _("Chưa có hiệu lực")})
