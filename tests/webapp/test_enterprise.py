"""Enterprise profile editing: ownership, validation, escaping and the live index."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from recommender.serving.catalog import Catalog
from recommender.store.models import SupplierProfile

from .conftest import add_account, login, make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("enterprise"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "dn1@example.vn", "enterprise", "SUP-00001")
    add_account(app, "dn2@example.vn", "enterprise", "SUP-00002")
    add_account(app, "mua@example.vn", "buyer")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _supplier(client, external_id: str) -> dict:
    res = client.get(f"/api/v1/suppliers/{external_id}")
    assert res.status_code == 200
    return res.get_json()


def _search(client, q: str, k: int = 3) -> list[str]:
    res = client.get("/api/v1/search", query_string={"q": q, "k": k})
    return [item["external_id"] for item in res.get_json()["items"]]


def test_public_read_api(client) -> None:
    body = _supplier(client, "SUP-00006")
    assert body["external_id"] == "SUP-00006" and body["processes"] == ["wire_harness"]
    assert body["park"] == "KCN Tân Tạo" and body["certifications"][0]["name"] == "ISO 9001"
    assert "tax_code" not in body and "email" not in body
    res = client.get("/api/v1/suppliers/NOPE")
    assert res.status_code == 404 and set(res.get_json()) == {"error"}


def test_form_edit_is_searchable_at_once(app, client) -> None:
    login(client, "dn1@example.vn")
    assert client.get("/enterprise/profile").location.endswith("/enterprise/profile/SUP-00001")
    page = client.get("/enterprise/profile/SUP-00001").get_data(as_text=True)
    assert "Hồ sơ năng lực" in page
    assert "SUP-00001" not in _search(client, "xi mạ crôm cứng trục thủy lực")
    res = client.post("/enterprise/profile/SUP-00001", data={
        "description": "Xi mạ crôm cứng cho trục thủy lực và khuôn ép.",
        "processes": "gia công CNC; chế tạo khuôn mẫu",
        "certifications": "ISO 9001; 2028-06-30; Bureau Veritas\nIATF 16949; 2027-01-15",
        "capacity": "2.000 trục/tháng", "park": "kcn tan tao", "ward": "Tân Tạo A"})
    assert res.status_code == 302
    assert _search(client, "xi mạ crôm cứng trục thủy lực")[0] == "SUP-00001"
    body = _supplier(client, "SUP-00001")
    assert body["processes"] == ["cnc_machining", "mold_making"]
    assert body["park"] == "KCN Tân Tạo" and body["capacity"] == "2.000 trục/tháng"
    assert [(c["name"], c["valid_until"]) for c in body["certifications"]] == [
        ("ISO 9001", "2028-06-30"), ("IATF 16949", "2027-01-15")]
    # the certificate dates are what the ranker checks requirements against
    found = client.get("/api/v1/search", query_string={"q": "xi mạ crôm có IATF 16949"})
    top = found.get_json()["items"][0]
    assert top["external_id"] == "SUP-00001"
    assert {r["wanted"]: r["status"] for r in top["requirements"]}["IATF 16949"] == "met"


def test_form_shows_vietnamese_field_errors_and_saves_nothing(app, client) -> None:
    login(client, "dn1@example.vn")
    before = _supplier(client, "SUP-00001")
    res = client.post("/enterprise/profile/SUP-00001", data={
        "description": "", "processes": "gia cong cnc; han thiec bay", "certifications":
        "ISO 9001; 32/13/2027", "capacity": "", "park": "KCN Tan Tao 9", "ward": ""})
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    assert "Vui lòng mô tả năng lực" in html
    assert "ngày hết hạn phải có dạng NNNN-TT-NN" in html
    assert _supplier(client, "SUP-00001") == before


def test_form_errors_and_the_saved_notice_are_in_the_page_language(app, client) -> None:
    login(client, "dn1@example.vn")
    client.get("/?lang=en")
    html = client.post("/enterprise/profile/SUP-00001", data={
        "description": "", "processes": "gia cong cnc", "certifications":
        "ISO 9001; 32/13/2027", "capacity": "", "park": "", "ward": ""}).get_data(as_text=True)
    assert "Please describe what the company can do." in html
    assert "Certificate 1: the expiry date must be written YYYY-MM-DD" in html
    assert "Vui lòng" not in html and "ngày hết hạn" not in html
    before = _supplier(client, "SUP-00001")
    html = client.post("/enterprise/profile/SUP-00001", data={
        "description": before["description"], "processes": "gia cong cnc",
        "certifications": "", "capacity": "", "park": "", "ward": ""},
        follow_redirects=True).get_data(as_text=True)
    assert "Profile saved." in html
    client.get("/?lang=vi")


def test_form_takes_the_firms_own_words_and_old_place_names(app, client) -> None:
    login(client, "dn1@example.vn")
    res = client.post("/enterprise/profile/SUP-00001", data={
        "description": "Xưởng dập tấm kim loại và hàn khung cho tủ điện.",
        "processes": "dập tấm kim loại; chạm khắc gỗ mỹ nghệ", "certifications":
        "ISO 9001; 31/12/2027", "capacity": "", "park": "Lô 5, KCN Tân Tạo, Q. Bình Tân",
        "ward": ""}, follow_redirects=True)
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    html = res.get_data(as_text=True)
    assert "sheet_metal" not in html  # labels, never internal keys
    assert "chạm khắc gỗ mỹ nghệ → giữ nguyên văn" in html
    with app.app_context():
        from webapp.db import get_session

        profile = get_session().scalars(select(SupplierProfile).filter_by(
            external_id="SUP-00001")).one()
        assert "sheet_metal_stamping" in profile.processes or any(
            "sheet_metal" in k for k in profile.processes)
        assert profile.park == "KCN Tân Tạo" and profile.area == "Bình Tân"
        assert profile.certifications[0].valid_until.isoformat() == "2027-12-31"
    assert _search(client, "chạm khắc gỗ mỹ nghệ")[0] == "SUP-00001"


def test_patch_own_profile(app, client) -> None:
    login(client, "dn2@example.vn")
    res = client.patch("/api/v1/suppliers/SUP-00002",
                       json={"description": "Sơn tĩnh điện và phun cát khung thép xe đạp.",
                             "certifications": [{"name": "ISO 14001",
                                                 "valid_until": "2029-03-31"}]})
    assert res.status_code == 200
    assert res.get_json()["certifications"] == [
        {"name": "ISO 14001", "issuer": None, "valid_until": "2029-03-31"}]
    assert _search(client, "phun cát sơn tĩnh điện khung xe đạp")[0] == "SUP-00002"


def test_patch_bad_input_is_400_with_field_errors(app, client) -> None:
    login(client, "dn2@example.vn")
    before = _supplier(client, "SUP-00002")
    res = client.patch("/api/v1/suppliers/SUP-00002",
                       json={"processes": 7, "name": "Đổi tên", "description": 5})
    assert res.status_code == 400
    error = res.get_json()["error"]
    assert error["status"] == 400 and set(error["fields"]) == {"processes", "name",
                                                               "description"}
    for body in ("[1, 2]", "{}", "không phải json"):
        res = client.patch("/api/v1/suppliers/SUP-00002", data=body,
                           content_type="application/json")
        assert res.status_code == 400 and res.get_json()["error"]["status"] == 400
    assert _supplier(client, "SUP-00002") == before


def test_another_enterprise_cannot_change_a_profile(app, client) -> None:
    before = _supplier(client, "SUP-00001")
    login(client, "dn2@example.vn")
    res = client.get("/enterprise/profile/SUP-00001")
    assert res.status_code == 403
    res = client.post("/enterprise/profile/SUP-00001", data={
        "description": "Bị sửa trái phép", "processes": "", "certifications": "",
        "capacity": "", "park": "", "ward": ""})
    assert res.status_code == 403 and "Bạn không có quyền" in res.get_data(as_text=True)
    res = client.patch("/api/v1/suppliers/SUP-00001", json={"description": "Bị sửa trái phép"})
    assert res.status_code == 403 and set(res.get_json()) == {"error"}
    client.post("/logout")
    login(client, "mua@example.vn")
    res = client.patch("/api/v1/suppliers/SUP-00001", json={"description": "Bị sửa trái phép"})
    assert res.status_code == 403
    client.post("/logout")
    res = client.patch("/api/v1/suppliers/SUP-00001", json={"description": "Bị sửa trái phép"})
    assert res.status_code == 401 and res.get_json()["error"]["status"] == 401
    assert _supplier(client, "SUP-00001") == before


def test_script_in_description_is_escaped_on_pages(app, client) -> None:
    login(client, "dn2@example.vn")
    payload = "Hàn laser \"><img src=x onerror=alert(1)> <script>alert('x')</script> & inox"
    res = client.patch("/api/v1/suppliers/SUP-00002", json={"description": payload,
                                                            "capacity": "<b>lớn</b>"})
    assert res.status_code == 200  # markup is stripped on save ...
    assert "<" not in res.get_json()["description"] and res.get_json()["capacity"] == "lớn"
    # ... and escaped on the pages even when it reached the database some other way
    with app.app_context():
        with app.extensions["ketnoi_db"].sessions() as session:
            profile = session.scalar(select(SupplierProfile)
                                     .where(SupplierProfile.external_id == "SUP-00002"))
            profile.description = payload
            profile.capacity = "<b>lớn</b>"
            session.commit()
            app.extensions["ketnoi_catalog"].apply_saved(profile)
    pages = [client.get("/suppliers/SUP-00002"), client.get("/enterprise/profile/SUP-00002"),
             client.get("/", query_string={"q": "hàn laser inox"})]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>lớn" not in html
    assert "&lt;script&gt;alert(" in pages[0].get_data(as_text=True)


def test_request_too_large_uses_the_error_shape(app, client) -> None:
    login(client, "dn2@example.vn")
    big = {"description": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)}
    res = client.patch("/api/v1/suppliers/SUP-00002", json=big)
    assert res.status_code == 413
    assert set(res.get_json()) == {"error"} and res.get_json()["error"]["status"] == 413
    res = client.post("/enterprise/profile/SUP-00002", data=big)
    assert res.status_code == 413 and "Dữ liệu gửi lên quá lớn." in res.get_data(as_text=True)


def test_saved_edit_survives_a_failed_live_update(app, client, monkeypatch) -> None:
    # a fake failure: the real index does not fail on demand
    def broken(catalog, rows):
        raise RuntimeError("index busy")

    monkeypatch.setattr(Catalog, "apply_saved", broken)
    login(client, "dn2@example.vn")
    res = client.patch("/api/v1/suppliers/SUP-00002", json={"ward": "Phường Bình Trị Đông"})
    assert res.status_code == 200
    assert _supplier(client, "SUP-00002")["ward"] == "Phường Bình Trị Đông"
