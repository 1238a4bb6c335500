"""Accounts, roles, CSRF, rate limits and security headers, over the real app."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from recommender.store.models import (
    AccountRole,
    ClaimStatus,
    EnterpriseAccount,
    ProfileChange,
    ProfileClaim,
    SupplierProfile,
)
from recommender.store.profiles import check_tax_code
from webapp.passwords import hash_password, verify_password

from .conftest import PASSWORD, add_account, login, make_app


def _valid_tax_code(start: int) -> str:
    """The first valid 10-digit tax code from ``start`` on."""
    for number in range(start, start + 100):
        try:
            return check_tax_code(f"{number:010d}")
        except ValueError:
            continue
    raise AssertionError("no valid tax code")


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("auth"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _accounts(app, email: str) -> list[EnterpriseAccount]:
    with app.extensions["ketnoi_db"].sessions() as session:
        return list(session.scalars(select(EnterpriseAccount)
                                    .where(EnterpriseAccount.email == email)))


def test_password_is_hashed_not_stored() -> None:
    hashed = hash_password("một mật khẩu dài")
    assert hashed != "một mật khẩu dài" and hashed.startswith("$argon2id$")
    assert verify_password(hashed, "một mật khẩu dài")
    assert not verify_password(hashed, "mật khẩu khác")
    assert not verify_password("not a hash", "x")


def test_register_buyer_then_logout_and_login(app, client) -> None:
    res = client.post("/register", data={"email": "Mua@Example.vn", "password": PASSWORD,
                                         "password2": PASSWORD, "role": "buyer",
                                         "company": "Công ty Mua"})
    assert res.status_code == 302
    [account] = _accounts(app, "mua@example.vn")
    assert account.role == AccountRole.BUYER and PASSWORD not in account.password_hash
    assert "mua@example.vn" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)
    assert login(client, "mua@example.vn", "sai-mat-khau-roi").status_code == 401
    assert login(client, "mua@example.vn").status_code == 302


def test_register_refuses_bad_input_in_vietnamese(client) -> None:
    res = client.post("/register", data={"email": "khong-phai-email", "password": "ngan",
                                         "password2": "ngan", "role": "staff"})
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    assert "Địa chỉ email không hợp lệ." in html
    assert "Mật khẩu cần ít nhất 10 ký tự." in html
    assert "Vui lòng chọn loại tài khoản." in html  # staff cannot register on the website


def _set_profile(app, external_id: str, **values) -> int:
    with app.extensions["ketnoi_db"].sessions() as session:
        profile = session.scalar(select(SupplierProfile)
                                 .where(SupplierProfile.external_id == external_id))
        for key, value in values.items():
            setattr(profile, key, value)
        session.commit()
        return profile.id


def _claims(app, email: str) -> list[ProfileClaim]:
    with app.extensions["ketnoi_db"].sessions() as session:
        return list(session.scalars(select(ProfileClaim).join(EnterpriseAccount)
                                    .where(EnterpriseAccount.email == email)))


def test_public_id_and_tax_code_do_not_take_over_a_profile(app, client) -> None:
    # the takeover: the id is on every supplier page, the tax code in the public registry
    tax_code = _valid_tax_code(301234560)
    _set_profile(app, "SUP-00003", tax_code=tax_code, email=None)
    form = {"email": "dn3@example.vn", "password": PASSWORD, "password2": PASSWORD,
            "role": "enterprise", "external_id": "SUP-00003", "contact_name": "Chị Lan",
            "phone": "0909 000 111"}
    res = client.post("/register", data={**form, "tax_code": _valid_tax_code(301234660)})
    assert res.status_code == 400 and not _accounts(app, "dn3@example.vn")
    assert "không khớp" in res.get_data(as_text=True)
    res = client.post("/register", data={**form, "tax_code": tax_code})
    assert res.status_code == 302 and res.location.endswith("/enterprise/claim")
    [account] = _accounts(app, "dn3@example.vn")
    assert account.role == AccountRole.ENTERPRISE and account.profile_id is None
    # refused: no edit rights from the claim alone
    assert client.get("/enterprise/profile/SUP-00003").status_code == 403
    assert client.post("/enterprise/profile/SUP-00003",
                       data={"description": "chiếm quyền"}).status_code == 403
    assert client.patch("/api/v1/suppliers/SUP-00003",
                        json={"description": "chiếm quyền"}).status_code == 403
    assert client.get("/enterprise/profile").location.endswith("/enterprise/claim")
    # and queued for staff, with what the claimant submitted
    [claim] = _claims(app, "dn3@example.vn")
    assert claim.status == ClaimStatus.PENDING and claim.code_hash is None
    assert claim.submitted == {"contact_name": "Chị Lan", "phone": "0909 000 111"}
    page = client.get("/enterprise/claim").get_data(as_text=True)
    assert "chưa có email để gửi mã" in page and "cán bộ" in page


def _outbox_code(app) -> str:
    import re
    from email import message_from_bytes, policy
    from pathlib import Path

    [mail] = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    mail.unlink()
    return message["To"], re.search(r"\b(\d{6})\b", message.get_content()).group(1)


def test_the_code_sent_to_the_email_on_file_proves_a_claim(app, client) -> None:
    profile_id = _set_profile(app, "SUP-00004", email="giamdoc@cokhi4.vn", tax_code=None)
    res = client.post("/register", data={
        "email": "dn4@example.vn", "password": PASSWORD, "password2": PASSWORD,
        "role": "enterprise", "external_id": "SUP-00004"})
    assert res.status_code == 302
    to, code = _outbox_code(app)
    assert to == "giamdoc@cokhi4.vn"  # the contact on file, never the claimant's address
    page = client.get("/enterprise/claim").get_data(as_text=True)
    assert "g***@cokhi4.vn" in page and "outbox" in page  # development: the page says where
    [claim] = _claims(app, "dn4@example.vn")
    wrong = "000000" if code != "000000" else "111111"
    client.post(f"/enterprise/claim/{claim.id}/code", data={"code": wrong})
    assert "Mã không đúng (còn 7 lần thử)." in client.get("/enterprise/claim").get_data(
        as_text=True)
    client.post(f"/enterprise/claim/{claim.id}/code?lang=en", data={"code": wrong})
    assert "Wrong code (6 tries left)." in client.get("/enterprise/claim").get_data(
        as_text=True)
    client.get("/?lang=vi")
    assert _accounts(app, "dn4@example.vn")[0].profile_id is None
    res = client.post(f"/enterprise/claim/{claim.id}/code", data={"code": code})
    assert res.status_code == 302 and res.location.endswith("/enterprise/profile")
    assert _accounts(app, "dn4@example.vn")[0].profile_id == profile_id
    assert client.get("/enterprise/profile/SUP-00004").status_code == 200
    [claim] = _claims(app, "dn4@example.vn")
    assert claim.status == ClaimStatus.APPROVED and "g***@cokhi4.vn" in claim.decision


def test_staff_decide_claims_and_the_decisions_are_kept(app, client) -> None:
    add_account(app, "staff-claims@example.vn", "staff")
    _set_profile(app, "SUP-00005", email=None, tax_code=None)
    add_account(app, "cu5@example.vn", "enterprise", "SUP-00005")  # manages it today
    for email in ("that5@example.vn", "gia5@example.vn"):
        client.post("/register", data={
            "email": email, "password": PASSWORD, "password2": PASSWORD, "role": "enterprise",
            "external_id": "SUP-00005", "message": f"Tôi là giám đốc ({email})"})
        client.post("/logout")
    login(client, "staff-claims@example.vn")
    page = client.get("/staff/claims").get_data(as_text=True)
    assert "that5@example.vn" in page and "Tôi là giám đốc (gia5@example.vn)" in page
    assert "cu5@example.vn" in page  # who manages it now
    [real], [fake] = _claims(app, "that5@example.vn"), _claims(app, "gia5@example.vn")
    client.post(f"/staff/claims/{fake.id}", data={"action": "reject", "note": "không khớp"})
    client.post(f"/staff/claims/{real.id}", data={"action": "approve", "note": "đã gọi điện"})
    assert _accounts(app, "that5@example.vn")[0].profile_id is not None
    assert _accounts(app, "gia5@example.vn")[0].profile_id is None
    assert _accounts(app, "cu5@example.vn")[0].profile_id is None  # ownership moved
    [real], [fake] = _claims(app, "that5@example.vn"), _claims(app, "gia5@example.vn")
    assert real.status == ClaimStatus.APPROVED and "đã gọi điện" in real.decision
    assert "cu5@example.vn" in real.decision and fake.status == ClaimStatus.REJECTED
    page = client.get("/staff/claims").get_data(as_text=True)
    waiting, done = page.split("<h1>", 1)[1].split("Đã xử lý", 1)
    assert "gia5@example.vn" not in waiting and "that5@example.vn" not in waiting
    assert "không khớp" in done and "đã gọi điện" in done
    # a decided claim cannot be decided again
    client.post(f"/staff/claims/{fake.id}", data={"action": "approve"})
    assert _accounts(app, "gia5@example.vn")[0].profile_id is None


def test_enterprise_registers_a_new_profile_searchable_at_once(app, client) -> None:
    res = client.post("/register", data={
        "email": "moi@example.vn", "password": PASSWORD, "password2": PASSWORD,
        "role": "enterprise", "name": "Công ty Mạ Kẽm Mới", "sector": "mechanical",
        "description": "Mạ kẽm nhúng nóng kết cấu thép cho nhà xưởng."})
    assert res.status_code == 302
    [account] = _accounts(app, "moi@example.vn")
    found = client.get("/api/v1/search", query_string={"q": "mạ kẽm nhúng nóng", "k": 3})
    assert found.get_json()["items"][0]["name"] == "Công ty Mạ Kẽm Mới"
    assert account.profile_id is not None
    with app.extensions["ketnoi_db"].sessions() as session:
        profile = session.get(SupplierProfile, account.profile_id)
        assert not profile.verified  # until staff check it
        changes = session.scalars(select(ProfileChange)
                                  .where(ProfileChange.profile_id == profile.id)).all()
        assert [c.account_id for c in changes] == [account.id]  # logged for every process


def test_roles_are_enforced(app, client) -> None:
    add_account(app, "buyer@example.vn", "buyer")
    add_account(app, "staff@example.vn", "staff")
    add_account(app, "dn1@example.vn", "enterprise", "SUP-00001")
    routes = [("get", "/enterprise/profile"), ("get", "/enterprise/profile/SUP-00001"),
              ("post", "/enterprise/profile/SUP-00001")]
    for method, path in routes:  # not logged in: to the login page
        res = getattr(client, method)(path)
        assert res.status_code == 302 and "/login" in res.location
    assert client.patch("/api/v1/suppliers/SUP-00001", json={"ward": "x"}).status_code == 401
    for email in ("buyer@example.vn", "staff@example.vn"):
        login(client, email)
        for method, path in routes:
            res = getattr(client, method)(path)
            assert res.status_code == 403
            assert "Bạn không có quyền" in res.get_data(as_text=True)
        res = client.patch("/api/v1/suppliers/SUP-00001", json={"ward": "x"})
        assert res.status_code == 403 and res.get_json()["error"]["status"] == 403
        client.post("/logout")
    login(client, "dn1@example.vn")
    for method, path in routes[:2]:
        assert getattr(client, method)(path).status_code in (200, 302)


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/%09/127.0.0.1:5078/pwned", "/%0A/evil.example", "/\\evil.example",
    "/%5Cevil.example", "https://evil.example/", "javascript:alert(1)", "/ /evil.example",
    "%2F%2Fevil.example"])
def test_login_redirect_stays_on_this_site(app, client, target) -> None:
    if not _accounts(app, "next@example.vn"):
        add_account(app, "next@example.vn", "buyer")
    res = client.post(f"/login?next={target}",
                      data={"email": "next@example.vn", "password": PASSWORD})
    assert res.status_code == 302 and res.location == "/"


def test_login_redirect_to_a_path_here_is_kept_and_staff_land_on_staff(app, client) -> None:
    add_account(app, "next2@example.vn", "buyer")
    res = client.post("/login?next=/shortlist%3Fpage%3D2",
                      data={"email": "next2@example.vn", "password": PASSWORD})
    assert res.location == "/shortlist?page=2"
    client.post("/logout")
    add_account(app, "landing@example.vn", "staff")
    assert login(client, "landing@example.vn").location == "/staff"


@pytest.mark.parametrize(("password", "why"), [
    ("aaaaaaaaaa", "quá đơn giản"), ("abababababab", "quá đơn giản"),
    ("password2024!", "phổ biến"), ("qwertyuiop", "phổ biến"), ("1234567890", "phổ biến"),
    ("matkhau123456", "phổ biến"), ("ngan", "ít nhất 10 ký tự")])
def test_weak_passwords_are_refused(client, password, why) -> None:
    res = client.post("/register", data={"email": "yeu@example.vn", "password": password,
                                         "password2": password, "role": "buyer",
                                         "company": "Công ty Yếu"})
    assert res.status_code == 400 and why in res.get_data(as_text=True)


def test_password_problem_accepts_a_good_passphrase() -> None:
    from webapp.passwords import password_problem

    assert password_problem(PASSWORD) is None
    assert password_problem("xưởng-cơ-khí-Tân-Tạo-7") is None
    assert "email" in password_problem("nguyenvana@congty.vn", "nguyenvana@congty.vn")


def test_security_headers_on_every_response(client) -> None:
    for path in ("/", "/login", "/static/ketnoi.css", "/api/v1/search?q=nhựa",
                 "/api/v1/nope"):
        res = client.get(path)
        csp = res.headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'self';") and "unsafe" not in csp
        assert "-src" not in csp.split(";", 1)[1]  # nothing loosens default-src
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["X-Frame-Options"] == "DENY"
        assert res.headers["Referrer-Policy"]
        res.close()  # the stylesheet is streamed from its file
    page = client.get("/login").get_data(as_text=True)
    assert "<style" not in page and "<script" not in page and "ketnoi.css" in page


def test_session_cookie_flags(app, client, suppliers) -> None:
    add_account(app, "cookie@example.vn", "buyer")
    cookie = login(client, "cookie@example.vn").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # TESTING: the test client speaks http
    dev = make_app(_root(app), suppliers, TESTING=False, BUILD_INDEX_ON_START=False,
                   LOAD_SAMPLE=False)
    assert dev.config["SESSION_COOKIE_SECURE"] is False  # http://127.0.0.1 while developing
    assert dev.config["RATELIMIT_ENABLED"] is True
    prod = make_app(_root(app), suppliers, TESTING=False, BUILD_INDEX_ON_START=False,
                    LOAD_SAMPLE=False, ENV_NAME="production", DATABASE_URL_SET=True,
                    SECRET_KEY="k" * 40)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["RATELIMIT_ENABLED"] is True


def _root(app):
    from pathlib import Path

    return Path(app.config["INDEX_DIR"]).parent


def test_form_post_without_csrf_token_is_rejected(app, suppliers) -> None:
    strict = make_app(_root(app), suppliers, BUILD_INDEX_ON_START=False)
    assert strict.config["WTF_CSRF_ENABLED"]
    client = strict.test_client()
    add_account(strict, "csrf@example.vn", "buyer")
    res = client.post("/login", data={"email": "csrf@example.vn", "password": PASSWORD})
    assert res.status_code == 400 and "session" not in res.headers.get("Set-Cookie", "")
    assert "Yêu cầu không hợp lệ." in res.get_data(as_text=True)
    # with the token from the form it works
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    res = client.post("/login", data={"email": "csrf@example.vn", "password": PASSWORD,
                                      "csrf_token": token})
    assert res.status_code == 302


def test_rate_limits_answer_429_in_the_error_shape(app, suppliers) -> None:
    limited = make_app(_root(app), suppliers, BUILD_INDEX_ON_START=False,
                       WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True,
                       LOGIN_RATE_LIMIT="2/minute", SEARCH_RATE_LIMIT="3/minute")
    client = limited.test_client()
    for _ in range(5):  # visits of the home page are not counted as searches
        assert client.get("/").status_code == 200
    for _ in range(3):
        assert client.get("/api/v1/search", query_string={"q": "nhựa"}).status_code != 429
    res = client.get("/api/v1/search", query_string={"q": "nhựa"})
    assert res.status_code == 429
    assert set(res.get_json()) == {"error"} and res.get_json()["error"]["status"] == 429
    assert client.get("/", query_string={"q": "nhựa"}).status_code == 429  # shared per IP
    for _ in range(5):  # the home page (the search page without a query) is not a search
        assert client.get("/").status_code == 200
    for _ in range(2):
        assert login(client, "ai@example.vn", "sai-mat-khau-roi").status_code == 401
    res = login(client, "ai@example.vn", "sai-mat-khau-roi")
    assert res.status_code == 429
    assert "Bạn thao tác quá nhanh" in res.get_data(as_text=True)
    assert client.post("/register", data={"email": "x@example.vn"}).status_code == 429
    assert client.get("/login").status_code == 200  # only attempts are limited


def test_create_staff_command(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "NhanVien@example.vn"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    [account] = _accounts(app, "nhanvien@example.vn")
    assert account.role == AccountRole.STAFF and verify_password(account.password_hash, PASSWORD)
    again = runner.invoke(args=["create-staff", "nhanvien@example.vn"],
                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-staff", "x@example.vn"], input="ngan\nngan\n")
    assert short.exit_code != 0
    assert "password is asked for" in runner.invoke(args=["create-staff", "--help"]).output


PUBLIC_ENDPOINTS = {
    "static", "search.index", "search.api_search", "policies.api_policies",
    "policies.api_supplier_policies", "auth.register",
    "auth.login", "auth.logout", "enterprise.show", "enterprise_api.api_get",
    "apidocs.openapi_json", "apidocs.docs_page", "health.healthz",
}
"""Routes anyone may call. A new route is either added here on purpose or refused
to anonymous callers (the test below)."""


def test_every_other_route_needs_a_login(app, client) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.build({arg: "1" for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            res = client.open(path, method=method, json={} if method == "PATCH" else None)
            if path.startswith("/api/"):
                assert res.status_code == 401, (method, path)
                assert res.get_json()["error"]["status"] == 401
            else:
                assert res.status_code == 302 and "/login" in res.location, (method, path)
            checked += 1
    assert checked >= 4
