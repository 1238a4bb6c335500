"""The documented production command: gunicorn with ``webapp/gunicorn_conf.py``.

Starts the real gunicorn (two workers) over the small supplier set on a free
loopback port, the way docs/serving.md tells an operator to, and searches it
over HTTP. The helpers that start and probe servers are test_multiprocess's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from webapp.serving import ready_pids, torch_threads_per_worker, warm_timeout

from .conftest import write_corpus
from .test_multiprocess import ROOT, _free_port, _top_ids, _wait_healthy

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
            "webapp:create_app()"]
"""docs/serving.md's command (``python -m`` so the test runs this checkout's gunicorn)."""


@pytest.mark.slow
def test_gunicorn_two_workers_warm_before_traffic_and_search(tmp_path, config,
                                                             suppliers) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}",
           "KETNOI_INSTANCE_DIR": str(tmp_path / "instance"),
           "KETNOI_SAMPLE_CORPUS": write_corpus(tmp_path, suppliers),
           "KETNOI_CACHE_DIR": str(config.cache_dir),
           "KETNOI_BIND": f"127.0.0.1:{port}", "KETNOI_WORKERS": "2",
           "KETNOI_SECRET_KEY": "x" * 40}
    env.pop("KETNOI_THREADS", None)
    log_path = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(GUNICORN, env=env, cwd=tmp_path, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            health = _wait_healthy(base, proc, log_path, 600)
            assert health["status"] == "ok" and health["profiles"] == len(suppliers)
            # a worker takes traffic only once warm, so the first 200 means one is; the
            # other finishes loading the version the first built (bounded wait)
            deadline = time.monotonic() + 300
            while len(ready_pids(log_path.read_text(errors="replace"))) < 2:
                assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "second worker never got warm"
                time.sleep(0.3)
            text = log_path.read_text(errors="replace")
            assert "Booting worker" in text and "Using worker: gthread" in text

            # every request lands on a warm worker: the API and the page, several times
            for _ in range(6):
                assert _top_ids(base, "bo day dien o to", 3)[0] == "SUP-00006"
            page = requests.get(f"{base}/", params={"q": "ép nhựa ABS vỏ thiết bị điện"},
                                timeout=10)
            assert page.status_code == 200 and "SUP-00002" in page.text
            # the rate limit is on by default here (no TESTING): its headers are sent
            r = requests.get(f"{base}/api/v1/search", params={"q": "túi nhựa PE"}, timeout=10)
            assert r.status_code == 200 and "X-RateLimit-Limit" in r.headers
        finally:
            proc.send_signal(signal.SIGTERM)  # graceful stop, as systemd does
            try:
                code = proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
                raise
    assert code == 0, log_path.read_text(errors="replace")[-3000:]
    assert "Shutting down: Master" in log_path.read_text(errors="replace")


def test_torch_threads_share_the_cores() -> None:
    assert torch_threads_per_worker(2, cores=2) == 1
    assert torch_threads_per_worker(2, cores=8) == 4
    assert torch_threads_per_worker(4, cores=2) == 1
    with pytest.raises(ValueError):
        torch_threads_per_worker(0, cores=2)


def test_warm_timeout_is_checked(monkeypatch) -> None:
    monkeypatch.setenv("KETNOI_WARM_TIMEOUT_S", "12.5")
    assert warm_timeout() == 12.5
    monkeypatch.setenv("KETNOI_WARM_TIMEOUT_S", "soon")
    with pytest.raises(ValueError, match="KETNOI_WARM_TIMEOUT_S"):
        warm_timeout()


def test_nothing_heavy_is_loaded_when_the_app_is_created(tmp_path) -> None:
    """What a gunicorn worker (or a --preload master) holds before its catalog starts."""
    code = ("import sys, threading; from webapp import create_app; app = create_app(); "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
            "'bm25s', 'pyvi') if m in sys.modules)); "
            "print(app.extensions['ketnoi_catalog'].ready)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KETNOI_INSTANCE_DIR": str(tmp_path),
           "KETNOI_LOAD_SAMPLE": "0", "KETNOI_LOAD_POLICIES": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, timeout=120,
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]", out
    assert out[1] == "False"


def test_proxy_hops_trust_the_forwarded_client_address(tmp_path, suppliers) -> None:
    from .conftest import make_app

    seen = {}
    for hops in (0, 1):
        (tmp_path / str(hops)).mkdir()
        app = make_app(tmp_path / str(hops), suppliers, BUILD_INDEX_ON_START=False,
                       PROXY_HOPS=hops)

        @app.get("/_addr")
        def addr():
            from flask import request

            return {"addr": request.remote_addr, "scheme": request.scheme}

        seen[hops] = app.test_client().get(
            "/_addr", headers={"X-Forwarded-For": "203.0.113.7",
                               "X-Forwarded-Proto": "https"}).get_json()
    assert seen[0] == {"addr": "127.0.0.1", "scheme": "http"}
    assert seen[1] == {"addr": "203.0.113.7", "scheme": "https"}


def test_search_rate_limit_is_set_from_the_environment(tmp_path, suppliers,
                                                       monkeypatch) -> None:
    from .conftest import make_app

    monkeypatch.setenv("KETNOI_SEARCH_RATE_LIMIT", "2/minute")
    app = make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False, RATELIMIT_ENABLED=True)
    assert app.config["SEARCH_RATE_LIMIT"] == "2/minute"
    client = app.test_client()
    codes = [client.get("/api/v1/search", query_string={"q": "nhựa"}).status_code
             for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429
