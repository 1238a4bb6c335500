"""API tokens: a program authenticates with ``Authorization: Bearer``, not the login form."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from recommender.store.models import ApiToken

from .conftest import add_account, login, make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("tokens"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _make_token(client, name: str = "ERP") -> str:
    res = client.post("/account/tokens", data={"name": name})
    assert res.status_code == 200
    return re.search(r"<code>(knt_[A-Za-z0-9_-]+)</code>", res.get_data(as_text=True)).group(1)


def test_a_token_acts_as_its_account_on_the_api_only(app) -> None:
    add_account(app, "erp1@example.vn", "enterprise", "SUP-00001")
    browser = app.test_client()
    login(browser, "erp1@example.vn")
    token = _make_token(browser, "ERP đồng bộ")
    listed = browser.get("/account/tokens").get_data(as_text=True)
    assert token not in listed and "ERP đồng bộ" in listed and token[:10] in listed
    with app.extensions["ketnoi_db"].sessions() as session:
        [row] = session.scalars(select(ApiToken).where(ApiToken.name == "ERP đồng bộ")).all()
        assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64

    program = app.test_client()  # no cookie, no CSRF token: only the header
    auth = {"Authorization": f"Bearer {token}"}
    res = program.patch("/api/v1/suppliers/SUP-00001", headers=auth,
                        json={"ward": "Phường An Lạc"})
    assert res.status_code == 200 and res.get_json()["ward"] == "Phường An Lạc"
    assert program.get("/api/v1/enterprise/dashboard", headers=auth).status_code == 200
    # roles as with a login: an enterprise token cannot change another firm's profile
    res = program.patch("/api/v1/suppliers/SUP-00002", headers=auth, json={"ward": "x"})
    assert res.status_code == 403
    # pages are for browsers: a token there does not log anyone in
    res = program.get("/enterprise/profile", headers=auth)
    assert res.status_code == 302 and "/login" in res.location
    with app.extensions["ketnoi_db"].sessions() as session:
        assert session.scalar(select(ApiToken.last_used_at)
                              .where(ApiToken.name == "ERP đồng bộ")) is not None


def test_revoked_and_mistyped_tokens_get_401_in_the_error_shape(app) -> None:
    add_account(app, "erp2@example.vn", "buyer")
    browser = app.test_client()
    login(browser, "erp2@example.vn")
    token = _make_token(browser)
    program = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert program.get("/api/v1/shortlist", headers=auth).status_code == 200
    with app.extensions["ketnoi_db"].sessions() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash.isnot(None))
                                  .order_by(ApiToken.id.desc()))
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    for header in (auth, {"Authorization": "Bearer knt_not-a-token"}):
        res = program.get("/api/v1/shortlist", headers=header)
        assert res.status_code == 401
        error = res.get_json()["error"]
        assert error["status"] == 401 and error["code"] == "bad_token" \
            and "API token is not valid" in error["message"]
    # a token is judged alone, even beside a valid session cookie
    res = browser.get("/api/v1/shortlist", headers={"Authorization": "Bearer knt_wrong"})
    assert res.status_code == 401
    assert browser.get("/api/v1/shortlist").status_code == 200
    # nobody revokes another account's token
    add_account(app, "erp3@example.vn", "buyer")
    other = app.test_client()
    login(other, "erp3@example.vn")
    assert other.post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_token_command_line(app) -> None:
    add_account(app, "erp4@example.vn", "staff")
    runner = app.test_cli_runner()
    made = runner.invoke(args=["api-token", "create", "ERP4@example.vn", "--name", "báo cáo"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert token.startswith("knt_")
    res = app.test_client().get("/api/v1/index/status",
                                headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200  # a staff token reaches staff routes
    listed = runner.invoke(args=["api-token", "list", "erp4@example.vn"])
    assert "báo cáo" in listed.output and token not in listed.output
    token_id = listed.output.split("\t", 1)[0]
    assert runner.invoke(args=["api-token", "revoke", "erp4@example.vn", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-token", "list", "erp4@example.vn"]).output
    assert runner.invoke(args=["api-token", "create", "ai@example.vn", "--name", "x"]
                         ).exit_code != 0
    assert "Bearer" in runner.invoke(args=["api-token", "create", "--help"]).output
