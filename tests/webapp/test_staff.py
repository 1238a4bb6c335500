"""The staff console over the real app: import and export, verification, certificate
warnings, search analytics, index status, retrain now and rollback (real model, real
SQLite, 12 suppliers)."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from recommender.store.models import (
    IndexRun,
    Interaction,
    InteractionKind,
    SearchLog,
    SupplierProfile,
)

from .conftest import add_account, login, make_app

XSS = '<script>alert("x")</script>'
MARKUP = "<b onmouseover=alert(1)>"
HEADER = "external_id,name,description,sector,processes,location,certifications\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("staff"), suppliers, WTF_CSRF_ENABLED=False,
                   IMPORT_MAX_MB=0.05, MAX_CONTENT_LENGTH=20 * 1024)
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        rows = {p.external_id: p for p in s.scalars(select(SupplierProfile))}
        rows["SUP-00004"].certifications[0].valid_until = date.today() + timedelta(days=20)
        rows["SUP-00005"].certifications[0].valid_until = date.today() - timedelta(days=3)
        for i in (1, 2, 3, 6, 7, 8, 9, 10, 11, 12):
            rows[f"SUP-{i:05d}"].certifications[0].valid_until = date(2099, 1, 1)
        s.commit()
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "staff@example.vn", "staff")
    add_account(app, "buyer@example.vn", "buyer")
    add_account(app, "dn@example.vn", "enterprise", "SUP-00003")
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


@pytest.fixture()
def staff(app):
    client = app.test_client()
    login(client, "staff@example.vn")
    return client


def _profile(app, external_id: str) -> SupplierProfile | None:
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        p = s.scalar(select(SupplierProfile).where(SupplierProfile.external_id == external_id))
        if p is not None:
            s.expunge(p)
        return p


def _search_ids(client, query: str, **params) -> list[str]:
    res = client.get("/api/v1/search", query_string={"q": query, "k": 12, **params})
    assert res.status_code == 200, res.get_data(as_text=True)
    return [item["external_id"] for item in res.get_json()["items"]]


def _eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


STAFF_PAGES = ["/staff", "/staff/index", "/staff/import", "/staff/profiles",
               "/staff/analytics", "/staff/export?format=csv"]
STAFF_API = ["/api/v1/index/status", "/api/v1/index/runs", "/api/v1/analytics"]


@pytest.mark.parametrize("email", ["buyer@example.vn", "dn@example.vn"])
def test_other_roles_are_refused_everywhere(app, email) -> None:
    client = app.test_client()
    login(client, email)
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 403, path
    for path in STAFF_API:
        res = client.get(path)
        assert res.status_code == 403 and res.get_json()["error"]["status"] == 403, path
    assert client.post("/api/v1/index/rebuild", json={}).status_code == 403
    assert client.post("/staff/profiles/SUP-00001/verify", data={"verified": "1"}).status_code \
        == 403
    assert client.post("/staff/index/rollback", data={}).status_code == 403
    assert client.post("/staff/index/unpin", data={}).status_code == 403
    assert not _profile(app, "SUP-00001").verified


def test_every_staff_page_renders_in_both_languages(staff) -> None:
    for path in STAFF_PAGES[:-1]:
        vi = staff.get(path + "?lang=vi")
        assert vi.status_code == 200, path
        assert 'lang="vi"' in vi.get_data(as_text=True)
        en = staff.get(path + "?lang=en")
        assert en.status_code == 200 and 'lang="en"' in en.get_data(as_text=True), path
    staff.get("/?lang=vi")
    page = staff.get("/staff").get_data(as_text=True)
    assert "Quản trị KếtNối" in page and "12" in page


def test_import_checks_every_row_and_writes_nothing_on_error(app, staff) -> None:
    good = "SUP-09001,Công ty Đúc Áp Lực Hưng Thịnh,Đúc áp lực nhôm và kẽm cho vỏ động cơ,"\
           "mechanical,die_casting,KCN Tân Tạo,ISO 9001\n"
    bad = "SUP-09002,,thiếu tên,mechanical,cnc_machining,KCN Không Có,\n"
    res = staff.post("/staff/import", data={
        "file": (io.BytesIO((HEADER + good + bad).encode()), "ho-so.csv")},
        content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 400
    assert "Không có gì được ghi" in page
    # the row errors in the page's language (the library's notes, worded by the web app)
    assert "Dòng 3, name: là bắt buộc: dòng thiếu mục này không thể hiển thị" in page
    assert "row 3" not in page and "is required" not in page
    page = staff.post("/staff/import?lang=en", data={
        "file": (io.BytesIO((HEADER + good + bad).encode()), "ho-so.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Row 3, name: is required: a row without it cannot be shown to buyers" in page
    staff.get("/?lang=vi")
    assert _profile(app, "SUP-09001") is None

    dry = staff.post("/staff/import", data={
        "file": (io.BytesIO((HEADER + good).encode()), "ho-so.csv"), "dry_run": "1"},
        content_type="multipart/form-data")
    assert dry.status_code == 200 and "chưa ghi gì" in dry.get_data(as_text=True)
    assert _profile(app, "SUP-09001") is None

    res = staff.post("/staff/import", data={
        "file": (io.BytesIO((HEADER + good + bad).encode()), "ho-so.csv"), "valid_only": "1"},
        content_type="multipart/form-data")
    assert res.status_code == 200, res.get_data(as_text=True)
    assert _profile(app, "SUP-09001") is not None and _profile(app, "SUP-09002") is None
    # searchable within seconds, without a rebuild (the change log)
    assert _eventually(lambda: "SUP-09001" in _search_ids(staff, "đúc áp lực nhôm"))


def test_import_refuses_unreadable_or_oversized_files(staff) -> None:
    res = staff.post("/staff/import", data={
        "file": (io.BytesIO(b"a,b"), "ho-so.pdf")}, content_type="multipart/form-data")
    assert res.status_code == 400 and ".pdf" in res.get_data(as_text=True)
    res = staff.post("/staff/import", data={"file": (io.BytesIO(b"\xff\xfeabc"), "x.csv")},
                     content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "không phải văn bản UTF-8" in page
    assert "x.csv không phải văn bản UTF-8" in page and "upload.csv" not in page
    res = staff.post("/staff/import", data={}, content_type="multipart/form-data")
    assert res.status_code == 400 and "Vui lòng chọn một tệp" in res.get_data(as_text=True)
    def rows(n: int) -> bytes:
        return (HEADER + "".join(f"SUP-091{i:02d},Công ty {i},Gia công cơ khí chính xác "
                                 + "x" * 200 + f" {i},mechanical,cnc_machining,,\n"
                                 for i in range(n))).encode()

    # above the app's general request limit (20 KiB here), within the import limit (50 KiB)
    medium = rows(110)
    assert 20 * 1024 < len(medium) < 50 * 1024
    res = staff.post("/staff/import", data={"file": (io.BytesIO(medium), "vua.csv"),
                                            "dry_run": "1"}, content_type="multipart/form-data")
    assert res.status_code == 200 and "110" in res.get_data(as_text=True)
    res = staff.post("/staff/import", data={"file": (io.BytesIO(rows(300)), "lon.csv")},
                     content_type="multipart/form-data")
    assert res.status_code == 400 and "Không thể đọc tệp" in res.get_data(as_text=True)
    assert _profile(staff.application, "SUP-09100") is None


def test_import_escapes_what_it_shows(staff) -> None:
    row = f'SUP-09003,Công ty An {XSS},"{XSS} gia công cơ khí",mechanical,cnc_machining,,\n'
    res = staff.post("/staff/import", data={
        "file": (io.BytesIO((HEADER + row).encode()), f"{MARKUP}.csv")},
        content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 200
    assert MARKUP not in page and "&lt;b onmouseover=alert(1)&gt;" in page
    assert XSS not in page


def test_export_downloads_every_profile(staff) -> None:
    with staff.get("/staff/export?format=csv") as res:
        assert res.status_code == 200
        assert "attachment" in res.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert {"SUP-00001", "SUP-00012"} <= {r["external_id"] for r in rows}
    with staff.get("/staff/export?format=jsonl") as res:
        assert json.loads(res.get_data(as_text=True).splitlines()[0])["external_id"]
    with staff.get("/staff/export?format=xlsx") as res:
        assert res.data[:2] == b"PK"
    assert staff.get("/staff/export?format=exe").status_code == 400


def test_verifying_a_profile_shows_in_search_at_once(app, staff) -> None:
    assert "SUP-00006" not in _search_ids(staff, "bó dây điện", verified="1")
    res = staff.post("/staff/profiles/SUP-00006/verify", data={"verified": "1"})
    assert res.status_code == 302
    assert _profile(app, "SUP-00006").verified
    assert _eventually(lambda: "SUP-00006" in _search_ids(staff, "bó dây điện", verified="1"))
    page = staff.get("/staff/profiles?filter=verified").get_data(as_text=True)
    assert "SUP-00006" in page and "SUP-00007" not in page
    staff.post("/staff/profiles/SUP-00006/verify", data={"verified": "0",
                                                         "next": "//evil.example/"})
    assert not _profile(app, "SUP-00006").verified
    assert staff.post("/staff/profiles/NOPE/verify", data={"verified": "1"}).status_code == 404


def test_expiring_certificates_are_listed(staff) -> None:
    page = staff.get("/staff/profiles?filter=expiring&lang=vi").get_data(as_text=True)
    assert "SUP-00004" in page and "còn 20 ngày" in page
    assert "SUP-00005" in page and "đã hết hạn" in page
    assert "SUP-00007" not in page  # valid until 2099
    paged = staff.get("/staff/profiles?filter=expiring&per_page=1").get_data(as_text=True)
    assert "page=2" in paged and "filter=expiring" in paged
    found = staff.get("/staff/profiles?q=SUP-00004").get_data(as_text=True)
    assert "SUP-00004" in found and "SUP-00005" not in found


def test_analytics_counts_queries_gaps_and_interactions(app, staff) -> None:
    buyer = app.test_client()
    login(buyer, "buyer@example.vn")
    for q in ("gia công CNC nhôm", "gia cong cnc nhom", "Gia công  CNC nhôm"):
        assert buyer.get("/api/v1/search", query_string={"q": q}).status_code == 200
    gap = "phóng vệ tinh lên quỹ đạo, có chứng chỉ AS9100"
    for _ in range(2):
        buyer.get("/api/v1/search", query_string={"q": gap})
    for _ in range(3):  # a capability no one here offers with that certificate
        buyer.get("/api/v1/search", query_string={"q": "anod hóa nhôm, có chứng chỉ AS9100"})
    app.extensions["ketnoi_search_log"].flush()  # written off the request path
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        logged = {row.query: row for row in s.scalars(select(SearchLog))}
        assert logged[gap].good_match is False
        log = logged["gia công CNC nhôm"]
        pid = s.scalar(select(SupplierProfile.id).where(
            SupplierProfile.external_id == log.result_external_ids[0]))
        s.add_all([Interaction(search_log_id=log.id, profile_id=pid, rank=1,
                               kind=InteractionKind.CLICK),
                   Interaction(search_log_id=log.id, profile_id=pid, rank=1,
                               kind=InteractionKind.CONTACT)])
        s.commit()
    data = staff.get("/api/v1/analytics?days=7").get_json()
    top = {e["key"]: e for e in data["top_queries"]}
    assert top["gia cong cnc nhom"]["searches"] == 3
    gaps = {g["query"]: g for g in data["supply_gaps"]}
    assert gaps[gap]["searches"] == 2 and gaps[gap]["share"] == 1.0
    assert all(g["share"] >= 0.5 for g in gaps.values())
    assert data["interactions"]["contacts"] >= 1 and data["interactions"]["clicks"] >= 1
    assert data["top_suppliers"][0]["external_id"] == log.result_external_ids[0]
    wanted = {c["key"]: c for c in data["gap_capabilities"]}
    assert (wanted["anodizing"]["searches"], wanted["anodizing"]["queries"]) == (3, 1)
    page = staff.get("/staff/analytics?days=7&lang=vi").get_data(as_text=True)
    assert "phóng vệ tinh" in page and "Nhu cầu chưa có nhà cung cấp phù hợp" in page
    assert "anod hóa nhôm" in page
    page = staff.get("/staff/analytics?days=7&lang=en").get_data(as_text=True)
    assert "By capability: wanted by buyers, not found locally" in page and ">anodizing<" in page
    assert staff.get("/api/v1/analytics?days=3").status_code == 400


def test_index_status_page_and_api(app, staff) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    status = staff.get("/api/v1/index/status").get_json()
    assert status["current"]["version_id"] == catalog.version
    assert status["serving"]["ready"] and status["serving"]["profiles"] >= 12
    page = staff.get("/staff/index").get_data(as_text=True)
    assert catalog.version in page and "Huấn luyện lại ngay" in page


def _wait_run(staff, run_id: int, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = staff.get(f"/api/v1/index/runs/{run_id}").get_json()
        if run["status"] != "running" or time.monotonic() > deadline:
            return run
        time.sleep(0.5)


def test_retrain_now_runs_in_the_background_with_progress(app, staff) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    before = catalog.store.current().version_id
    res = staff.post("/api/v1/index/rebuild", json={"force": True})
    assert res.status_code == 202, res.get_data(as_text=True)
    run = res.get_json()
    assert res.headers["Location"].endswith(f"/api/v1/index/runs/{run['id']}")
    # a second one while it runs is refused with the reason
    again = staff.post("/api/v1/index/rebuild", json={})
    if again.status_code != 202:
        assert again.status_code == 409 and again.get_json()["error"]["code"] == "rebuild_busy"
    running = staff.get("/staff/index").get_data(as_text=True)
    if "<progress" in running:
        assert 'http-equiv="refresh"' in running
    done = _wait_run(staff, run["id"])
    assert done["status"] == "promoted", done
    assert done["progress"]["stage"] == "done" and done["progress"]["percent"] == 100
    assert done["profile_count"] >= 12 and done["metrics"]
    assert catalog.store.current().version_id == done["version_id"] != before
    runs = staff.get("/api/v1/index/runs").get_json()
    assert runs["items"][0]["id"] >= run["id"]
    page = staff.get("/staff/index?lang=vi").get_data(as_text=True)
    assert done["version_id"] in page and "đã đưa vào phục vụ" in page
    runs_table = page[page.index('id="runs-h"'):page.index('id="versions-h"')]
    assert f"{done['metrics']['nDCG@10']:.2f}" in runs_table
    with app.app_context(), app.extensions["ketnoi_db"].sessions() as s:
        assert s.get(IndexRun, run["id"]).trigger == "staff"
    assert staff.post("/api/v1/index/rebuild", json={"force": "yes"}).status_code == 400


def test_retrain_form_and_rollback(app, staff) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    res = staff.post("/staff/index/rebuild", data={"force": "1"})
    assert res.status_code == 302
    runs = staff.get("/api/v1/index/runs").get_json()["items"]
    assert _wait_run(staff, runs[0]["id"])["status"] in {"promoted", "skipped"}
    previous = catalog.store.previous()
    assert previous is not None
    res = staff.post("/staff/index/rollback", data={"version": previous.version_id})
    assert res.status_code == 302
    assert catalog.store.current().version_id == previous.version_id
    assert _eventually(lambda: catalog.version == previous.version_id, 10)
    assert _search_ids(staff, "gia công CNC")  # still answering
    res = staff.post("/staff/index/rollback", data={"version": "../../etc"},
                     follow_redirects=True)
    assert "Không thể quay lại" in res.get_data(as_text=True)
    assert catalog.store.current().version_id == previous.version_id
    # the rollback pinned it: the page says so and offers to unpin
    assert catalog.store.pinned() and "Bỏ ghim" in staff.get("/staff/index").get_data(
        as_text=True)
    # a version that failed to load is refused with the reason
    other = next(v for v in catalog.store.list() if v.version_id != previous.version_id
                 and v.admitted)
    catalog.store._record_error(other.version_id, "checksum mismatch")
    res = staff.post("/staff/index/rollback", data={"version": other.version_id},
                     follow_redirects=True)
    page = res.get_data(as_text=True)
    assert "Không thể quay lại" in page and "nó không tải được lúc" in page  # worded in vi
    assert catalog.store.current().version_id == previous.version_id
    res = staff.post("/staff/index/unpin", follow_redirects=True)
    assert "Đã bỏ ghim phiên bản" in res.get_data(as_text=True)
    assert not catalog.store.pinned()

