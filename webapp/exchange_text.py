"""The resource exchange in the user's language: listing problems, match reasons,
kinds and statuses (the library names each by a code, :mod:`recommender.store.listings`
and :mod:`recommender.exchange.match`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recommender.store.listings import ListingErrors

FIELD_LABELS = {
    "kind": _l("Loại tin"), "what": _l("Nội dung"), "quantity": _l("Số lượng"),
    "frequency": _l("Tần suất"), "details": _l("Chi tiết"), "site": _l("Địa điểm"),
    "licence": _l("Giấy phép xử lý chất thải nguy hại"), "message": _l("Lời nhắn"),
    "answer": _l("Trả lời"), "_": "",
}

PROBLEMS = {
    "required": _l("Vui lòng điền mục này."),
    "not_text": _l("Mục này phải là văn bản."),
    "too_long": _l("Quá dài (%(length)s ký tự; tối đa %(limit)s)."),
    "too_short": _l("Quá ngắn: hãy viết ít nhất %(limit)s ký tự."),
    "bad_kind": _l("Chọn “Có để trao đổi” hoặc “Đang cần”."),
    "unknown_field": _l("Trường không được hỗ trợ: %(fields)s."),
    "not_yours": _l("Bạn chỉ có thể thao tác trên tin của doanh nghiệp mình."),
    "same_firm": _l("Hai tin này cùng của một doanh nghiệp."),
    "closed": _l("Một trong hai tin đã đóng."),
    "needs_licence": _l("Chất thải nguy hại chỉ được chuyển cho đơn vị có giấy phép xử lý "
                        "chất thải nguy hại."),
    "already_asked": _l("Đã có đề nghị trao đổi giữa hai tin này."),
    "wrong_kinds": _l("Cần một tin “Có để trao đổi” và một tin “Đang cần”."),
    "not_recipient": _l("Chỉ doanh nghiệp nhận đề nghị mới trả lời được, và chỉ một lần."),
    "bad_answer": _l("Câu trả lời không hợp lệ."),
    # premises (recommender.store.premises)
    "not_number": _l("Hãy nhập một số (ví dụ 1.200 hoặc 3,5)."),
    "unknown_park": _l("Không nhận ra khu công nghiệp “%(value)s”: chọn một khu trong danh sách."),
    "bad_premises_kind": _l("Chọn loại mặt bằng trong danh sách."),
    "bad_price_unit": _l("Đơn vị giá không hợp lệ."),
    "bad_date": _l("Ngày phải có dạng NNNN-TT-NN hoặc NN/TT/NNNN."),
    "range": _l("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất."),
}

REASONS = {
    "same_stream": _l("cùng loại tài nguyên"),
    "related_stream": _l("tài nguyên cùng nhóm"),
    "same_park": _l("cùng khu công nghiệp"),
    "nearby": _l("ở gần"),
    "too_far_for_stream": _l("quá xa để dẫn hơi, nhiệt hoặc nước"),
    "quantity_fits": _l("số lượng phù hợp"),
    "quantity_far_off": _l("số lượng chênh lệch nhiều"),
    "licensed_handler": _l("chất thải nguy hại: bên nhận có giấy phép xử lý"),
}

KINDS = {"offer": _l("Có để trao đổi"), "need": _l("Đang cần")}

STATUSES = {"sent": _l("đã gửi, chờ trả lời"), "accepted": _l("đã đồng ý liên hệ"),
            "declined": _l("đã từ chối"), "done": _l("đã trao đổi")}

HAZARDS = {"hazardous": _l("chất thải nguy hại"), "controlled": _l("chất thải cần kiểm soát"),
           "ordinary": _l("chất thải thông thường")}


def listing_messages(exc: ListingErrors) -> dict[str, str]:
    """Field → what is wrong with it, in the user's language (``_``: the whole request)."""
    out = {}
    for name, (code, params) in exc.problems.items():
        template = str(PROBLEMS[code])
        out[name] = template % dict(params) if "%(" in template else template
    return out
