"""Rate-limit storage shared by workers (a real redis-server), and the HTTPS headers.

The Redis tests start their own ``redis-server`` on a free port of 127.0.0.1 in a
temporary directory (no persistence) and skip, saying why, when it or the Python
client is not installed (``apt install redis-server``, ``pip install -e '.[redis]'``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from webapp.errors import ConfigurationError
from webapp.security import HSTS

from .conftest import login, make_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """``redis://`` URL of a throwaway redis-server, stopped at the end of the module."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (apt install redis-server)")
    redis = pytest.importorskip("redis", reason="the Redis client is not installed "
                                "(pip install -e '.[redis]')")
    workdir = tmp_path_factory.mktemp("redis")
    for _attempt in range(5):
        port = _free_port()
        log = open(workdir / "redis.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                                stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            # exited (the port was taken between choosing and binding) or never answered
            proc.kill()
            proc.wait()
            log.close()
            continue
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            client.close()
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        return
    pytest.fail(f"redis-server did not start:\n{(workdir / 'redis.log').read_text()[-2000:]}")


def _worker(root, suppliers, storage: str):
    """An app as one gunicorn worker creates it, with a login budget of three attempts."""
    return make_app(root, suppliers, BUILD_INDEX_ON_START=False, WTF_CSRF_ENABLED=False,
                    RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
                    LOGIN_RATE_LIMIT="3/minute")


def _attempt(app) -> int:
    return login(app.test_client(), "ai@example.vn", "sai-mat-khau-roi").status_code


def test_two_workers_share_one_login_budget_in_redis(tmp_path, suppliers, redis_url) -> None:
    first, second = _worker(tmp_path, suppliers, redis_url), _worker(tmp_path, suppliers,
                                                                      redis_url)
    assert [_attempt(first), _attempt(second), _attempt(first)] == [401, 401, 401]
    # the budget of three is spent, whichever worker the next attempt reaches
    assert _attempt(second) == 429
    assert _attempt(first) == 429


def test_with_memory_storage_each_worker_counts_on_its_own(tmp_path, suppliers) -> None:
    first, second = _worker(tmp_path, suppliers, "memory://"), _worker(tmp_path, suppliers,
                                                                        "memory://")
    assert [_attempt(first) for _ in range(3)] == [401, 401, 401]
    assert _attempt(first) == 429
    # the second worker has its own three: workers x the limit in all
    assert [_attempt(second) for _ in range(3)] == [401, 401, 401]


def test_unreachable_redis_fails_at_start(tmp_path, suppliers, redis_url) -> None:
    nobody = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(ConfigurationError, match="does not answer"):
        _worker(tmp_path, suppliers, nobody)


def test_missing_redis_client_names_what_to_install(tmp_path, suppliers, monkeypatch) -> None:
    # as if the extra was not installed: `import redis` fails
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setenv("KETNOI_RATELIMIT_STORAGE", "redis://:geheim@127.0.0.1:6379/0")
    with pytest.raises(ConfigurationError) as raised:
        make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False, RATELIMIT_ENABLED=True)
    message = str(raised.value)
    assert "pip install -e '.[redis]'" in message and "KETNOI_RATELIMIT_STORAGE" in message
    assert "geheim" not in message  # the password stays out of logs


PRODUCTION = {"TESTING": False, "BUILD_INDEX_ON_START": False, "LOAD_SAMPLE": False,
              "ENV_NAME": "production", "DATABASE_URL_SET": True, "SECRET_KEY": "k" * 40}


def _headers(app):
    res = app.test_client().get("/login")
    assert res.status_code == 200
    return res.headers


def test_permissions_policy_on_every_response(tmp_path, suppliers) -> None:
    for app in (make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False),
                make_app(tmp_path, suppliers, **PRODUCTION)):
        policy = _headers(app)["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy


def test_hsts_in_production_only(tmp_path, suppliers, monkeypatch) -> None:
    assert _headers(make_app(tmp_path, suppliers, **PRODUCTION))[
        "Strict-Transport-Security"] == HSTS == "max-age=31536000; includeSubDomains"
    # not while developing on http://, nor under tests or debug, unless asked for
    assert "Strict-Transport-Security" not in _headers(
        make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False, TESTING=False))
    assert "Strict-Transport-Security" not in _headers(
        make_app(tmp_path, suppliers, **{**PRODUCTION, "TESTING": True}))
    assert "Strict-Transport-Security" not in _headers(
        make_app(tmp_path, suppliers, **{**PRODUCTION, "DEBUG": True}))
    assert "Strict-Transport-Security" in _headers(
        make_app(tmp_path, suppliers, **{**PRODUCTION, "TESTING": True, "HSTS_ENABLED": True}))
    monkeypatch.setenv("KETNOI_HSTS", "0")  # a proxy that sets it already
    assert "Strict-Transport-Security" not in _headers(
        make_app(tmp_path, suppliers, **PRODUCTION))
