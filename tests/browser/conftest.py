"""Real-browser fixtures: the app on a real HTTP server (waitress, loopback) and Debian's
chromium driven by Playwright for Python (never a downloaded browser).

Without /usr/bin/chromium these tests are skipped, unless ``KETNOI_REQUIRE_BROWSER=1``
(set by ``.ci/run``, which installs chromium first): then they fail. Screenshots of each
step are kept under ``test-artifacts/screenshots/`` (not committed).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.webapp.conftest import add_account, make_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("KETNOI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        if os.environ.get("KETNOI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: real-browser tests skipped")
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium refuses root otherwise
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory, config, suppliers):
    """The app (CSRF on, real SQLite, real model) behind waitress on 127.0.0.1."""
    from waitress.server import create_server

    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    os.environ["KETNOI_CHANGE_POLL_S"] = "0.2"
    root = tmp_path_factory.mktemp("browser")
    app = make_app(root, suppliers, INDEX_DIR=str(root / "instance" / "index"))
    assert app.extensions["ketnoi_catalog"].wait(300)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.effective_port}"
    yield app
    server.close()
    follower = app.extensions["ketnoi_catalog"].follower
    if follower is not None:
        follower.stop()
    os.environ.pop("KETNOI_CHANGE_POLL_S", None)


@pytest.fixture()
def page(browser, live, request):
    context = browser.new_context(base_url=live.config["BASE_URL"], locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.shots = Shots(page, request.node.name)
    yield page
    context.close()


class Shots:
    """Numbered screenshots of one test's steps."""

    def __init__(self, page, test_name: str) -> None:
        self.page, self.n = page, 0
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", test_name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, step: str) -> Path:
        self.n += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.n:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        return path


def login(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.profile button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


__all__ = ["add_account", "login"]
