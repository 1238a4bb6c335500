"""One JSON error shape for the API, a readable page for browsers.

API errors look like ``{"error": {"status": 400, "message": "..."}}``; input
errors add ``"fields": {"field": "what is wrong"}``.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import HTTPException


class ConfigurationError(RuntimeError):
    """A setting makes the app unsafe to run; the message says which and how to fix it."""


def error_response(status: int, message: str, fields: dict[str, str] | None = None):
    """The API's error body and status; ``fields`` maps an input field to what is wrong."""
    body: dict = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


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
        if wants_json():
            return error_response(exc.code or 500, exc.description or exc.name)
        message = PAGE_MESSAGES.get(exc.code or 500) or gettext(
            "Đã xảy ra lỗi, vui lòng thử lại sau.")
        return render_template("error.html", status=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("unhandled error")
        message = gettext("Lỗi hệ thống, vui lòng thử lại sau.")
        if wants_json():
            return error_response(500, "internal error, please try again later")
        return render_template("error.html", status=500, message=message), 500
