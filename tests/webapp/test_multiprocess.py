"""Two real server processes on one database: an edit saved through one is searchable
through the other within seconds (the change log and each process's follower).

Each process is a waitress server started the way an operator starts one, with
its own model and index in memory; they share only the SQLite file and the index
directory, like two gunicorn workers (or two hosts on one PostgreSQL).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import PASSWORD, add_account, make_app, write_corpus

ROOT = Path(__file__).resolve().parents[2]
VISIBLE_S = 2.0
SERVE = ("import sys; from waitress import serve; from webapp import create_app; "
         "serve(create_app(), host='127.0.0.1', port=int(sys.argv[1]), threads=4)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"server exited with {proc.returncode}:\n{tail}")
        try:
            r = requests.get(f"{base}/healthz", timeout=10)
            if r.status_code == 200:
                return r.json()
            assert r.json()["status"] == "starting", r.text
        except (requests.ConnectionError, requests.Timeout):  # still starting
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} not ready within {timeout} s")


def _top_ids(base: str, query: str, k: int = 3) -> list[str]:
    r = requests.get(f"{base}/api/v1/search", params={"q": query, "per_page": k}, timeout=10)
    assert r.status_code == 200, r.text
    return [item["external_id"] for item in r.json()["items"]]


@pytest.fixture()
def servers(tmp_path, config, suppliers):
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}",
           "KETNOI_INSTANCE_DIR": str(tmp_path / "instance"),
           "KETNOI_SAMPLE_CORPUS": write_corpus(tmp_path, suppliers),
           "KETNOI_CACHE_DIR": str(config.cache_dir), "KETNOI_CHANGE_POLL_S": "0.2",
           "KETNOI_RATE_LIMITS": "0",
           "KETNOI_SECRET_KEY": "x" * 40}
    procs, bases = [], []
    logs = []
    try:
        for n in range(2):
            port = _free_port()
            log = open(tmp_path / f"server{n}.log", "wb")  # noqa: SIM115 - closed below
            logs.append(log)
            procs.append(subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=env,
                                          cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        health = [_wait_healthy(b, p, tmp_path / f"server{n}.log", 600)
                  for n, (b, p) in enumerate(zip(bases, procs, strict=True))]
        yield bases, health, tmp_path
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()


def _login(base: str, email: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = http.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                         "csrf_token": token}, timeout=10,
                  allow_redirects=False)
    assert r.status_code in (302, 303), r.text[:500]
    return http


@pytest.mark.slow
def test_an_edit_through_one_server_is_found_through_the_other(servers, suppliers) -> None:
    (first, second), health, root = servers
    # both serve the one version the first of them built (the other waited for it)
    assert health[0]["index_version"] == health[1]["index_version"]
    # an app object on the same database only to add the account (it serves nothing)
    app = make_app(root, suppliers, BUILD_INDEX_ON_START=False, LOAD_SAMPLE=False)
    add_account(app, "owner@example.vn", "enterprise", "SUP-00003")
    query = "dây chuyền mạ kẽm nhúng nóng cho kết cấu thép"
    assert "SUP-00003" not in _top_ids(second, query, 1)

    owner = _login(first, "owner@example.vn")
    r = owner.patch(f"{first}/api/v1/suppliers/SUP-00003", timeout=10, json={
        "description": "Mạ kẽm nhúng nóng kết cấu thép, dây chuyền mạ kẽm 12 m."})
    assert r.status_code == 200, r.text
    saved = time.monotonic()
    assert _top_ids(first, query, 1) == ["SUP-00003"]  # the saving process: at once
    while "SUP-00003" not in _top_ids(second, query, 1):
        assert time.monotonic() - saved < VISIBLE_S, "not visible on the other server"
        time.sleep(0.05)
    assert requests.get(f"{second}/healthz", timeout=5).json()["applied_seq"] >= 1


def _form_token(http: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', http.get(url, timeout=10).text
                     ).group(1)


def _visible_on(base: str, query: str, external_id: str | None, since: float,
                params: dict | None = None) -> float:
    """Seconds until ``query`` ranks the profile (by id, or any with ``external_id`` None
    meaning the name check is done by the caller) first on ``base``."""
    while True:
        r = requests.get(f"{base}/api/v1/search", params={"q": query, "per_page": 1,
                                                          **(params or {})}, timeout=10)
        items = r.json()["items"]
        if items and (external_id is None or items[0]["external_id"] == external_id):
            return time.monotonic() - since
        assert time.monotonic() - since < VISIBLE_S, f"{query!r} not found on {base} in time"
        time.sleep(0.05)


@pytest.mark.slow
def test_registration_import_and_verification_reach_the_other_server(servers,
                                                                     suppliers) -> None:
    (first, second), _, root = servers
    app = make_app(root, suppliers, BUILD_INDEX_ON_START=False, LOAD_SAMPLE=False)
    add_account(app, "staff2@example.vn", "staff")

    # registration through the first server: a new profile, found through the second
    http = requests.Session()
    token = _form_token(http, f"{first}/register")
    r = http.post(f"{first}/register", timeout=10, allow_redirects=False, data={
        "csrf_token": token, "email": "moi2@example.vn", "password": PASSWORD,
        "password2": PASSWORD, "role": "enterprise", "name": "Công ty Xi Mạ Crôm Mới",
        "description": "Xi mạ crôm cứng trục thủy lực, mạ crôm trang trí."})
    assert r.status_code == 302, r.text[:500]
    saved = time.monotonic()
    query = "xi mạ crôm cứng trục thủy lực"
    r = requests.get(f"{second}/api/v1/search", params={"q": query, "per_page": 1}, timeout=10)
    while not r.json()["items"] or r.json()["items"][0]["name"] != "Công ty Xi Mạ Crôm Mới":
        assert time.monotonic() - saved < VISIBLE_S, "registered profile not on the other server"
        time.sleep(0.05)
        r = requests.get(f"{second}/api/v1/search", params={"q": query, "per_page": 1},
                         timeout=10)
    new_id = r.json()["items"][0]["external_id"]
    assert r.json()["items"][0]["verified"] is False  # until staff verify it

    # an import by staff through the first server, found through the second
    staff = _login(first, "staff2@example.vn")
    token = _form_token(staff, f"{first}/staff/import")
    csv_text = ("Tên doanh nghiệp,Mô tả,Quy trình\n"
                "Công ty Đúc Nhôm Áp Lực Sóng Thần,Đúc nhôm áp lực vỏ động cơ điện,đúc áp lực\n")
    r = staff.post(f"{first}/staff/import", timeout=60, data={"csrf_token": token},
                   files={"file": ("nha-cung-cap.csv", csv_text.encode(), "text/csv")})
    assert r.status_code == 200 and "<dt>Tạo mới</dt><dd>1</dd>" in r.text, \
        r.text[r.text.find("<main"):][:1500]
    saved = time.monotonic()
    query = "đúc nhôm áp lực vỏ động cơ điện"
    r = requests.get(f"{second}/api/v1/search", params={"q": query, "per_page": 1}, timeout=10)
    while not r.json()["items"] or "Đúc Nhôm" not in r.json()["items"][0]["name"]:
        assert time.monotonic() - saved < VISIBLE_S, "imported profile not on the other server"
        time.sleep(0.05)
        r = requests.get(f"{second}/api/v1/search", params={"q": query, "per_page": 1},
                         timeout=10)

    # staff verification through the first server: the verified filter on the second
    token = _form_token(staff, f"{first}/staff/profiles")
    r = staff.post(f"{first}/staff/profiles/{new_id}/verify", timeout=10,
                   data={"csrf_token": token, "verified": "1"}, allow_redirects=False)
    assert r.status_code == 302
    _visible_on(second, "xi mạ crôm cứng", new_id, time.monotonic(), {"verified": "1"})


@pytest.mark.slow
def test_a_listing_saved_through_one_server_is_matched_through_the_other(servers,
                                                                          suppliers) -> None:
    (first, second), _, root = servers
    app = make_app(root, suppliers, BUILD_INDEX_ON_START=False, LOAD_SAMPLE=False)
    add_account(app, "need@example.vn", "enterprise", "SUP-00004")
    add_account(app, "offer@example.vn", "enterprise", "SUP-00009")
    needing = _login(second, "need@example.vn")
    r = needing.post(f"{second}/api/v1/enterprise/listings", timeout=60,
                     json={"kind": "need", "what": "Cần mua giấy carton vụn để làm khay trứng"})
    assert r.status_code == 201, r.text
    need_id = r.json()["id"]
    assert needing.get(f"{second}/api/v1/enterprise/listings/{need_id}",
                       timeout=60).json()["matches"] == []
    offering = _login(first, "offer@example.vn")
    r = offering.post(f"{first}/api/v1/enterprise/listings", timeout=60,
                      json={"kind": "offer", "what": "Thùng carton hỏng, giấy vụn sau cắt",
                            "quantity": "3 tấn/tháng"})
    assert r.status_code == 201, r.text
    saved = time.monotonic()
    while True:
        found = needing.get(f"{second}/api/v1/enterprise/listings/{need_id}",
                            timeout=10).json()["matches"]
        if found and found[0]["listing"]["id"] == r.json()["id"]:
            break
        assert time.monotonic() - saved < VISIBLE_S, "the offer is not matched on the other server"
        time.sleep(0.05)
