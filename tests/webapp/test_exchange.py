"""The resource exchange in the enterprise portal: list in one short form, see matches,
ask and answer, under the law; a firm touches only its own listings."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from recommender.store.models import ExchangeRequest, ResourceListing

from .conftest import add_account, login, make_app

A, B, C = "SUP-00001", "SUP-00005", "SUP-00009"


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("exchange"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "a@example.vn", "enterprise", A)
    add_account(app, "b@example.vn", "enterprise", B)
    add_account(app, "c@example.vn", "enterprise", C)
    add_account(app, "buyer@example.vn", "buyer")
    add_account(app, "staff@example.vn", "staff")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _count(app, model=ResourceListing) -> int:
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        return s.scalar(select(func.count(model.id)))


def _post(client, data, url="/enterprise/exchange"):
    return client.post(url, data=data, follow_redirects=False)


def test_list_match_ask_and_answer(app) -> None:
    a, b, c = app.test_client(), app.test_client(), app.test_client()
    for client, who in ((a, "a"), (b, "b"), (c, "c")):
        login(client, f"{who}@example.vn")
    # one field is enough: what is offered
    r = _post(a, {"kind": "offer", "what": "Phế liệu nhôm ba dớ từ gia công CNC, đã ráo dầu",
                  "quantity": "3 tấn/tháng"})
    assert r.status_code == 302
    offer_url = r.headers["Location"]
    r = _post(b, {"kind": "need", "what": "Cần mua nhôm phế liệu để nấu lại",
                  "quantity": "20 tấn/tháng"})
    need_url = r.headers["Location"]
    page = b.get(need_url).get_data(as_text=True)
    assert "ba dớ" in page and "Công ty mẫu 1" in page and "cùng loại tài nguyên" in page
    assert "khả năng phù hợp" in page  # the ranker's probability, in words
    need_id = int(need_url.rsplit("/", 1)[1])
    match = b.get(f"/api/v1/enterprise/listings/{need_id}").get_json()["matches"][0]
    assert 0.0 < match["probability"] < 1.0 and match["score"] == match["probability"]
    offer_id = int(offer_url.rsplit("/", 1)[1])
    r = b.post(need_url + "/request", data={"other_id": offer_id, "message": "Gọi cho chúng tôi"})
    assert r.status_code == 302 and _count(app, ExchangeRequest) == 1
    # the offering firm sees the request, without the other's contact until it accepts
    inbox = a.get("/enterprise/exchange").get_data(as_text=True)
    assert "Gọi cho chúng tôi" in inbox and "Đồng ý liên hệ" in inbox
    request_id = a.get("/api/v1/enterprise/exchange-requests").get_json()["items"][0]["id"]
    assert b.post(f"/enterprise/exchange/requests/{request_id}",
                  data={"answer": "accept"}).status_code == 302
    assert a.get("/api/v1/enterprise/exchange-requests").get_json()["items"][0]["status"] == "sent"
    a.post(f"/enterprise/exchange/requests/{request_id}", data={"answer": "accept"})
    body = b.get("/api/v1/enterprise/exchange-requests").get_json()["items"][0]
    assert body["status"] == "accepted" and "contact" in body
    assert body["tonnes_a_month"] == 3.0
    # a third firm can neither see nor change another firm's listing
    assert c.get(offer_url).status_code == 404
    assert _post(c, {"what": "x"}, offer_url).status_code == 404


def test_hazardous_waste_only_to_a_licensed_handler(app) -> None:
    a, b, c = app.test_client(), app.test_client(), app.test_client()
    for client, who in ((a, "a"), (b, "b"), (c, "c")):
        login(client, f"{who}@example.vn")
    offer = _post(a, {"kind": "offer", "what": "Nhớt thải từ bảo dưỡng xe nâng",
                      "quantity": "200 lít/tháng"}).headers["Location"]
    workshop = _post(b, {"kind": "need", "what": "Cần mua nhớt đã qua sử dụng để đốt lò"}
                     ).headers["Location"]
    handler = _post(c, {"kind": "need", "what": "Thu gom nhớt thải để tái chế dầu gốc",
                        "licence": "Giấy phép xử lý CTNH mã số QLCTNH 1-2-3-4-5-6.112.VX"}
                    ).headers["Location"]
    offer_page = a.get(offer).get_data(as_text=True)
    assert "chỉ hiện đơn vị có giấy phép" in offer_page
    assert "đốt lò" not in offer_page and "tái chế dầu gốc" in offer_page
    assert "Nhớt thải" not in b.get(workshop).get_data(as_text=True).split("Sửa tin")[0]
    offer_id = int(offer.rsplit("/", 1)[1])
    r = b.post(workshop + "/request", data={"other_id": offer_id}, follow_redirects=True)
    assert "giấy phép xử lý chất thải nguy hại" in r.get_data(as_text=True)
    assert "Nhớt thải" in c.get(handler).get_data(as_text=True)


def test_bad_input_is_explained_and_nothing_is_saved(app) -> None:
    client = app.test_client()
    login(client, "a@example.vn")
    before = _count(app)
    r = _post(client, {"kind": "offer", "what": "  "})
    assert r.status_code == 400 and "Vui lòng điền mục này" in r.get_data(as_text=True)
    r = _post(client, {"kind": "swap", "what": "thùng phuy sạch", "quantity": "x" * 500})
    assert r.status_code == 400 and "tối đa 120" in r.get_data(as_text=True)
    r = client.post("/api/v1/enterprise/listings?lang=en", json={"kind": "need"})
    assert r.status_code == 400 and r.get_json()["error"]["fields"]["what"] == (
        "Please fill in this field.")
    assert _count(app) == before
    # what a firm adds beyond the form's purpose is kept, not refused
    r = _post(client, {"kind": "offer", "what": "thùng phuy sạch", "licence": "GPMT 12/GPMT-UBND"})
    assert r.status_code == 302 and _count(app) == before + 1


def test_roles_and_the_api(app) -> None:
    buyer = app.test_client()
    login(buyer, "buyer@example.vn")
    assert buyer.get("/enterprise/exchange").status_code == 403
    assert app.test_client().get("/api/v1/enterprise/listings").status_code == 401
    client = app.test_client()
    login(client, "c@example.vn")
    r = client.post("/api/v1/enterprise/listings",
                    json={"kind": "offer", "what": "Spare capacity on 2 CNC lathes, night shift",
                          "frequency": "weekly"})
    assert r.status_code == 201
    listing = r.get_json()
    assert listing["kind"] == "offer" and listing["site"] == "KCN Tân Tạo"
    r = client.patch(f"/api/v1/enterprise/listings/{listing['id']}", json={"open": False})
    assert r.status_code == 200 and r.get_json()["open"] is False
    other = app.test_client()
    login(other, "a@example.vn")
    assert other.patch(f"/api/v1/enterprise/listings/{listing['id']}",
                       json={"open": True}).status_code == 404
    mine = client.get("/api/v1/enterprise/listings").get_json()["items"]
    assert listing["id"] in [x["id"] for x in mine]


def test_staff_see_potential_and_proposed_exchanges_per_park(app) -> None:
    a, b = app.test_client(), app.test_client()
    login(a, "a@example.vn")
    login(b, "b@example.vn")
    _post(a, {"kind": "offer", "what": "Pallet gỗ cũ còn dùng được", "quantity": "200 cái/tháng"})
    need = _post(b, {"kind": "need", "what": "Thu mua pallet gỗ đã qua sử dụng"})
    assert need.status_code == 302
    staff = app.test_client()
    login(staff, "staff@example.vn")
    page = staff.get("/staff/exchange").get_data(as_text=True)
    assert "KCN Tân Tạo" in page and "exchange-parks" in page
    park = staff.get("/staff/exchange?park=KCN+T%C3%A2n+T%E1%BA%A1o").get_data(as_text=True)
    assert "Pallet gỗ cũ" in park and "Thu mua pallet gỗ" in park
    assert "cùng loại tài nguyên" in park
    assert a.get("/staff/exchange").status_code == 403
