"""The support programmes judged for the enterprise's profile (``/enterprise/policies``),
grouped by what the firm can act on (:data:`recommender.policy.STANDINGS`); judged by
:mod:`webapp.policies`, worded by :mod:`webapp.policy_text`."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _

from recommender.policy import ACTIVITIES, STANDINGS

from ..auth import login_required
from ..i18n import current_language
from ..policies import BadRequest, _encoder_if_ready, parse_activities, supplier_policies
from ..policy_text import standing_labels
from .blueprints import bp
from .common import own_profile


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
    groups = {g: [i for i in items if i["standing"] == g] for g in STANDINGS}
    return render_template(
        "portal/policies.html", profile=profile, items=items, groups=groups,
        group_titles={
            "eligible": _("Đủ điều kiện và đang hiệu lực"),
            "nearly": _("Gần đủ điều kiện: chỉ còn thiếu kế hoạch"),
            "unknown": _("Chưa rõ: cần thêm thông tin"),
            "not_eligible": _("Không đủ điều kiện"),
            "not_yet_in_force": _("Chưa có hiệu lực"),
            "expired": _("Đã hết hiệu lực")},
        today=today, english=english, activities=ACTIVITIES, chosen=set(activities or ()),
        standing_labels=standing_labels(),
        status_labels={"active": _("Đang hiệu lực"), "expired": _("Đã hết hiệu lực"),
                       "not_yet_in_force": _("Chưa có hiệu lực")})
