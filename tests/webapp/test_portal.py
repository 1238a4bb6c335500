"""The enterprise's own pages: dashboard, inbox, matched RFQs, visibility and policies.

The app serves the first 60 fictional sample suppliers through the real model,
database and index, so "top 10" means a first page among competitors.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from itertools import islice

import pytest
from sqlalchemy import select

from recommender.store.models import (
    Buyer,
    BuyerRequest,
    Certification,
    ContactRequest,
    Interaction,
    RequestMatch,
    RequestStatus,
    SearchLog,
    SupplierProfile,
    utcnow,
)
from webapp import create_app

from .conftest import add_account, login

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
A, B = "SUP-00008", "SUP-00012"  # a CNC machining firm, a wire-harness firm
XSS = "<script>alert('x')</script>"
NEW_ROUTES = [("get", "/enterprise"), ("get", "/enterprise/inbox"),
              ("get", "/enterprise/inbox/1"), ("post", "/enterprise/inbox/1/status"),
              ("get", "/enterprise/requests"), ("get", "/enterprise/visibility"),
              ("get", "/enterprise/policies")]
NEW_API = [("get", "/api/v1/enterprise/dashboard"), ("get", "/api/v1/enterprise/contacts"),
           ("get", "/api/v1/enterprise/contacts/1"), ("patch", "/api/v1/enterprise/contacts/1"),
           ("get", "/api/v1/enterprise/requests"), ("patch", "/api/v1/enterprise/requests/1"),
           ("get", "/api/v1/enterprise/visibility")]


@pytest.fixture(scope="module")
def app(tmp_path_factory, config):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    root = tmp_path_factory.mktemp("portal")
    corpus = root / "suppliers.jsonl"
    with open(os.path.join(ROOT, "corpora", "sample_suppliers.jsonl"), encoding="utf-8") as src:
        corpus.write_text("".join(islice(src, 60)), encoding="utf-8")
    app = create_app({"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                      "DATABASE_URL": f"sqlite:///{root / 'ketnoi.sqlite3'}",
                      "INDEX_DIR": str(root / "index"), "WTF_CSRF_ENABLED": False})
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "a@example.vn", "enterprise", A)
    add_account(app, "b@example.vn", "enterprise", B)
    add_account(app, "buyer@example.vn", "buyer")
    add_account(app, "staff@example.vn", "staff")
    add_account(app, "noprofile@example.vn", "enterprise")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _db(app):
    return app.extensions["ketnoi_db"].sessions()


def _profile_id(session, external_id: str) -> int:
    return session.scalar(select(SupplierProfile.id)
                          .where(SupplierProfile.external_id == external_id))


def _buyer(session, company: str = "Nidec Việt Nam") -> Buyer:
    buyer = Buyer(company=company, email="purchasing@buyer.example", contact_name="Chị Lan",
                  phone="+84 28 3840 0000", country="Japan", park="KCX Tân Thuận")
    session.add(buyer)
    session.flush()
    return buyer


def _html(res) -> str:
    assert res.status_code == 200, res.status_code
    return res.get_data(as_text=True)


# --- roles -------------------------------------------------------------------------------

def test_anonymous_buyer_staff_and_profileless_accounts_are_refused(app, client) -> None:
    for method, path in NEW_ROUTES:
        res = getattr(client, method)(path)
        assert res.status_code == 302 and "/login" in res.location, path
    for method, path in NEW_API:
        res = getattr(client, method)(path, **({"json": {}} if method == "patch" else {}))
        assert res.status_code == 401 and res.get_json()["error"]["status"] == 401, path
    for email in ("buyer@example.vn", "staff@example.vn"):
        login(client, email)
        for method, path in NEW_ROUTES:
            res = getattr(client, method)(path)
            assert res.status_code == 403 and "Bạn không có quyền" in res.get_data(as_text=True)
        for method, path in NEW_API:
            res = getattr(client, method)(path, **({"json": {}} if method == "patch" else {}))
            assert res.status_code == 403 and set(res.get_json()) == {"error"}, path
        client.post("/logout")
    login(client, "noprofile@example.vn")
    res = client.get("/enterprise")  # no profile yet: its claim page says why
    assert res.status_code == 302 and res.location.endswith("/enterprise/claim")
    assert client.get("/api/v1/enterprise/contacts").get_json()["error"]["status"] == 404


def test_enterprise_login_lands_on_the_dashboard_with_nav_links(app, client) -> None:
    res = login(client, "a@example.vn")
    assert res.status_code == 302 and res.location.endswith("/enterprise")
    html = _html(client.get("/enterprise"))
    for href in ("/enterprise/inbox", "/enterprise/requests", "/enterprise/visibility",
                 "/enterprise/policies", "/enterprise/profile"):
        assert f'href="{href}"' in html


# --- dashboard ---------------------------------------------------------------------------

def test_dashboard_counts_warnings_and_completeness(app, client) -> None:
    today = date.today()
    now = utcnow()
    with _db(app) as s:
        pid = _profile_id(s, A)
        profile = s.get(SupplierProfile, pid)
        profile.capacity = None
        profile.certifications.clear()
        profile.certifications.extend([
            Certification(name="ISO 9001", valid_until=today - timedelta(days=10)),
            Certification(name="ISO 14001", valid_until=today + timedelta(days=20)),
            Certification(name="ISO 45001", valid_until=today + timedelta(days=85)),
            Certification(name="IATF 16949", valid_until=today + timedelta(days=400)),
            Certification(name="RoHS")])
        s.add_all([
            SearchLog(query="gia công cnc", result_external_ids=[A, B], created_at=now),
            SearchLog(query="cnc", result_external_ids=["SUP-00004", A], created_at=now),
            SearchLog(query="cnc nhôm", result_external_ids=[A],
                      created_at=now - timedelta(days=5)),
            SearchLog(query="cũ", result_external_ids=[A], created_at=now - timedelta(days=40)),
            SearchLog(query="dây điện", result_external_ids=[B, f"{A}0"], created_at=now),
            Interaction(profile_id=pid, kind="click", created_at=now),
            Interaction(profile_id=pid, kind="click", created_at=now - timedelta(days=2)),
            Interaction(profile_id=pid, kind="click", created_at=now - timedelta(days=45)),
            Interaction(profile_id=pid, kind="shortlist", created_at=now),
        ])
        s.commit()
    login(client, "a@example.vn")
    body = client.get("/api/v1/enterprise/dashboard").get_json()
    assert body["counts"]["search_appearances_30d"] == 3
    assert body["counts"]["clicks_30d"] == 2 and body["counts"]["shortlisted_30d"] == 1
    warnings = {w["name"]: w["state"] for w in body["certificate_warnings"]}
    assert warnings == {"ISO 9001": "expired", "ISO 14001": "expiring", "ISO 45001": "expiring",
                        "RoHS": "no_date"}  # within 90 days; IATF 16949 (400 days) is fine
    fields = {f["field"]: f["complete"] for f in body["completeness"]["fields"]}
    assert fields["capacity"] is False and fields["certificate_dates"] is False
    assert fields["processes"] is True and 0 < body["completeness"]["percent"] < 100
    html = _html(client.get("/enterprise"))
    assert "đã hết hạn ngày" in html and "còn 20 ngày" in html
    assert "Năng lực sản xuất" in html and "Bên mua cần biết quy mô sản lượng" in html


# --- inbox -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def messages(app):
    """25 messages to A (the newest carries a script payload) and one to B."""
    now = utcnow()
    with _db(app) as s:
        a, b = _profile_id(s, A), _profile_id(s, B)
        buyer = _buyer(s, company=f"Công ty {XSS}")
        rows = [ContactRequest(profile_id=a, buyer_id=buyer.id, subject=f"Hỏi giá {i}",
                               message=f"Nội dung {i}", created_at=now - timedelta(hours=i))
                for i in range(1, 25)]
        rows.append(ContactRequest(profile_id=a, buyer_id=buyer.id, subject=f"Mới nhất {XSS}",
                                   message=f"Xin báo giá {XSS} <img src=x onerror=alert(1)>",
                                   created_at=now))
        other = ContactRequest(profile_id=b, buyer_id=buyer.id, subject="Cho B",
                               message="Bí mật của B", created_at=now)
        s.add_all([*rows, other])
        s.commit()
        return {"newest": rows[-1].id, "oldest": rows[-2].id, "other": other.id}


def test_inbox_api_is_paginated_newest_first(app, client, messages) -> None:
    login(client, "a@example.vn")
    body = client.get("/api/v1/enterprise/contacts?per_page=10").get_json()
    assert {k: body["_meta"][k] for k in ("page", "per_page", "total", "pages")} == {
        "page": 1, "per_page": 10, "total": 25, "pages": 3}
    assert body["_meta"]["unread"] == 25 and len(body["items"]) == 10
    assert body["items"][0]["id"] == messages["newest"]
    assert body["items"][0]["buyer"]["email"] == "purchasing@buyer.example"
    last = client.get("/api/v1/enterprise/contacts?per_page=10&page=3").get_json()
    assert len(last["items"]) == 5 and last["items"][-1]["id"] == messages["oldest"]
    ids = {i["id"] for p in (1, 2, 3) for i in client.get(
        f"/api/v1/enterprise/contacts?per_page=10&page={p}").get_json()["items"]}
    assert len(ids) == 25 and messages["other"] not in ids
    for bad in ("page=0", "per_page=1000", "page=x", "status=lost"):
        res = client.get(f"/api/v1/enterprise/contacts?{bad}")
        assert res.status_code == 400 and res.get_json()["error"]["status"] == 400
    html = _html(client.get("/enterprise/inbox?page=2"))
    assert "Trang 2 / 2" in html and "Hỏi giá 20</a>" in html and "Hỏi giá 24</a>" in html
    assert "Hỏi giá 19</a>" not in html  # the 20th of 25: on page 1
    # the header shows the unread count
    assert re.search(r'Hộp thư <span class="count"[^>]*>25</span>', html)


def test_opening_a_message_marks_it_read_and_escapes_the_buyer_text(app, client,
                                                                    messages) -> None:
    login(client, "a@example.vn")
    listing = _html(client.get("/enterprise/inbox"))
    html = _html(client.get(f"/enterprise/inbox/{messages['newest']}"))
    for page in (listing, html):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page
    assert "purchasing@buyer.example" in html and "+84 28 3840 0000" in html
    body = client.get(f"/api/v1/enterprise/contacts/{messages['newest']}").get_json()
    assert body["status"] == "read" and body["read_at"] is not None
    assert body["message"].startswith("Xin báo giá <script>")  # stored as written, JSON
    res = client.post(f"/enterprise/inbox/{messages['newest']}/status",
                      data={"status": "replied"})
    assert res.status_code == 302
    assert "Đã trả lời" in _html(client.get(res.location))
    res = client.patch(f"/api/v1/enterprise/contacts/{messages['newest']}",
                       json={"status": "closed"})
    assert res.status_code == 200 and res.get_json()["status"] == "closed"
    for bad in ({"status": "new"}, {"status": "deleted"}, {"status": "read", "x": 1}, []):
        res = client.patch(f"/api/v1/enterprise/contacts/{messages['newest']}", json=bad)
        assert res.status_code == 400
    assert client.post(f"/enterprise/inbox/{messages['newest']}/status",
                       data={"status": "new"}).status_code == 400
    assert client.get(f"/api/v1/enterprise/contacts/{messages['newest']}").get_json()[
        "status"] == "closed"


def test_another_enterprises_message_is_not_found(app, client, messages) -> None:
    login(client, "a@example.vn")
    other = messages["other"]
    assert client.get(f"/enterprise/inbox/{other}").status_code == 404
    assert client.post(f"/enterprise/inbox/{other}/status",
                       data={"status": "closed"}).status_code == 404
    assert client.get(f"/api/v1/enterprise/contacts/{other}").status_code == 404
    res = client.patch(f"/api/v1/enterprise/contacts/{other}", json={"status": "closed"})
    assert res.status_code == 404 and set(res.get_json()) == {"error"}
    with _db(app) as s:
        row = s.get(ContactRequest, other)
        assert row.status == "new" and row.read_at is None
    client.post("/logout")
    login(client, "b@example.vn")
    assert client.get(f"/api/v1/enterprise/contacts/{messages['newest']}").status_code == 404
    assert "Bí mật của B" in _html(client.get(f"/enterprise/inbox/{other}"))


def test_status_form_needs_the_csrf_token(app, client, messages) -> None:
    login(client, "a@example.vn")
    message_id = messages["oldest"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = _html(client.get(f"/enterprise/inbox/{message_id}"))
        res = client.post(f"/enterprise/inbox/{message_id}/status", data={"status": "closed"})
        assert res.status_code == 400
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        res = client.post(f"/enterprise/inbox/{message_id}/status",
                          data={"status": "closed", "csrf_token": token})
        assert res.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with _db(app) as s:
        assert s.get(ContactRequest, message_id).status == "closed"


# --- matching buyer requests -------------------------------------------------------------

CHROME_RFQ = ("Tìm xưởng xi mạ crôm cứng cho trục piston thủy lực",
              "Cần mạ crôm cứng trục piston thủy lực đường kính 40 mm, độ dày lớp mạ 25 micromet.")


@pytest.fixture(scope="module")
def rfqs(app):
    with _db(app) as s:
        a, b = _profile_id(s, A), _profile_id(s, B)
        buyer = _buyer(s)
        matched = BuyerRequest(
            buyer_id=buyer.id, title=f"Gia công trục nhôm {XSS}",
            text="Cần gia công CNC 5.000 trục nhôm 6061, dung sai ±0,01 mm.",
            processes=["cnc_machining"], certifications=["ISO 9001"], quantity="5.000 chiếc",
            due_date=date.today() + timedelta(days=30), status=RequestStatus.MATCHED)
        for_b = BuyerRequest(buyer_id=buyer.id, title="Bó dây điện ô tô",
                             text="Bó dây điện cho xe máy.", processes=["wire_harness"])
        chrome = BuyerRequest(buyer_id=buyer.id, title=CHROME_RFQ[0], text=CHROME_RFQ[1])
        closed = BuyerRequest(buyer_id=buyer.id, title="Gia công CNC đã đóng",
                              text="Gia công CNC chi tiết thép.", status=RequestStatus.CLOSED)
        s.add_all([matched, for_b, chrome, closed])
        s.flush()
        m_a = RequestMatch(request_id=matched.id, profile_id=a, rank=2, score=1.7,
                           explanation={"matched_terms": ["gia", "công", "cnc", XSS],
                                        "concepts": ["cnc_machining"],
                                        "requirements": [{"kind": "certification",
                                                          "wanted": "ISO 9001",
                                                          "status": "met", "detail": ""}]})
        m_b = RequestMatch(request_id=for_b.id, profile_id=b, rank=1, score=2.0)
        s.add_all([m_a, m_b])
        s.commit()
        return {"match_a": m_a.id, "match_b": m_b.id, "chrome": chrome.id,
                "closed": closed.id, "matched": matched.id, "for_b": for_b.id}


def test_matched_requests_api_and_page_mark_seen(app, client, rfqs) -> None:
    login(client, "a@example.vn")
    body = client.get("/api/v1/enterprise/requests?potential=0").get_json()
    assert [i["id"] for i in body["items"]] == [rfqs["match_a"]]
    item = body["items"][0]
    assert item["rank"] == 2 and item["seen_at"] is None
    assert item["request"]["requirements"]["certifications"] == ["ISO 9001"]
    assert item["request"]["due_date"] == (date.today() + timedelta(days=30)).isoformat()
    assert body["_meta"]["total"] == 1
    assert client.get("/api/v1/enterprise/dashboard").get_json()["counts"][
        "new_matching_requests"] == 1
    html = _html(client.get("/enterprise/requests"))
    assert "Gia công trục nhôm" in html and "<script>alert" not in html
    assert "&lt;script&gt;" in html and "gia công CNC" in html and "5.000 chiếc" in html
    assert "Bó dây điện ô tô" not in html.split("Yêu cầu đang mở")[0]
    body = client.get("/api/v1/enterprise/requests?potential=0").get_json()
    assert body["items"][0]["seen_at"] is not None  # shown on the page: seen
    res = client.patch(f"/api/v1/enterprise/requests/{rfqs['match_a']}", json={"seen": False})
    assert res.status_code == 200 and res.get_json()["seen_at"] is None
    assert client.patch(f"/api/v1/enterprise/requests/{rfqs['match_a']}",
                        json={"seen": "yes"}).status_code == 400
    res = client.patch(f"/api/v1/enterprise/requests/{rfqs['match_b']}", json={"seen": True})
    assert res.status_code == 404
    with _db(app) as s:
        assert s.get(RequestMatch, rfqs["match_b"]).seen_at is None
    assert client.get("/api/v1/enterprise/requests?page=0").status_code == 400


def _search_rank(client, query: str, external_id: str) -> int | None:
    items = client.get("/api/v1/search", query_string={"q": query, "per_page": 50}
                       ).get_json()["items"]
    return next((i["rank"] for i in items if i["external_id"] == external_id), None)


def test_an_edit_surfaces_an_open_request_the_profile_now_matches(app, client, rfqs) -> None:
    from webapp.portal.rfqs import rfq_query

    with _db(app) as s:
        chrome_query = rfq_query(s.get(BuyerRequest, rfqs["chrome"]))
    # an enterprise far down a buyer's search of the RFQ text (the last ranked, here)
    items = client.get("/api/v1/search", query_string={"q": chrome_query, "per_page": 50}
                       ).get_json()["items"]
    far = items[-1]["external_id"]
    assert items[-1]["rank"] > 10
    add_account(app, "far@example.vn", "enterprise", far)
    login(client, "far@example.vn")
    potential = client.get("/api/v1/enterprise/requests").get_json()["potential"]
    ids = [p["id"] for p in potential]
    assert rfqs["chrome"] not in ids and rfqs["closed"] not in ids, potential
    description = client.get(f"/api/v1/suppliers/{far}").get_json()["description"]
    res = client.patch(f"/api/v1/suppliers/{far}", json={
        "description": description + " Xưởng xi mạ crôm cứng trục piston thủy lực, lớp mạ "
                                     "dày 25 micromet."})
    assert res.status_code == 200
    after = _search_rank(client, chrome_query, far)
    assert after is not None and after <= 10, after
    potential = client.get("/api/v1/enterprise/requests").get_json()["potential"]
    chrome = next(p for p in potential if p["id"] == rfqs["chrome"])
    assert chrome["rank"] == after and "crôm" in chrome["why"]["matched_terms"]
    html = _html(client.get("/enterprise/requests"))
    assert CHROME_RFQ[0] in html.split("Yêu cầu đang mở")[1]
    # B already matched to another RFQ: that one is listed above, not here
    login(client, "b@example.vn")
    assert rfqs["for_b"] not in [p["id"] for p in client.get(
        "/api/v1/enterprise/requests").get_json()["potential"]]
    # A sees it when a search ranks A in the first ten, with that rank
    login(client, "a@example.vn")
    rank_a = _search_rank(client, chrome_query, A)
    listed = {p["id"]: p["rank"] for p in client.get(
        "/api/v1/enterprise/requests").get_json()["potential"]}
    assert listed.get(rfqs["chrome"]) == (rank_a if rank_a and rank_a <= 10 else None)


# --- how buyers find you -----------------------------------------------------------------

QUERY = "mạ kẽm nhúng nóng kết cấu thép đạt IATF 16949"


def test_visibility_ranks_real_and_derived_queries_and_suggestions_follow_an_edit(
        app, client) -> None:
    now = utcnow()
    with _db(app) as s:
        s.add_all([SearchLog(query=QUERY, lang="vi", created_at=now - timedelta(days=i),
                             result_external_ids=[]) for i in range(3)])
        s.add_all([SearchLog(query="gia công CNC", lang="vi", created_at=now,
                             result_external_ids=[A])])
        s.add(SearchLog(query=f"{XSS} cnc", lang="vi", created_at=now,
                        result_external_ids=[]))
        s.commit()
    login(client, "b@example.vn")  # B's profile stays untouched by the other tests
    body = client.get("/api/v1/enterprise/visibility").get_json()
    items = {i["query"]: i for i in body["items"]}
    assert len(body["items"]) <= 30 and body["_meta"]["top"] == 10
    logged = items[QUERY]
    assert logged["source"] == "search_log" and logged["searches"] == 3
    assert not logged["in_top"] and (logged["rank"] is None or logged["rank"] > 10)
    suggestions = logged["suggestions"]
    assert any("kẽm" in t for t in suggestions["missing_terms"])
    assert suggestions["certifications"] == [
        {"name": "IATF 16949", "status": "missing", "detail": ""}]
    derived = [i for i in body["items"] if i["source"] == "profile"]
    assert {"bó dây điện", "wire harness"} <= {i["query"] for i in derived}
    assert {i["lang"] for i in derived} == {"vi", "en"}
    assert items["bó dây điện"]["in_top"]  # its own process: on the first page
    html = _html(client.get("/enterprise/visibility"))
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "IATF 16949" in html and "mạ kẽm" in html

    # the profile adds what the query asks for: the suggestions change
    description = client.get(f"/api/v1/suppliers/{B}").get_json()["description"]
    certs = client.get(f"/api/v1/suppliers/{B}").get_json()["certifications"]
    res = client.patch(f"/api/v1/suppliers/{B}", json={
        "description": description + " Mạ kẽm nhúng nóng kết cấu thép.",
        "certifications": certs + [{"name": "IATF 16949", "valid_until": "2030-01-31"}]})
    assert res.status_code == 200
    after = {i["query"]: i for i in client.get(
        "/api/v1/enterprise/visibility").get_json()["items"]}[QUERY]
    assert after["rank"] is not None and (logged["rank"] is None
                                          or after["rank"] < logged["rank"])
    if not after["in_top"]:
        assert not any("kẽm" in t for t in after["suggestions"]["missing_terms"])
        assert after["suggestions"]["certifications"] == []
    else:
        assert after["rank"] <= 10


# --- support programmes ------------------------------------------------------------------

def test_policies_page_shows_every_programme_with_reasons_and_what_to_add(app, client) -> None:
    login(client, "a@example.vn")
    found = client.get(f"/api/v1/suppliers/{A}/policies?relevance=0").get_json()["items"]
    html = _html(client.get("/enterprise/policies"))
    for item in found:
        assert item["title_vi"] in html
    assert "Đã hết hiệu lực" in html  # the 2016–2025 programme has expired
    assert "Chương trình đã kết thúc ngày 2025-12-31; không thể đăng ký." in html
    assert "Chọn kế hoạch của doanh nghiệp" in html  # a plan is what is missing
    # grouped, in this order: eligible, nearly, unknown, not eligible, not yet, expired
    ids = re.findall(r'<h2 id="policies-(\w+)">', html)
    order = ["eligible", "nearly", "unknown", "not_eligible", "not_yet_in_force", "expired"]
    assert ids == [g for g in order if g in ids] and ids[-1] == "expired"
    sections = dict(re.findall(r'<h2 id="policies-(\w+)">(.*?)(?=<h2 id="policies-|</main>)',
                               html, re.S))
    for item in found:
        assert item["title_vi"] in sections[item["standing"]]
        if item["status"] == "expired":
            assert item["eligible"] == "no" and not item["recommended"]
    # verification once per programme, never in each reason
    assert html.count('class="tag verification-') == len(found)
    assert "not verified" not in html and "chưa được xác minh" not in html
    html = _html(client.get("/enterprise/policies?activities=digital_transformation"))
    assert 'value="digital_transformation" checked' in html
    assert client.get("/enterprise/policies?activities=nope").status_code == 400


def test_policy_hints_only_point_to_fields_the_form_has(app, client) -> None:
    login(client, "a@example.vn")
    html = _html(client.get("/enterprise/policies"))
    form = _html(client.get("/enterprise/profile", follow_redirects=True))
    anchors = set(re.findall(r'href="/enterprise/profile#(\w+)"', html))
    for field in anchors:
        assert f'id="{field}"' in form and f'name="{field}"' in form, field
    assert 'href="#plans"' not in html or 'id="plans"' in html
    # nothing asks for a field the form does not have
    for phrase in ("vào hồ sơ ngày đăng ký", "to your profile", "add your plans",
                   "registration date to your profile", "women-owned"):
        assert phrase not in html, phrase
    api = client.get(f"/api/v1/suppliers/{A}/policies?relevance=0&lang=vi").get_json()
    for item in api["items"]:
        for hint in item["to_find_out"]:
            assert hint["field"] in (None, "description", "park", "plans"), hint
            if hint["field"] is None:
                assert "cơ quan quản lý chương trình" in hint["text"], hint


def test_policy_page_in_vietnamese_has_no_english_reasons(app, client) -> None:
    login(client, "a@example.vn")
    html = _html(client.get("/enterprise/policies?lang=vi"))
    for english in ("the profile", "to find out", "meets every criterion", "is among",
                    "belongs to", "Decree 111", "not eligible", "expired on"):
        assert english not in html, english
    client.get("/?lang=vi")


def test_existing_and_new_pages_render_in_english_mode(app, client) -> None:
    login(client, "a@example.vn")
    for path in ("/enterprise?lang=en", "/enterprise/inbox", "/enterprise/requests",
                 "/enterprise/policies", "/login", "/register"):
        page = _html(client.get(path))
        assert '<html lang="en">' in page
    client.get("/?lang=vi")


def test_account_pages_are_phone_friendly(app, client) -> None:
    login(client, "a@example.vn")
    html = _html(client.get("/enterprise"))
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    res = client.get("/static/ketnoi.css")
    css = res.get_data(as_text=True)
    res.close()
    assert "@media (max-width:" in css



# --- what buyers of the sector search for ------------------------------------------------

ELECTRONICS = [B, "SUP-00006", "SUP-00059"]  # wire-harness and SMT firms (sector electronics)


def test_visibility_suggests_terms_frequent_in_the_sectors_queries(app, client) -> None:
    now = utcnow()
    with _db(app) as s:
        s.add_all([SearchLog(query="bó dây điện chống nước cho xe máy điện", lang="vi",
                             result_external_ids=ELECTRONICS, created_at=now - timedelta(hours=i))
                   for i in range(3)])
        # no result, but searched with the sector filter: a query of the sector
        s.add(SearchLog(query="dây cáp chống nước cảm biến nhiệt", lang="vi",
                        filters={"sector": ["electronics"]}, result_external_ids=[],
                        created_at=now))
        # another sector's query: its words are not the electronics sector's
        s.add(SearchLog(query="gia công CNC nhôm anode", lang="vi",
                        result_external_ids=[A, "SUP-00004"], created_at=now))
        s.commit()
    login(client, "b@example.vn")
    body = client.get("/api/v1/enterprise/visibility").get_json()
    terms = {t["term"]: t for t in body["suggestions"]["terms"]}
    assert "chống nước" in terms, body["suggestions"]
    assert terms["chống nước"]["searches"] == 4 and terms["chống nước"]["queries"] == 2
    assert "cảm biến" in " ".join(terms) and "anode" not in " ".join(terms)
    assert body["suggestions"]["sector"] == "electronics"
    assert body["suggestions"]["sector_queries"] >= 2
    assert body["suggestions"]["capacity_missing"] is False  # B states its capacity
    html = _html(client.get("/enterprise/visibility"))
    assert "<mark>chống nước</mark>" in html.split('id="suggestions"')[1].split("</section>")[0]

    description = client.get(f"/api/v1/suppliers/{B}").get_json()["description"]
    res = client.patch(f"/api/v1/suppliers/{B}", json={
        "description": description + " Bó dây chống nước IP67 cho xe máy điện.",
        "capacity": ""})
    assert res.status_code == 200
    after = client.get("/api/v1/enterprise/visibility").get_json()["suggestions"]
    assert "chống nước" not in {t["term"] for t in after["terms"]}
    assert after["capacity_missing"] is True


def test_visibility_rank_agrees_with_an_actual_search(app, client) -> None:
    login(client, "a@example.vn")
    items = client.get("/api/v1/enterprise/visibility").get_json()["items"]
    in_top = [i for i in items if i["in_top"]]
    below = [i for i in items if not i["in_top"]]
    assert in_top and below
    for item in in_top[:2] + below[:2]:
        found = client.get("/api/v1/search", query_string={"q": item["query"], "k": 50})
        ids = [h["external_id"] for h in found.get_json()["items"]]
        rank = ids.index(A) + 1 if A in ids else None
        assert rank == item["rank"], item["query"]
    html = _html(client.get("/enterprise/visibility"))
    first = in_top[0]
    assert f"Hạng {first['rank']}: bên mua thấy bạn ở trang đầu" in html
    if any(i["rank"] is None for i in items):
        assert "Không có trong 50 kết quả đầu" in html


def test_api_responses_match_the_openapi_document(app, client, messages, rfqs) -> None:
    from .test_api_contract import check

    base = "/api/v1/enterprise"
    check(client.get(f"{base}/dashboard"), f"{base}/dashboard", status=401)
    login(client, "buyer@example.vn")
    check(client.get(f"{base}/contacts"), f"{base}/contacts", status=403)
    login(client, "a@example.vn")
    check(client.get(f"{base}/dashboard"), f"{base}/dashboard")
    body = check(client.get(f"{base}/contacts?per_page=5"), f"{base}/contacts")
    assert body["_meta"]["count"] == 5
    check(client.get(f"{base}/contacts?page=0"), f"{base}/contacts", status=400)
    one = f"{base}/contacts/{{message_id}}"
    check(client.get(f"{base}/contacts/{messages['oldest']}"), one)
    check(client.get(f"{base}/contacts/{messages['other']}"), one, status=404)
    check(client.patch(f"{base}/contacts/{messages['oldest']}", json={"status": "replied"}),
          one, "patch")
    check(client.patch(f"{base}/contacts/{messages['oldest']}", json={"status": "x"}),
          one, "patch", 400)
    body = check(client.get(f"{base}/requests"), f"{base}/requests")
    assert body["_meta"]["count"] == len(body["items"])
    match = f"{base}/requests/{{match_id}}"
    check(client.patch(f"{base}/requests/{rfqs['match_a']}", json={"seen": True}), match,
          "patch")
    check(client.patch(f"{base}/requests/{rfqs['match_b']}", json={"seen": True}), match,
          "patch", 404)
    body = check(client.get(f"{base}/visibility"), f"{base}/visibility")
    assert body["_meta"]["depth"] == 50 and body["_meta"]["count"] == len(body["items"])
