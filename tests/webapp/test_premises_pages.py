"""Premises in the portal: a developer lists, an SME states its need and sees the
listings that meet it with each condition checked; unmet demand reaches staff."""

from __future__ import annotations

import os

import pytest

from .conftest import add_account, login, make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("premises"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "developer@example.vn", "enterprise", "SUP-00010")
    add_account(app, "sme@example.vn", "enterprise", "SUP-00002")
    add_account(app, "other@example.vn", "enterprise", "SUP-00003")
    add_account(app, "staff@example.vn", "staff")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def test_a_developer_lists_and_an_sme_finds(app) -> None:
    developer, sme = app.test_client(), app.test_client()
    login(developer, "developer@example.vn")
    login(sme, "sme@example.vn")
    r = developer.post("/enterprise/premises", data={
        "form": "premises", "park": "Tan Tao", "kind": "high_rise_floor",
        "title": "Sàn tầng 3 nhà xưởng cao tầng", "area_m2": "750", "floor_load_t_m2": "1,0",
        "price_low": "3,2", "price_high": "3,6", "available_from": "01/03/2027"})
    assert r.status_code == 302
    r = developer.post("/enterprise/premises", data={
        "form": "premises", "park": "KCN Hiệp Phước", "kind": "ready_built_factory",
        "title": "Xưởng xây sẵn 1.200 m²", "area_m2": "1.200", "floor_load_t_m2": "3"})
    assert r.status_code == 302
    r = sme.post("/enterprise/premises", data={
        "form": "need", "kinds": ["high_rise_floor", "ready_built_factory"],
        "area_min": "600", "area_max": "900", "places": "gần KCN Tân Tạo",
        "budget_max": "4"})
    assert r.status_code == 302
    page = sme.get("/enterprise/premises").get_data(as_text=True)
    assert "Sàn tầng 3 nhà xưởng cao tầng" in page and "1 mặt bằng đáp ứng" in page
    assert "Xưởng xây sẵn 1.200" not in page
    # a heavy machine shop on a high-rise floor: nothing meets it, the nearest say why
    r = sme.post("/enterprise/premises", data={
        "form": "need", "kinds": ["high_rise_floor"], "area_min": "600",
        "floor_load_min": "3", "places": "Tân Tạo"})
    page = sme.get("/enterprise/premises").get_data(as_text=True)
    assert "Chưa có mặt bằng nào đáp ứng" in page and "không đạt" in page
    staff = app.test_client()
    login(staff, "staff@example.vn")
    unmet = staff.get("/staff/premises").get_data(as_text=True)
    assert "tải trọng sàn" in unmet and "Công ty mẫu 2" in unmet


def test_bad_input_and_roles(app) -> None:
    sme, other = app.test_client(), app.test_client()
    login(sme, "sme@example.vn")
    login(other, "other@example.vn")
    r = sme.post("/enterprise/premises", data={"form": "need", "area_min": "nhiều",
                                               "needed_by": "sớm"})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "Hãy nhập một số" in body and "Ngày phải có dạng" in body
    r = sme.post("/enterprise/premises", data={"form": "premises", "park": "Sao Hỏa",
                                               "kind": "land_plot", "title": "x", "area_m2": "5"})
    assert r.status_code == 400 and "Không nhận ra khu công nghiệp" in r.get_data(as_text=True)
    assert other.post("/enterprise/premises/needs/1/open", data={"open": "0"}).status_code == 404
    assert other.post("/enterprise/premises/listings/1/open", data={"open": "0"}).status_code == 404
    assert sme.post("/enterprise/premises/needs/1/open", data={"open": "0"}).status_code == 302
    assert app.test_client().get("/enterprise/premises").status_code == 302
    assert sme.get("/staff/premises").status_code == 403
