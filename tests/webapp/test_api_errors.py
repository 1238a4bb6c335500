"""API errors: a stable ``code`` beside a message in the language asked for (``?lang=`` or
``Accept-Language``, English by default), field texts in the same language, every code
documented."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import yaml

from tests.webapp.conftest import add_account, login, make_app
from webapp.errors import API_ERRORS

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    """The app over the small supplier set, with forms posted without a CSRF token."""
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("api-errors"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


@pytest.fixture(scope="module")
def accounts(app):
    add_account(app, "loi-dn@example.vn", "enterprise", "SUP-00002")
    return app


def _error(res, status: int, code: str) -> dict:
    assert res.status_code == status, res.get_data(as_text=True)
    body = res.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status and error["code"] == code, error
    return error


def test_every_code_is_documented_in_the_error_schema() -> None:
    spec = yaml.safe_load((WEBAPP / "openapi.yaml").read_text(encoding="utf-8"))
    code = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    assert set(code["enum"]) == set(API_ERRORS)
    for name in API_ERRORS:
        assert f"`{name}`" in code["description"], f"describe {name} in openapi.yaml"


def _calls(name: str):
    for path in WEBAPP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                yield path, node


def test_every_api_error_names_a_known_code_and_fills_its_message() -> None:
    seen = set()
    for path, call in _calls("api_error"):
        if path.name == "errors.py":  # the general handlers pass the code they chose
            continue
        first = call.args[0]
        assert isinstance(first, ast.Constant) and first.value in API_ERRORS, \
            f"{path.name}:{call.lineno}: api_error needs one of errors.API_ERRORS"
        status, template = API_ERRORS[first.value]
        named = {k.arg for k in call.keywords}
        wanted = {part.split(")")[0] for part in str(template).split("%(")[1:]}
        assert wanted == named, f"{path.name}:{call.lineno}: {first.value} takes {wanted}"
        seen.add(first.value)
    # the views speak through api_error; only errors.py builds a body itself
    assert {p.name for p, _ in _calls("error_response")} <= {"errors.py"}
    general = {"bad_request", "unauthorized", "not_found", "method_not_allowed", "conflict",
               "too_large", "too_many_requests", "unavailable", "internal_error",
               "empty_query", "query_too_long", "bad_query"}  # query_error picks these
    assert set(API_ERRORS) - seen <= general, "a code no view uses: drop it"


def test_english_by_default_vietnamese_when_asked(client) -> None:
    error = _error(client.get("/api/v1/suppliers/SUP-404"), 404, "supplier_not_found")
    assert error["message"] == "No supplier “SUP-404”."
    for ask in ({"headers": {"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}},
                {"query_string": {"lang": "vi"}}):
        error = _error(client.get("/api/v1/suppliers/SUP-404", **ask), 404,
                       "supplier_not_found")
        assert error["message"] == "Không có nhà cung cấp “SUP-404”."
    # ?lang= wins over the header, and the API remembers nothing
    error = _error(client.get("/api/v1/suppliers/SUP-404?lang=en",
                              headers={"Accept-Language": "vi"}), 404, "supplier_not_found")
    assert error["message"] == "No supplier “SUP-404”."
    error = _error(client.get("/api/v1/suppliers/SUP-404"), 404, "supplier_not_found")
    assert error["message"].startswith("No supplier")
    # a language the app does not have falls back to English; pages stay Vietnamese
    error = _error(client.get("/api/v1/suppliers/SUP-404", headers={"Accept-Language": "fr"}),
                   404, "supplier_not_found")
    assert error["message"].startswith("No supplier")
    assert '<html lang="vi">' in client.get("/missing-page").get_data(as_text=True)


def test_field_texts_are_in_the_message_language(client) -> None:
    error = _error(client.get("/api/v1/search?q=nhựa&park=KCN+Mặt+Trăng"), 400, "bad_filter")
    assert error["message"] == "Some filter values are not in the list."
    assert error["fields"]["park"].startswith("Industrial park “KCN Mặt Trăng” is not in")
    error = _error(client.get("/api/v1/search?q=nhựa&park=KCN+Mặt+Trăng&lang=vi"), 400,
                   "bad_filter")
    assert error["message"] == "Có giá trị bộ lọc không có trong danh mục."
    assert "không có trong danh mục" in error["fields"]["park"]
    error = _error(client.get("/api/v1/search?q=nhựa&page=0"), 400, "bad_page")
    assert error["fields"]["page"] == "page must be at least 1."
    error = _error(client.get("/api/v1/search?q=nhựa&page=0&lang=vi"), 400, "bad_page")
    assert error["fields"]["page"] == "page phải từ 1 trở lên."


@pytest.mark.parametrize(("params", "code"), [
    ({"q": ""}, "empty_query"), ({"q": "x" * 3000}, "query_too_long"),
    ({"q": "nhựa", "k": "abc"}, "bad_page")])
def test_search_errors_have_their_codes(client, params, code) -> None:
    _error(client.get("/api/v1/search", query_string=params), 400, code)


def test_general_codes_for_http_errors(client) -> None:
    error = _error(client.get("/api/v1/nope"), 404, "not_found")
    assert error["message"] == "What you asked for was not found."
    error = _error(client.get("/api/v1/nope?lang=vi"), 404, "not_found")
    assert error["message"] == "Không tìm thấy thứ bạn yêu cầu."
    _error(client.delete("/api/v1/search"), 405, "method_not_allowed")
    error = _error(client.get("/api/v1/shortlist"), 401, "login_required")
    assert error["message"].startswith("Log in first")
    error = _error(client.get("/api/v1/shortlist", headers={"Authorization": "Bearer knt_x"}),
                   401, "bad_token")


def test_profile_field_errors_in_both_languages(accounts, client) -> None:
    login(client, "loi-dn@example.vn")
    bad = {"description": 5, "capacity": "x" * 300, "certifications": [{"name": ""}]}
    error = _error(client.patch("/api/v1/suppliers/SUP-00002", json=bad), 400,
                   "invalid_fields")
    assert error["message"] == "Some fields are invalid."
    assert error["fields"] == {
        "description": "Description must be text.",
        "capacity": "Production capacity is too long (300 characters; at most 255).",
        "certifications": "Certificate 1 has no name."}
    error = _error(client.patch("/api/v1/suppliers/SUP-00002?lang=vi", json=bad), 400,
                   "invalid_fields")
    assert error["message"] == "Có trường không hợp lệ."
    assert error["fields"] == {
        "description": "Mô tả phải là văn bản.",
        "capacity": "Năng lực sản xuất quá dài (300 ký tự; tối đa 255).",
        "certifications": "Chứng chỉ 1 chưa có tên."}
    error = _error(client.patch("/api/v1/suppliers/SUP-00002", json={"name": "X"}), 400,
                   "invalid_fields")
    assert error["fields"]["name"].startswith("This field cannot be changed")
    error = _error(client.patch("/api/v1/suppliers/SUP-00001", json={"capacity": "x"}), 403,
                   "not_yours")
    error = _error(client.patch("/api/v1/suppliers/SUP-00002", json=[1]), 400, "bad_body")
    assert '"description": …' in error["message"]


def test_the_web_app_words_every_profile_problem_the_library_names(app) -> None:
    from flask_babel import force_locale

    from recommender.store import profiles
    from webapp import fields

    assert set(fields.MESSAGES) == set(profiles.FIELD_MESSAGES)
    assert set(fields.LABELS) == set(profiles.FIELD_LABELS)
    params = {"label": "cert_name", "n": 2, "length": 300, "limit": 255, "fields": "a, b"}
    with app.test_request_context(), force_locale("vi"):
        for code in profiles.FIELD_MESSAGES:
            problem = profiles.FieldError(code, **params)
            assert fields.field_message(problem) == str(problem)  # the same Vietnamese
        for label in profiles.FIELD_LABELS:
            problem = profiles.FieldError("not_text", label=label, n=3)
            assert fields.field_message(problem) == str(problem)
