"""Premises in the user's language: kinds, the conditions checked and their outcome."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from recommender.premises import PremisesMatch

KINDS = {"ready_built_factory": _l("nhà xưởng xây sẵn"),
         "high_rise_floor": _l("sàn nhà xưởng cao tầng"),
         "land_plot": _l("đất công nghiệp"), "warehouse": _l("kho")}

CHECKS = {"kind": _l("loại mặt bằng"), "area": _l("diện tích (m²)"), "place": _l("địa điểm"),
          "floor_load": _l("tải trọng sàn (tấn/m²)"), "power": _l("điện (kVA)"),
          "price": _l("giá thuê (USD/m²/tháng)"), "date": _l("ngày có thể nhận")}

STATUS = {"met": _l("đạt"), "missing": _l("không đạt"), "unknown": _l("chưa rõ")}

PRICE_UNITS = {"usd_m2_month": _l("USD/m²/tháng"), "usd_m2_term": _l("USD/m² cả thời hạn thuê")}


def checks_view(match: PremisesMatch) -> list[dict[str, Any]]:
    """Each condition checked, worded: what it is, what was asked, what the listing has."""
    return [{"kind": c.kind, "label": str(CHECKS[c.kind]), "status": c.status,
             "status_text": str(STATUS[c.status]),
             "wanted": ", ".join(str(KINDS.get(k, k)) for k in c.wanted.split("/"))
             if c.kind == "kind" else c.wanted,
             "found": str(KINDS.get(c.found, c.found)) if c.kind == "kind" else c.found}
            for c in match.checks]
