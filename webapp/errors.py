"""One JSON error shape for the API, a readable page for browsers.

API errors look like ``{"error": {"status": 400, "code": "bad_page", "message": "..."}}``;
input errors add ``"fields": {"field": "what is wrong"}``. ``code`` is stable and meant for
programs (every code is listed in :data:`API_ERRORS` and in ``openapi.yaml``); ``message``
and the field texts are for people, in the API's language: ``?lang=`` or
``Accept-Language``, English by default (:func:`webapp.i18n.select_locale`).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import HTTPException


class ConfigurationError(RuntimeError):
    """A setting makes the app unsafe to run; the message says which and how to fix it."""


_l = lazy_gettext

API_ERRORS = {
    # any status without a more precise code
    "bad_request": (400, _l("Yêu cầu không hợp lệ.")),
    "unauthorized": (401, _l("Vui lòng đăng nhập để tiếp tục.")),
    "forbidden": (403, _l("Bạn không có quyền thực hiện thao tác này.")),
    "not_found": (404, _l("Không tìm thấy thứ bạn yêu cầu.")),
    "method_not_allowed": (405, _l("Thao tác này không được hỗ trợ.")),
    "conflict": (409, _l("Thao tác xung đột với một việc đang chạy.")),
    "too_large": (413, _l("Dữ liệu gửi lên quá lớn.")),
    "too_many_requests": (429, _l("Bạn thao tác quá nhanh, vui lòng thử lại sau.")),
    "internal_error": (500, _l("Lỗi hệ thống, vui lòng thử lại sau.")),
    "unavailable": (503, _l("Dịch vụ tạm thời không dùng được, vui lòng thử lại sau.")),
    # input
    "bad_body": (400, _l("Nội dung gửi lên không đúng dạng: hãy gửi %(expected)s.")),
    "bad_page": (400, _l("Tham số phân trang không hợp lệ: %(problem)s")),
    "bad_parameter": (400, _l("Tham số %(name)s không hợp lệ.")),
    "bad_filter": (400, _l("Có giá trị bộ lọc không có trong danh mục.")),
    "empty_query": (400, _l("Vui lòng nhập nội dung tìm kiếm.")),
    "query_too_long": (400, _l("Nội dung tìm kiếm quá dài (tối đa %(limit)d ký tự).")),
    "bad_query": (400, _l("Không thể tìm với nội dung này.")),
    "unknown_fields": (400, _l("Có trường không được hỗ trợ.")),
    "invalid_fields": (400, _l("Có trường không hợp lệ.")),
    # who may do what
    "login_required": (401, _l("Vui lòng đăng nhập, hoặc gửi mã API (Authorization: Bearer …).")),
    "bad_token": (401, _l("Mã API không hợp lệ (đã thu hồi hoặc gõ sai): hãy tạo mã mới tại "
                          "/account/tokens.")),
    "not_yours": (403, _l("Bạn chỉ có thể xem hoặc sửa dữ liệu của doanh nghiệp mình.")),
    # what is not there
    "supplier_not_found": (404, _l("Không có nhà cung cấp “%(id)s”.")),
    "buyer_not_found": (404, _l("Không có doanh nghiệp mua hàng số %(id)s.")),
    "no_profile": (404, _l("Tài khoản này chưa gắn với hồ sơ nhà cung cấp nào.")),
    "message_not_found": (404, _l("Không có tin nhắn số %(id)s trong hộp thư của bạn.")),
    "request_not_found": (404, _l("Không có yêu cầu báo giá số %(id)s của bạn.")),
    "match_not_found": (404, _l("Không có yêu cầu báo giá số %(id)s khớp với hồ sơ của bạn.")),
    "not_in_shortlist": (404, _l("“%(id)s” không có trong danh sách đã lưu của bạn.")),
    "run_not_found": (404, _l("Không có lần xây dựng chỉ mục số %(id)s.")),
    "listing_not_found": (404, _l("Không có tin trao đổi số %(id)s của bạn.")),
    "exchange_request_not_found": (404, _l("Không có đề nghị trao đổi số %(id)s của bạn.")),
    # the search index
    "index_building": (503, _l("Chỉ mục tìm kiếm đang được xây dựng; vui lòng thử lại sau "
                               "ít phút.")),
    "search_unavailable": (503, _l("Tìm kiếm tạm thời không dùng được; vui lòng thử lại sau.")),
    "conflict_exchange": (409, _l("Không thực hiện được: %(reason)s")),
    "rebuild_busy": (409, _l("Chưa bắt đầu xây dựng lại: một lần xây dựng khác đang chạy.")),
}
"""Every ``code`` an API error may carry: its HTTP status and its message (Vietnamese
source, translated by the catalogue; ``%(name)s`` filled from the call's parameters)."""

STATUS_CODES = {status: code for code, (status, _) in reversed(API_ERRORS.items())}
"""The general code of a status, for errors without a more precise one."""


def error_response(status: int, message: str, fields: dict[str, str] | None = None, *,
                   code: str | None = None):
    """The API's error body and status; ``fields`` maps an input field to what is wrong.

    Prefer :func:`api_error`, which also picks the message; ``code`` defaults to the
    status's general one (``not_found`` for 404).
    """
    code = code or STATUS_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    body: dict = {"status": status, "code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def error_text(code: str, **params) -> str:
    """The message of ``code`` (one of :data:`API_ERRORS`) in the current language."""
    template = API_ERRORS[code][1]
    return str(template) % params if params else str(template)


def api_error(code: str, fields: dict[str, str] | None = None, **params):
    """The error response of ``code`` (one of :data:`API_ERRORS`), in the API's language."""
    return error_response(API_ERRORS[code][0], error_text(code, **params), fields, code=code)


def query_problem(exc: Exception) -> tuple[str, dict]:
    """Why a search cannot be run: its reason's code (``empty_query``,
    ``query_too_long`` with its ``limit``, else ``bad_query``) and parameters."""
    cause = exc.__cause__ if getattr(exc, "code", None) is None else exc
    code = getattr(cause, "code", None)
    if code == "query_too_long":
        return code, {"limit": cause.limit}
    return (code if code == "empty_query" else "bad_query"), {}


def query_error(exc: Exception):
    """The error response of a search that cannot be run (its reason's code, when it has one)."""
    code, params = query_problem(exc)
    return api_error(code, **params)


# field texts of the API's error bodies, in the API's language

def one_of(values) -> str:
    return gettext("Một trong: %(values)s.", values=", ".join(values))


def required() -> str:
    return gettext("Vui lòng điền mục này.")


def not_supported(names) -> dict[str, str]:
    return {name: gettext("Trường này không được hỗ trợ.") for name in names}


def text_problem(exc: Exception, limit: int) -> str:
    """What is wrong with a free text (:func:`recommender.text.plain_text`'s error)."""
    if getattr(exc, "code", None) == "too_long":
        return gettext("Tối đa %(n)d ký tự.", n=limit)
    return gettext("Phải là văn bản.")


PAGE_MESSAGES = {
    400: lazy_gettext("Yêu cầu không hợp lệ."),
    401: lazy_gettext("Vui lòng đăng nhập để tiếp tục."),
    403: lazy_gettext("Bạn không có quyền thực hiện thao tác này."),
    404: lazy_gettext("Không tìm thấy trang bạn yêu cầu."),
    405: lazy_gettext("Thao tác này không được hỗ trợ."),
    413: lazy_gettext("Dữ liệu gửi lên quá lớn."),
    429: lazy_gettext("Bạn thao tác quá nhanh, vui lòng thử lại sau."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            code = STATUS_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
            return api_error(code) if API_ERRORS[code][0] == status else \
                error_response(status, API_ERRORS[code][1], code=code)
        message = PAGE_MESSAGES.get(status) or gettext(
            "Đã xảy ra lỗi, vui lòng thử lại sau.")
        return render_template("error.html", status=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("unhandled error")
        if wants_json():
            return api_error("internal_error")
        message = gettext("Lỗi hệ thống, vui lòng thử lại sau.")
        return render_template("error.html", status=500, message=message), 500
