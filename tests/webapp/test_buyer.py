"""Buyer features over the real app: filters, paging, search log, clicks, supplier page,
shortlist, contact requests and RFQs (real model, real SQLite, 12 suppliers)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import func, select

from recommender.store.models import (
    BuyerRequest,
    Certification,
    ContactRequest,
    Interaction,
    RequestMatch,
    SearchLog,
    SupplierProfile,
)
from webapp.search import highlight

from .conftest import add_account, login, make_app

XSS = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("buyer"), suppliers, WTF_CSRF_ENABLED=False)
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        rows = {p.external_id: p for p in s.scalars(select(SupplierProfile))}
        six = rows["SUP-00006"]
        six.verified, six.ownership, six.employees, six.size_class = True, "domestic", 50, "small"
        six.email, six.phone, six.contact_name = "lienhe@sup6.example.vn", "0281234567", "Chị Lan"
        six.certifications[0].valid_until = date(2099, 1, 1)
        two = rows["SUP-00002"]
        two.certifications[0].valid_until = date(2020, 1, 1)
        two.ownership = "fdi"
        rows["SUP-00011"].park = "KCX Tân Thuận"
        rows["SUP-00001"].sample = True
        rows["SUP-00001"].certifications.append(
            Certification(name="IATF 16949", valid_until=date(2099, 6, 30), issuer="TÜV"))
        s.commit()
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "mua1@example.vn", "buyer")
    add_account(app, "mua2@example.vn", "buyer")
    add_account(app, "dn@example.vn", "enterprise", "SUP-00003")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _db(app):
    return app.extensions["ketnoi_db"].sessions()


def _ids(res) -> list[str]:
    assert res.status_code == 200, res.get_json()
    return [i["external_id"] for i in res.get_json()["items"]]


def _api(client, **params):
    return client.get("/api/v1/search", query_string=params)


# -- filters and paging --------------------------------------------------------
@pytest.mark.parametrize(("params", "expected"), [
    ({"certification": "iso 9001"}, {"SUP-00006"}),  # held and valid today only
    ({"certification": ["ISO 9001", "IATF 16949"]}, set()),
    ({"certification": "IATF-16949"}, {"SUP-00001"}),
    ({"park": "kcx tan thuan"}, {"SUP-00011"}),
    ({"verified": "1"}, {"SUP-00006"}),
    ({"domestic": "1"}, {"SUP-00006"}),
    ({"size": "nhỏ"}, {"SUP-00006"}),
    ({"sector": "mechanical"}, {"SUP-00001", "SUP-00004", "SUP-00011", "SUP-00012"}),
    ({"process": "cnc_machining"}, {"SUP-00001", "SUP-00011"}),
    ({"process": "gia công cắt gọt"}, {"SUP-00001", "SUP-00011"}),  # a name, not the key
    ({"process": "điện tử"}, {"SUP-00005", "SUP-00006"}),  # a parent includes its children
    ({"region": "Bình Dương"}, set()),
])
def test_filters_restrict_results(client, params, expected) -> None:
    res = _api(client, q="ép nhựa", per_page=50, **params)
    assert set(_ids(res)) == expected
    assert res.get_json()["_meta"]["total"] == len(expected)


def test_filter_never_starves_the_list(client) -> None:
    # none of the mechanical suppliers is about plastics, yet all four are returned
    res = _api(client, q="túi nhựa PE màng co", sector="cơ khí", per_page=3)
    assert len(_ids(res)) == 3 and res.get_json()["_meta"]["total"] == 4


@pytest.mark.parametrize("params", [{"park": "KCN Mặt Trăng"}, {"certification": "ISO 1"},
                                    {"process": "zebraquartz"}, {"region": "Sao Hỏa"},
                                    {"size": "huge"}, {"sector": "x"}, {"verified": "maybe"}])
def test_unknown_filter_values_are_refused(client, params) -> None:
    res = _api(client, q="nhựa", **params)
    body = res.get_json()
    assert res.status_code == 400 and set(body) == {"error"}
    (field, text), = body["error"]["fields"].items()
    assert field in params and ("allowed" in text or "1 or 0" in text)
    page = client.get("/", query_string={"q": "nhựa", **params})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "không có trong danh mục" in html or "không hợp lệ" in html


def test_pagination(client) -> None:
    pages = [_ids(_api(client, q="linh kiện", per_page=5, page=n)) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert len(set(sum(pages, []))) == 12
    body = _api(client, q="linh kiện", per_page=5, page=2).get_json()
    meta = body["_meta"]
    assert {"query", "page", "per_page", "total", "requirements", "index_version",
            "search_id"} <= set(meta)
    assert (meta["page"], meta["per_page"], meta["total"]) == (2, 5, 12)
    assert [i["rank"] for i in body["items"]] == [6, 7, 8, 9, 10]
    for bad in ({"per_page": 51}, {"page": 0}, {"page": "x"}, {"per_page": 0}):
        assert _api(client, q="linh kiện", **bad).status_code == 400
    html = client.get("/", query_string={"q": "linh kiện", "per_page": 5,
                                         "page": 2}).get_data(as_text=True)
    assert "Trang sau" in html and "Trang trước" in html


# -- explanations ---------------------------------------------------------------
def test_no_diacritics_query_is_explained_on_the_page(client) -> None:
    html = client.get("/", query_string={"q": "bo day dien o to"}).get_data(as_text=True)
    first = html.split('<article class="result">')[1]
    assert "/suppliers/SUP-00006?s=" in first and "Đã xác minh" in first
    assert "<mark>dây</mark>" in first and "<mark>điện</mark>" in first


def test_requirement_checks_and_certificate_dates(client) -> None:
    body = _api(client, q="vỏ nhựa ABS phải có ISO 9001", per_page=12).get_json()
    by_id = {i["external_id"]: i for i in body["items"]}
    assert by_id["SUP-00002"]["requirements"][0]["status"] == "expired"
    assert by_id["SUP-00006"]["requirements"][0]["status"] == "met"
    assert by_id["SUP-00006"]["certifications"][0]["state"] == "valid"
    html = client.get("/", query_string={"q": "vỏ nhựa ABS phải có ISO 9001",
                                         "per_page": 12}).get_data(
        as_text=True)
    assert "ISO 9001 đã hết hạn ngày 01/01/2020" in html
    assert "hiệu lực đến 01/01/2099" in html


def test_highlight_is_built_from_escaped_text() -> None:
    out = str(highlight('<b onclick="x">nhựa</b> & Nhua', ["nhua"]))
    assert out == ('&lt;b onclick=&#34;x&#34;&gt;<mark>nhựa</mark>&lt;/b&gt; &amp; '
                   '<mark>Nhua</mark>')
    long = "mở đầu " * 100 + "ép nhựa kỹ thuật " + "kết thúc " * 100
    cut = str(highlight(long, ["nhua"], limit=200))
    assert cut.startswith("…") and cut.endswith("…") and "<mark>nhựa</mark>" in cut


def test_highlight_spans_of_one_text_for_different_queries() -> None:
    from webapp.highlight import highlight_spans

    text = "Ép nhựa ABS và gia công khuôn nhựa cho KCN Tân Tạo"
    assert highlight_spans(text, ["nhua"]) == [(3, 7), (30, 34)]
    assert [text[a:b] for a, b in highlight_spans(text, ["nhua"])] == ["nhựa", "nhựa"]
    # the same text again (its folded words are kept) with other terms
    assert [text[a:b] for a, b in highlight_spans(text, ["khuôn", "TAN"])] == ["khuôn", "Tân"]
    assert highlight_spans(text, ["va", "cho"]) == []  # function words are not marked
    assert highlight_spans(text, []) == []


def test_supplier_links_equal_url_for(app) -> None:
    from flask import url_for

    from webapp.search import supplier_url

    with app.test_request_context("/"):
        for external_id in ("SUP-00001", "A B/ç", "x?y#z", "100%", "EXTERNALID"):
            for sid, rank in ((None, None), (12, 3)):
                expected = url_for("enterprise.show", external_id=external_id) if sid is None \
                    else url_for("enterprise.show", external_id=external_id, s=sid, r=rank)
                assert supplier_url(external_id, sid, rank) == expected


def test_highlights_found_in_the_folded_text_equal_word_by_word_matching() -> None:
    """Spans searched in the folded copy equal folding and comparing each word, on sample
    profiles and the labelled queries' words, precomposed and decomposed."""
    import json
    import unicodedata

    from recommender.resources import corpus_file
    from recommender.text import fold, syllables
    from webapp.highlight import _NO_HIGHLIGHT, _WORD, highlight_spans

    def by_word(text, terms):
        wanted = {fold(t) for t in terms} - _NO_HIGHLIGHT
        return [m.span() for m in _WORD.finditer(text) if fold(m.group()) in wanted]

    texts = [json.loads(line)["description"] for line in corpus_file(
        "sample_suppliers.jsonl").read_text(encoding="utf-8").splitlines()[:200]]
    queries = [json.loads(line)["text"] for line in corpus_file(
        "buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()]
    compared = marked = 0
    for n, text in enumerate(texts):
        for query in queries[n % len(queries)::40]:
            terms = syllables(query).syllables
            for variant in (text, unicodedata.normalize("NFD", text)):
                expected = by_word(variant, terms)
                assert highlight_spans(variant, terms) == expected, (variant, terms)
                compared, marked = compared + 1, marked + bool(expected)
    assert compared > 1000 and marked > compared // 4


# -- search log and good match ----------------------------------------------------
def _last_log(app) -> SearchLog:
    app.extensions["ketnoi_search_log"].flush()  # written off the request path
    with _db(app) as s:
        return s.scalars(select(SearchLog).order_by(SearchLog.id.desc())).first()


def test_every_search_is_logged(app, client) -> None:
    body = _api(client, q="bó dây điện", per_page=3, verified="1").get_json()
    log = _last_log(app)
    assert log.id == body["_meta"]["search_id"] and log.query == "bó dây điện"
    assert log.filters == {"verified": True, "page": 1, "per_page": 3}
    assert log.result_external_ids == ["SUP-00006"]
    assert log.result_count == body["_meta"]["matches"] <= body["_meta"]["total"] == 1
    # the API answers in English unless asked otherwise (?lang=, Accept-Language)
    assert log.took_ms is not None and log.took_ms > 0 and log.lang == "en"
    assert log.account_id is None and log.top_score is not None
    login(client, "mua1@example.vn")
    client.get("/", query_string={"q": "in offset", "lang": "en"})
    log = _last_log(app)
    assert log.query == "in offset" and log.lang == "en" and log.account_id is not None
    # the log counts the suppliers that match, not the 12 ranked ones
    assert len(log.result_external_ids) == 10 and log.result_count < 12


def test_the_match_decision_counts_matches_and_marks_supply_gaps(app, client) -> None:
    # nobody holds AS9100: no result meets the stated requirement
    query = "gia công CNC nhôm phải có AS9100"
    body = _api(client, q=query).get_json()
    assert body["_meta"]["good_match"] is False and _last_log(app).good_match is False
    assert body["_meta"]["matches"] == 0 and body["_meta"]["total"] > 0
    assert not any(item["match"] for item in body["items"])
    html = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert "Chưa có nhà cung cấp nào khớp tốt" in html
    assert f"Không có nhà cung cấp nào phù hợp với “{query}”" in html
    # a word nobody offers: 0 matches, however many suppliers are ranked
    body = _api(client, q="zebraquartz").get_json()
    assert body["_meta"]["matches"] == 0 and body["_meta"]["good_match"] is False
    # a plain capability query: the wiring harness makers match, with a probability
    body = _api(client, q="bó dây điện ô tô xe máy").get_json()
    meta, items = body["_meta"], body["items"]
    assert meta["good_match"] is True and _last_log(app).good_match is True
    assert 1 <= meta["matches"] < meta["total"] and _last_log(app).result_count == meta["matches"]
    assert all(0.0 <= i["match_probability"] <= 1.0 for i in items)
    assert [i["match"] for i in items] == [i["match_probability"] >= 0.5 for i in items]
    assert items[0]["match"] and items[0]["external_id"] == "SUP-00006"
    html = client.get("/", query_string={"q": "bó dây điện ô tô xe máy"}).get_data(as_text=True)
    assert f"{meta['matches']} nhà cung cấp phù hợp" in html and "khớp tốt" not in html
    assert 'class="tag match yes"' in html and 'class="tag match no"' in html
    # a company looked up by its name is not a supply gap, however weakly it scores
    body = _api(client, q="Công ty mẫu 7 phải có AS9100").get_json()
    assert body["_meta"]["good_match"] is True and _last_log(app).good_match is True


# -- clicks and the supplier page --------------------------------------------------------
def _clicks(app, profile_ext: str) -> list[Interaction]:
    with _db(app) as s:
        pid = s.scalar(select(SupplierProfile.id).where(
            SupplierProfile.external_id == profile_ext))
        return list(s.scalars(select(Interaction).where(
            Interaction.profile_id == pid, Interaction.kind == "click")))


def test_result_links_record_clicks(app, client) -> None:
    body = _api(client, q="thùng carton 5 lớp", per_page=3).get_json()
    second = body["items"][1]
    assert f"s={body['_meta']['search_id']}" in second["url"] and "r=2" in second["url"]
    before = len(_clicks(app, second["external_id"]))
    assert client.get(second["url"]).status_code == 200
    assert client.get(second["url"]).status_code == 200  # a reload is not a second click
    clicks = _clicks(app, second["external_id"])
    assert len(clicks) == before + 1
    assert (clicks[-1].search_log_id, clicks[-1].rank) == (body["_meta"]["search_id"], 2)
    # a search that did not show this supplier records nothing
    other = body["items"][0]["external_id"]
    n = len(_clicks(app, "SUP-00007"))
    client.get(f"/suppliers/SUP-00007?s={body['_meta']['search_id']}&r=1")
    assert len(_clicks(app, "SUP-00007")) == n and other != "SUP-00007"
    html = client.get("/", query_string={"q": "thùng carton"}).get_data(as_text=True)
    assert "/suppliers/SUP-00010?s=" in html


def test_supplier_page(app, client) -> None:
    html = client.get("/suppliers/SUP-00006").get_data(as_text=True)
    assert "Đã xác minh" in html and "hiệu lực đến 01/01/2099" in html
    assert "lienhe@sup6.example.vn" not in html and "Đăng nhập" in html
    assert "Nhà cung cấp tương tự" in html
    similar = html.split("Nhà cung cấp tương tự", 1)[1]
    assert "SUP-00006" not in similar and similar.count("<li>") == 5
    assert "Cùng" in similar or "gần giống" in similar
    assert "hồ sơ mẫu hư cấu" in client.get("/suppliers/SUP-00001").get_data(as_text=True)
    assert "hồ sơ mẫu hư cấu" not in html
    login(client, "dn@example.vn")
    assert "lienhe@sup6.example.vn" not in client.get("/suppliers/SUP-00006").get_data(
        as_text=True)
    login(client, "mua1@example.vn")
    html = client.get("/suppliers/SUP-00006").get_data(as_text=True)
    assert "lienhe@sup6.example.vn" in html and "Gửi yêu cầu liên hệ" in html
    assert "Lưu vào danh sách" in html
    assert client.get("/suppliers/NOPE").status_code == 404


# -- shortlist -------------------------------------------------------------------------
def test_shortlist_page_and_api(app, client) -> None:
    assert client.get("/api/v1/shortlist").status_code == 401
    assert client.get("/shortlist").status_code == 302
    login(client, "dn@example.vn")
    assert client.post("/api/v1/shortlist", json={"external_id": "SUP-00006"}).status_code == 403
    assert client.post("/shortlist/SUP-00006").status_code == 403
    login(client, "mua2@example.vn")
    search = _api(client, q="bó dây điện", per_page=3).get_json()
    res = client.post("/shortlist/SUP-00006", data={
        "action": "add", "next": "/?q=b%C3%B3", "s": search["_meta"]["search_id"], "r": 1})
    assert res.status_code == 302 and res.location.endswith("/?q=b%C3%B3")
    res = client.post("/api/v1/shortlist", json={"external_id": "SUP-00009", "note": XSS})
    assert res.status_code == 201 and res.get_json()["note"] == XSS
    assert client.post("/api/v1/shortlist", json={"external_id": "SUP-00009"}).status_code == 200
    assert client.post("/api/v1/shortlist", json={"external_id": "NOPE"}).status_code == 404
    assert client.post("/api/v1/shortlist", json={}).status_code == 400
    body = client.get("/api/v1/shortlist").get_json()
    assert {i["external_id"] for i in body["items"]} == {"SUP-00006", "SUP-00009"}
    assert body["_meta"]["total"] == 2
    html = client.get("/shortlist").get_data(as_text=True)
    assert "Công ty mẫu 6" in html and XSS not in html and "&lt;script&gt;" in html
    assert "Bỏ khỏi danh sách" in client.get("/suppliers/SUP-00006").get_data(as_text=True)
    with _db(app) as s:
        kinds = s.execute(select(Interaction.search_log_id, Interaction.rank).where(
            Interaction.kind == "shortlist")).all()
    assert (search["_meta"]["search_id"], 1) in kinds
    assert client.delete("/api/v1/shortlist/SUP-00009").status_code == 204
    assert client.delete("/api/v1/shortlist/SUP-00009").status_code == 404
    client.post("/shortlist/SUP-00006", data={"action": "remove"})
    assert client.get("/api/v1/shortlist").get_json()["_meta"]["total"] == 0
    # another buyer's list is separate
    login(client, "mua1@example.vn")
    client.post("/api/v1/shortlist", json={"external_id": "SUP-00005"})
    login(client, "mua2@example.vn")
    assert client.get("/api/v1/shortlist").get_json()["items"] == []


# -- contact requests ---------------------------------------------------------------------
def _contacts(app) -> int:
    with _db(app) as s:
        return s.scalar(select(func.count(ContactRequest.id)))


def test_contact_request(app, client) -> None:
    url = "/suppliers/SUP-00004/contact"
    form = {"subject": f"Hỏi giá {XSS}", "message": f"Xin báo giá vỏ tủ.\n{XSS}"}
    assert client.post(url, data=form).status_code == 302  # anonymous: to the login page
    login(client, "dn@example.vn")
    assert client.post(url, data=form).status_code == 403
    login(client, "mua1@example.vn")
    n = _contacts(app)
    for bad in ({"subject": "", "message": "x"}, {"subject": "x" * 201, "message": "x"},
                {"subject": "x", "message": "y" * 5001}, {"subject": "x", "message": "  "}):
        res = client.post(url, data=bad)
        assert res.status_code == 400 and "field-error" in res.get_data(as_text=True)
    assert _contacts(app) == n
    res = client.post(url, data=form)
    assert res.status_code == 302 and res.location.endswith("/contacts")
    assert _contacts(app) == n + 1
    with _db(app) as s:
        row = s.scalars(select(ContactRequest).order_by(ContactRequest.id.desc())).first()
        assert row.message.endswith(XSS) and row.status == "new"
        assert s.scalar(select(func.count(Interaction.id)).where(
            Interaction.kind == "contact", Interaction.profile_id == row.profile_id)) == 1
    html = client.get("/contacts").get_data(as_text=True)
    assert XSS not in html and "&lt;script&gt;" in html and "Đã gửi" in html
    assert "Công ty mẫu 4" in html
    login(client, "mua2@example.vn")
    assert "Công ty mẫu 4" not in client.get("/contacts").get_data(as_text=True)


# -- RFQs -------------------------------------------------------------------------------
def test_rfq_create_match_and_privacy(app, client) -> None:
    payload = {"title": f"Bó dây cho xe máy {XSS}", "text": "Cần bó dây điện cho xe máy",
               "processes": ["wire_harness"], "quantity": "5.000 bộ/tháng",
               "due_date": "2099-12-31"}
    assert client.post("/api/v1/requests", json=payload).status_code == 401
    login(client, "dn@example.vn")
    assert client.post("/api/v1/requests", json=payload).status_code == 403
    assert client.get("/requests").status_code == 403
    login(client, "mua1@example.vn")
    with _db(app) as s:
        before = s.scalar(select(func.count(BuyerRequest.id)))
    for bad in ({**payload, "processes": ["bay"]}, {**payload, "title": ""},
                {**payload, "due_date": "2001-01-01"}, {**payload, "park": "Sao Hỏa"},
                {**payload, "colour": "red"}):
        res = client.post("/api/v1/requests", json=bad)
        assert res.status_code == 400 and res.get_json()["error"]["fields"]
    with _db(app) as s:
        assert s.scalar(select(func.count(BuyerRequest.id))) == before
    res = client.post("/api/v1/requests", json=payload)
    assert res.status_code == 201
    body = res.get_json()
    assert body["status"] == "matched" and len(body["matches"]) == 10
    top = body["matches"][0]
    assert top["external_id"] == "SUP-00006"
    assert top["explanation"]["processes_met"] == ["wire_harness"]
    assert "dây" in top["explanation"]["matched_terms"]
    with _db(app) as s:
        assert s.scalar(select(func.count(RequestMatch.id)).where(
            RequestMatch.request_id == body["id"])) == 10
    # required certificates are filters: only SUP-00006 holds a valid ISO 9001
    strict = client.post("/api/v1/requests", json={**payload, "certifications": ["ISO 9001"]})
    assert [m["external_id"] for m in strict.get_json()["matches"]] == ["SUP-00006"]
    assert strict.get_json()["matches"][0]["explanation"]["requirements"][0]["status"] == "met"
    html = client.get(f"/requests/{body['id']}").get_data(as_text=True)
    assert XSS not in html and "&lt;script&gt;" in html and "Công ty mẫu 6" in html
    assert "Có quy trình bó dây điện" in html
    listed = client.get("/api/v1/requests").get_json()
    assert listed["_meta"]["total"] == 2
    assert "Bó dây cho xe máy" in client.get("/requests").get_data(as_text=True)
    # another buyer sees none of it
    login(client, "mua2@example.vn")
    assert client.get(f"/api/v1/requests/{body['id']}").status_code == 404
    assert client.get(f"/requests/{body['id']}").status_code == 404
    assert client.get("/api/v1/requests").get_json()["items"] == []


def test_rfq_form(app, client) -> None:
    login(client, "mua2@example.vn")
    page = client.get("/requests/new", query_string={"text": "khuôn ép nhựa"})
    assert page.status_code == 200 and "khuôn ép nhựa" in page.get_data(as_text=True)
    res = client.post("/requests/new", data={"title": "", "text": "x"})
    assert res.status_code == 400 and "Vui lòng điền mục này." in res.get_data(as_text=True)
    res = client.post("/requests/new", data={
        "title": "Khuôn ép nhựa", "text": "Thiết kế và chế tạo khuôn ép nhựa cho vỏ máy",
        "processes": ["mold_making", "plastic_injection"], "park": "",
        "certifications": [], "due_date": ""})
    assert res.status_code == 302
    html = client.get(res.location).get_data(as_text=True)
    assert "Công ty mẫu 12" in html


def test_nav_links_for_buyers(client) -> None:
    login(client, "mua1@example.vn")
    html = client.get("/").get_data(as_text=True)
    for path in ("/shortlist", "/requests", "/contacts"):
        assert f'href="{path}"' in html
    login(client, "dn@example.vn")
    assert 'href="/shortlist"' not in client.get("/").get_data(as_text=True)


def test_english_switch(client) -> None:
    html = client.get("/", query_string={"q": "nhựa", "lang": "en"}).get_data(as_text=True)
    assert 'lang="en"' in html
