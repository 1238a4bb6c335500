"""The park view of each of the five pilot parks, in a real browser, on the demo data
(the bundled sample suppliers with their sample exchange listings and premises): its
charts render, its CSV download reads back to the figures on the page, and the
printable page leaves the navigation out."""

from __future__ import annotations

import os
import threading

import pytest

from recommender.parkview import read_park_rows
from recommender.places import PARKS
from tests.webapp.conftest import PASSWORD
from webapp import create_app

from .conftest import Shots, add_account, login

PILOTS = [p.name for p in PARKS if p.pilot_green]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, config):
    from waitress.server import create_server

    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    root = tmp_path_factory.mktemp("demo")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{root / 'ketnoi.sqlite3'}",
                      "INDEX_DIR": str(root / "index"), "BUILD_INDEX_ON_START": False,
                      "LOAD_SAMPLE": True})
    add_account(app, "ban-quan-ly@example.vn", "staff")
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.effective_port}"
    yield app
    server.close()


def test_the_five_pilot_parks(browser, demo) -> None:
    assert len(PILOTS) == 5
    context = browser.new_context(base_url=demo.config["BASE_URL"], locale="vi-VN",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)  # the first view loads the model for the exchange
    shots = Shots(page, "park_view")
    login(page, "ban-quan-ly@example.vn", PASSWORD)
    page.click("header a[href='/staff/parks']")
    for park in PILOTS:
        assert page.locator(f"#parks a:text-is('{park}')").count() == 1
    for park in PILOTS:
        page.goto("/staff/parks/" + park)
        charts = page.locator("figure.chart svg")
        assert charts.count() >= 4, park
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 10, (park, i)
        assert page.locator("#chart-sectors rect").count() >= 2, park
        firms = int(page.locator(".cards .card strong").first.inner_text())
        assert firms > 0
        shots(park.replace(" ", "-"))
        with page.expect_download() as download:
            page.click("a:has-text('Tải CSV')")
        path = download.value.path()
        name, figures = read_park_rows(path.read_text(encoding="utf-8-sig"))
        assert name == park and figures["park"]["firms"] == firms
        assert figures["exchange"]["offer"] + figures["exchange"]["need"] >= 10, park
    page.goto("/staff/parks/" + PILOTS[0] + "?print=1")
    assert not page.locator("header").is_visible()
    assert page.locator("figure.chart svg").count() >= 4
    shots("print")
    context.close()
