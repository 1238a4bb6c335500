"""The park view: figures from the park's firms, listings and proposals; its CSV export
reads back to the same figures; staff only."""

from __future__ import annotations

import csv
import io
import os

import pytest

from recommender.parkview import read_park_rows

from .conftest import add_account, login, make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("parkview"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "a@example.vn", "enterprise", "SUP-00001")
    add_account(app, "b@example.vn", "enterprise", "SUP-00005")
    add_account(app, "staff@example.vn", "staff")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def test_the_park_view_and_its_export(app) -> None:
    a, b = app.test_client(), app.test_client()
    login(a, "a@example.vn")
    login(b, "b@example.vn")
    offer = a.post("/api/v1/enterprise/listings", json={
        "kind": "offer", "what": "Phế liệu nhôm ba dớ từ gia công CNC", "quantity": "3 tấn/tháng"}
    ).get_json()
    need = b.post("/api/v1/enterprise/listings", json={
        "kind": "need", "what": "Cần mua nhôm phế liệu để nấu lại"}).get_json()
    made = b.post(f"/api/v1/enterprise/listings/{need['id']}/requests",
                  json={"other_id": offer["id"]}).get_json()
    a.patch(f"/api/v1/enterprise/exchange-requests/{made['id']}", json={"answer": "accept"})
    a.patch(f"/api/v1/enterprise/exchange-requests/{made['id']}", json={"answer": "done"})

    staff = app.test_client()
    login(staff, "staff@example.vn")
    index = staff.get("/staff/parks").get_data(as_text=True)
    assert "KCX Tân Thuận" in index and "thí điểm chuyển đổi xanh" in index
    page = staff.get("/staff/parks/KCN Tân Tạo").get_data(as_text=True)
    assert page.count("<svg") >= 4 and "Doanh nghiệp theo ngành" in page
    assert "cơ khí" in page and "Eco" not in page  # Vietnamese labels on a Vietnamese page
    r = staff.get("/staff/parks/KCN Tân Tạo/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    name, figures = read_park_rows(r.get_data(as_text=True))
    assert name == "KCN Tân Tạo" and figures["park"]["firms"] == 12
    assert figures["certified"]["environment"] == 0 and figures["sector"]["mechanical"] == 4
    assert figures["exchange"]["done"] == 1 and figures["exchange"]["tonnes"] == 3.0
    assert figures["exchange"]["co2e_kg"] == pytest.approx(3.0 * 16531)
    assert set(figures["programme_eligible"]) == {"VN-ND35-ECO-IP", "VN-NQ198-GREEN-INTEREST"}
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "key", "value"]
    printable = staff.get("/staff/parks/KCN Tân Tạo?print=1").get_data(as_text=True)
    assert 'class="printable"' in printable and "Tải CSV" not in printable
    assert staff.get("/staff/parks/KCN Sao Hỏa").status_code == 404
    assert a.get("/staff/parks/KCN Tân Tạo").status_code == 403
