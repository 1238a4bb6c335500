"""Policy findings in the reader's language: reasons, hints, notes and verification.

:mod:`recommender.policy` gives each criterion a reason as a code with facts
(:class:`recommender.policy.Finding`); this module words them with
``gettext`` (Vietnamese source strings, English in ``messages.po``), picks the
catalogue's text in the same language (clauses, notes, benefits) and turns
each hint into what the firm can do: fill in a named field of its profile form,
choose a plan on the policies page, or confirm a fact with the programme
office. Nothing here decides eligibility.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from recommender import vocab
from recommender.policy import ACTIVITIES, BUSINESS_FORMS


def _labels(keys: Iterable[str], terms: Iterable[Any], lang: str) -> str:
    terms = tuple(terms)
    return ", ".join(vocab.label(k, terms, lang) for k in keys)


def _classes(names: Iterable[str]) -> str:
    words = {"micro": _("siêu nhỏ"), "small": _("nhỏ"), "medium": _("vừa"), "large": _("lớn")}
    return f" {_('hoặc')} ".join(words.get(n, n) for n in names)


def _number(value: float) -> str:
    return f"{value:g}"


def _figures(f: Mapping[str, Any]) -> str:
    shown = []
    if f.get("employees") is not None:
        shown.append(_("%(n)s lao động đóng bảo hiểm", n=f["employees"]))
    if f.get("revenue_bn_vnd") is not None:
        shown.append(_("doanh thu %(v)s tỷ đồng", v=_number(f["revenue_bn_vnd"])))
    if f.get("capital_bn_vnd") is not None:
        shown.append(_("vốn %(v)s tỷ đồng", v=_number(f["capital_bn_vnd"])))
    text = ", ".join(shown) or _("không có số liệu")
    if f.get("stated"):
        return _("tự khai là %(cls)s", cls=_classes([f["stated"]])) + (
            "" if not shown else f"; {text}")
    return text


def reason_text(finding: Mapping[str, Any], lang: str) -> str:
    """One criterion's reason (``{"code", "params"}``) in ``lang``."""
    code, p = finding["code"], finding.get("params") or {}
    sector = vocab.label(p["sector"], vocab.SECTORS, lang) if p.get("sector") else ""
    size = {"classes": _classes(p.get("classes", ())), "allowed": _classes(p.get("allowed", ())),
            "figures": _figures(p.get("figures") or {})}
    owner = {"ownership": vocab.label(p.get("ownership", ""), vocab.OWNERSHIPS, lang),
             "allowed": _labels(p.get("allowed", ()), vocab.OWNERSHIPS, lang)}
    plans = {"plans": _labels(p.get("plans", ()), ACTIVITIES, lang) or _("không có"),
             "wanted": _labels(p.get("wanted", ()), ACTIVITIES, lang)}
    years = _number(p["years"]) if p.get("years") is not None else ""
    texts = {
        "sector.missing": lambda: _("Hồ sơ chưa nêu ngành."),
        "sector.unrecognised": lambda: _("Ngành “%(given)s” không thuộc các ngành hệ thống "
                                         "biết.", given=p.get("given", "")),
        "sector.eligible": lambda: _("Ngành %(sector)s thuộc nhóm chương trình áp dụng.",
                                     sector=sector),
        "sector.possible": lambda: _("Ngành %(sector)s: %(note)s.", sector=sector,
                                     note=p.get("note_en" if lang == "en" else "note_vi", "")),
        "sector.not_covered": lambda: _("Ngành %(sector)s không thuộc các nhóm chương trình "
                                        "áp dụng.", sector=sector),
        "size.business_form": lambda: _("Chương trình áp dụng cho %(form)s.", form=vocab.label(
            p.get("form", ""), BUSINESS_FORMS, lang)),
        "size.unreadable": lambda: _("Không đọc được số liệu quy mô trong hồ sơ."),
        "size.not_a_class": lambda: _("Quy mô “%(given)s” không phải một hạng theo Nghị định "
                                      "80/2021/NĐ-CP.", given=p.get("given", "")),
        "size.contradiction": lambda: _(
            "Số liệu quy mô mâu thuẫn: hồ sơ ghi %(declared)s nhưng số liệu (%(figures)s) chỉ "
            "cho phép %(classes)s theo Nghị định 80/2021/NĐ-CP.",
            declared=_classes([p.get("declared", "")]), figures=size["figures"],
            classes=size["classes"]),
        "size.missing": lambda: _("Hồ sơ chưa có số liệu quy mô (lao động, doanh thu, vốn)."),
        "size.met": lambda: _("Quy mô %(classes)s (%(figures)s) thuộc các hạng %(allowed)s.",
                              **size),
        "size.not_met": lambda: _("Quy mô %(classes)s (%(figures)s) không thuộc các hạng "
                                  "%(allowed)s.", **size),
        "size.open": lambda: _("Số liệu (%(figures)s) chưa đủ để xác định quy mô: "
                               "%(classes)s.", figures=size["figures"],
                               classes=size["classes"]),
        "ownership.missing": lambda: _("Hồ sơ chưa nêu loại hình sở hữu."),
        "ownership.unrecognised": lambda: _("Loại hình sở hữu “%(given)s” không rõ.",
                                            given=p.get("given", "")),
        "ownership.contradiction": lambda: _("Thông tin sở hữu mâu thuẫn: hồ sơ ghi vốn trong "
                                             "nước nhưng có công ty mẹ nước ngoài."),
        "ownership.met": lambda: _("Sở hữu %(ownership)s thuộc: %(allowed)s.", **owner),
        "ownership.not_met": lambda: _("Sở hữu %(ownership)s không thuộc: %(allowed)s.",
                                       **owner),
        "location.outside_parks": lambda: _("Doanh nghiệp không nằm trong khu công nghiệp, "
                                            "khu chế xuất."),
        "location.park": lambda: _("Đặt tại %(park)s.", park=p.get("park", "")),
        "location.park_unlisted": lambda: _("Đặt tại %(park)s (khu chưa có trong danh sách "
                                            "của TP.HCM).", park=p.get("park", "")),
        "location.no_park": lambda: _("Hồ sơ chưa nêu khu công nghiệp."),
        "location.park_in_hcmc": lambda: _("%(park)s thuộc Thành phố Hồ Chí Minh.",
                                           park=p.get("park", "")),
        "location.in_hcmc": lambda: _("Đặt tại Thành phố Hồ Chí Minh."),
        "location.merged": lambda: _("%(province)s thuộc Thành phố Hồ Chí Minh từ %(since)s.",
                                     province=p.get("province", ""), since=p.get("since", "")),
        "location.not_yet_merged": lambda: _(
            "%(province)s chưa thuộc Thành phố Hồ Chí Minh trước %(since)s.",
            province=p.get("province", ""), since=p.get("since", "")),
        "location.outside_hcmc": lambda: _("Đặt tại %(province)s, ngoài Thành phố Hồ Chí Minh.",
                                           province=p.get("province", "")),
        "location.park_not_listed": lambda: _("Khu %(park)s chưa có trong danh sách khu công "
                                              "nghiệp TP.HCM.", park=p.get("park", "")),
        "location.missing": lambda: _("Hồ sơ chưa nêu khu công nghiệp hay tỉnh, thành phố."),
        "activity.missing": lambda: _("Doanh nghiệp chưa chọn kế hoạch (chương trình hỗ trợ: "
                                      "%(wanted)s).", wanted=plans["wanted"]),
        "activity.met": lambda: _("Doanh nghiệp có kế hoạch: %(plans)s.", plans=plans["plans"]),
        "activity.unreadable": lambda: _("Một số kế hoạch không đọc được."),
        "activity.not_met": lambda: _("Kế hoạch đã chọn (%(plans)s) không gồm: %(wanted)s.",
                                      **plans),
        "age.unreadable": lambda: _("Không đọc được ngày đăng ký doanh nghiệp."),
        "age.missing": lambda: _("Chưa biết ngày đăng ký doanh nghiệp lần đầu (chương trình "
                                 "dành cho doanh nghiệp trong %(years)s năm đầu).", years=years),
        "age.future": lambda: _("Ngày đăng ký %(registered)s sau ngày %(as_of)s: thông tin mâu "
                                "thuẫn.", registered=p.get("registered", ""),
                                as_of=p.get("as_of", "")),
        "age.met": lambda: _("Đăng ký lần đầu ngày %(registered)s, trong vòng %(years)s năm.",
                             registered=p.get("registered", ""), years=years),
        "age.not_met": lambda: _("Đăng ký lần đầu ngày %(registered)s, quá %(years)s năm trước "
                                 "ngày %(as_of)s.", registered=p.get("registered", ""),
                                 years=years, as_of=p.get("as_of", "")),
        "doubt": lambda: _("Có thể không đáp ứng: %(inner)s Riêng điều kiện này không loại "
                           "doanh nghiệp.", inner=reason_text(
                               {"code": p.get("inner", ""),
                                "params": p.get("inner_params") or {}}, lang)),
    }
    word = texts.get(code)
    return word() if word else code


