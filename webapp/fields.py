"""What is wrong with a profile field, in the user's language.

The library (:mod:`recommender.store.profiles`) names each problem with a code and its
parameters, and words it in Vietnamese; pages and the API word the same codes here, through
the catalogue, so an English page or API answer never shows a Vietnamese field text.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recommender.store.profiles import FieldError, ProfileErrors

LABELS = {
    "name": _l("Tên doanh nghiệp"), "sector": _l("Ngành"), "tax_code": _l("Mã số thuế"),
    "description": _l("Mô tả"), "processes": _l("Quy trình"),
    "certifications": _l("Chứng chỉ"), "cert": _l("Chứng chỉ %(n)s"),
    "cert_name": _l("Chứng chỉ %(n)s: tên"), "cert_issuer": _l("Chứng chỉ %(n)s: đơn vị cấp"),
    "capacity": _l("Năng lực sản xuất"), "park": _l("Khu công nghiệp / địa chỉ"),
    "ward": _l("Phường/xã"),
}

MESSAGES = {
    "not_text": _l("%(label)s phải là văn bản."),
    "too_long": _l("%(label)s quá dài (%(length)s ký tự; tối đa %(limit)s)."),
    "not_a_list": _l("%(label)s phải là danh sách."),
    "name_required": _l("Vui lòng nhập tên doanh nghiệp (tối đa %(limit)s ký tự)."),
    "name_missing": _l("Vui lòng nhập tên doanh nghiệp."),
    "unknown_sector": _l("Ngành không hợp lệ: chọn một ngành trong danh sách."),
    "bad_tax_code": _l("Mã số thuế không hợp lệ: 10 chữ số, hoặc 13 cho chi nhánh "
                       "(0123456789-001)."),
    "tax_code_taken": _l("Mã số thuế này đã có hồ sơ trên KếtNối: hãy nhập mã hồ sơ để xin "
                         "quyền quản lý hồ sơ đó."),
    "description_required": _l("Vui lòng mô tả năng lực của doanh nghiệp."),
    "process_not_text": _l("Mỗi quy trình phải là văn bản."),
    "too_many_certificates": _l("Tối đa %(limit)s chứng chỉ."),
    "cert_invalid": _l("%(label)s không hợp lệ."),
    "cert_unknown_fields": _l("%(label)s: trường không hỗ trợ %(fields)s."),
    "cert_no_name": _l("%(label)s chưa có tên."),
    "cert_bad_date": _l("%(label)s: ngày hết hạn phải có dạng NNNN-TT-NN hoặc NN/TT/NNNN "
                        "(ví dụ 2027-12-31 hoặc 31/12/2027)."),
    "not_editable": _l("Không thể sửa trường này (được sửa: %(fields)s)."),
}


def field_message(problem: FieldError) -> str:
    """One field's problem in the user's language."""
    params = dict(problem.params)
    if "label" in params:
        params["label"] = str(LABELS[params["label"]]) % {"n": params.get("n")}
    template = str(MESSAGES[problem.code])
    return template % params if "%(" in template else template


def field_messages(exc: ProfileErrors) -> dict[str, str]:
    """Field → what is wrong with it, in the user's language."""
    return {name: field_message(problem) for name, problem in exc.problems.items()}