# Where each hint sends the firm: a field of the profile form (``description``, ``park``),
# the plans on the policies page (``plans``), or nowhere (confirm with the programme office).
HINT_FIELDS = {"hint.sector": "description", "hint.sector_choose": "description",
               "hint.products": "description", "hint.park": "park", "hint.place": "park",
               "hint.plans": "plans"}


def hint_text(finding: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What would settle an unknown criterion: ``{"text", "field"}`` in ``lang``."""
    code, p = finding["code"], finding.get("params") or {}
    size = _("Biểu mẫu hồ sơ chưa có số lao động, doanh thu và vốn: hãy xác nhận quy mô doanh "
             "nghiệp (lao động đóng bảo hiểm, doanh thu hoặc vốn) với cơ quan quản lý chương "
             "trình.")
    owner = _("Hãy xác nhận loại hình sở hữu (trong nước, FDI, liên doanh) với cơ quan quản lý "
              "chương trình.")
    texts = {
        "hint.sector": _("Nêu rõ ngành và sản phẩm chính trong ô “Mô tả năng lực” của hồ sơ."),
        "hint.park": _("Điền ô “Khu công nghiệp / khu chế xuất” của hồ sơ."),
        "hint.place": _("Điền ô “Khu công nghiệp / khu chế xuất” hoặc “Phường/xã” của hồ sơ."),
        "hint.plans": _("Chọn kế hoạch của doanh nghiệp (%(plans)s) ở mục Kế hoạch trên trang "
                        "chương trình hỗ trợ.", plans=_labels(p.get("wanted", ()), ACTIVITIES,
                                                              lang)),
        "hint.registration": _("Hãy xác nhận ngày đăng ký doanh nghiệp lần đầu (ghi trên Giấy "
                               "chứng nhận đăng ký doanh nghiệp) với cơ quan quản lý chương "
                               "trình."),
        "hint.ask_office": _("Hãy hỏi cơ quan quản lý chương trình điều kiện này có áp dụng "
                             "cho doanh nghiệp hay không."),
        "hint.ownership": owner, "hint.ownership_correct": owner,
    }
    texts["hint.sector_choose"] = texts["hint.products"] = texts["hint.sector"]
    for key in ("hint.size", "hint.size_missing", "hint.size_correct", "hint.figures_correct",
                "hint.size_class"):
        texts[key] = size
    return {"text": texts.get(code, code), "field": HINT_FIELDS.get(code), "code": code}


def priority_text(finding: Mapping[str, Any]) -> str:
    if finding["code"] == "priority.applies":
        return _("Được ưu tiên: doanh nghiệp nhỏ và vừa do phụ nữ làm chủ.")
    return _("Doanh nghiệp nhỏ và vừa do phụ nữ làm chủ được ưu tiên: hãy nêu điều này khi nộp "
             "hồ sơ.")


def standing_labels() -> dict[str, str]:
    return {"eligible": _("Đủ điều kiện"), "nearly": _("Gần đủ điều kiện"),
            "unknown": _("Chưa rõ: cần thêm thông tin"), "not_eligible": _("Không đủ điều kiện"),
            "not_yet_in_force": _("Chưa có hiệu lực"), "expired": _("Đã hết hiệu lực")}


def verification_labels() -> dict[str, str]:
    return {"verified": _("Đã đối chiếu văn bản pháp luật"),
            "partly_verified": _("Đã đối chiếu một phần với văn bản pháp luật"),
            "not_verified": _("Chưa đối chiếu văn bản pháp luật")}


def _pick(record: Mapping[str, Any], key: str, lang: str) -> str:
    """``key`` in ``lang``: ``key_vi`` for Vietnamese when the catalogue has it."""
    if lang == "vi" and record.get(f"{key}_vi"):
        return record[f"{key}_vi"]
    return record.get(key) or ""


def verification(v: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The programme's verification, once, with its label and note in ``lang``."""
    return {"status": v.get("status", "not_verified"),
            "label": verification_labels()[v.get("status", "not_verified")],
            "checked_on": v.get("checked_on"), "note": v.get(f"note_{lang}", ""),
            "sources": list(v.get("sources", []))}


def localise_supplier_item(item: dict[str, Any], record: Mapping[str, Any],
                           lang: str) -> dict[str, Any]:
    """A judged programme (``ProgramMatch.to_dict()``) worded in ``lang``."""
    out = dict(item)
    clauses = {c["id"]: c for c in record.get("eligibility", {}).get("criteria", [])}
    criteria, hints = [], []
    for c in item["criteria"]:
        c = dict(c)
        c["reason"] = reason_text(c["why"], lang)
        c["source"] = _pick(clauses.get(c["id"], {}), "clause", lang) or c["source"]
        c["to_find_out"] = hint_text(c["hint"], lang) if c.get("hint") else None
        if c["to_find_out"] and c["to_find_out"]["text"] not in [h["text"] for h in hints]:
            hints.append(c["to_find_out"])
        criteria.append(c)
    out["criteria"], out["to_find_out"] = criteria, hints
    labels = {"sector": _("Ngành"), "size_class": _("Quy mô"), "ownership": _("Sở hữu"),
              "location": _("Địa điểm"), "activity": _("Kế hoạch"),
              "enterprise_age": _("Thời gian hoạt động")}
    missing = [c for c in criteria if c["outcome"] != "yes"]
    standing = item["standing"]
    if standing == "expired":
        head = _("Chương trình đã kết thúc ngày %(date)s; không thể đăng ký.",
                 date=item["ended_on"])
    elif standing == "not_yet_in_force":
        head = _("Chương trình có hiệu lực từ ngày %(date)s.", date=item["valid_from"])
    elif standing == "eligible":
        head = _("Đáp ứng mọi tiêu chí.")
    else:
        head = {"nearly": _("Còn thiếu: %(what)s."), "unknown": _("Chưa xác định được: %(what)s."),
                "not_eligible": _("Không đáp ứng: %(what)s.")}[standing] % {
            "what": ", ".join(labels.get(c["kind"], c["kind"]) for c in missing
                              if standing != "not_eligible" or c["outcome"] == "no")}
    shown = criteria if standing == "eligible" else [
        c for c in missing if standing != "not_eligible" or c["outcome"] == "no"]
    out["headline"] = head
    out["reason"] = " ".join([head] + [c["reason"] for c in shown])
    out["instruments"] = [i.get(f"name_{lang}") or i["number"]
                          for i in record.get("instruments", [])]
    out["standing_label"] = standing_labels()[standing]
    out["missing"] = [{"id": c["id"], "kind": c["kind"], "label": labels.get(c["kind"], c["kind"])}
                      for c in missing]
    out["priorities"] = [priority_text(f) for f in item.get("priorities", [])]
    eligibility = record.get("eligibility", {})
    out["confirm"] = _pick(eligibility, "confirm", lang)
    out["validity_note"] = _pick(record, "validity_note", lang)
    out["verification"] = verification(item.get("verification") or {}, lang)
    out["lang"] = lang
    return out


def localise_buyer_item(item: dict[str, Any], lang: str) -> dict[str, Any]:
    """A programme rewarding linkage (``BuyerProgramMatch.to_dict()``) worded in ``lang``."""
    out = dict(item)
    link = item.get("linkage") or {}
    text = link.get(lang) or link.get("en", "")
    if item["status"] == "expired":
        text = _("Chương trình đã kết thúc ngày %(date)s; không thể đăng ký.",
                 date=item["ended_on"]) + " " + text
    elif item["status"] == "not_yet_in_force":
        text = _("Chương trình có hiệu lực từ ngày %(date)s.", date=item["valid_from"]) + \
            " " + text
    out["reason"] = text
    out["source"] = _pick(link, "clause", lang)
    out["standing_label"] = standing_labels()[item["standing"]]
    out["verification"] = verification(item.get("verification") or {}, lang)
    out["lang"] = lang
    return out
