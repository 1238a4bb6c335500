"""The thin web app: search page and JSON API over a small corpus, real model."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_api_search_without_diacritics(client) -> None:
    res = client.get("/api/v1/search", query_string={"q": "bo day dien o to", "k": 3})
    assert res.status_code == 200
    body = res.get_json()
    assert body["_meta"]["count"] == 3
    top = body["items"][0]
    assert top["external_id"] == "SUP-00006"
    assert "day" in top["matched_terms"] and "dien" in top["matched_terms"]


@pytest.mark.parametrize(
    ("params", "status"),
    [({"q": ""}, 400), ({"q": "x" * 3000}, 400), ({"q": "nhựa", "k": "abc"}, 400),
     ({"q": "nhựa", "k": 0}, 400)],
)
def test_api_errors_share_one_shape(client, params, status) -> None:
    res = client.get("/api/v1/search", query_string=params)
    assert res.status_code == status
    body = res.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["message"]


def test_unknown_api_route_is_json(client) -> None:
    res = client.get("/api/v1/nope")
    assert res.status_code == 404 and res.get_json()["error"]["status"] == 404


def test_search_page_shows_results_and_escapes_input(client) -> None:
    res = client.get("/", query_string={"q": "ép nhựa <script>alert(1)</script>"})
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "SUP-00002" in html


def test_search_page_messages_are_vietnamese(client) -> None:
    html = client.get("/", query_string={"q": "   "}).get_data(as_text=True)
    assert "Vui lòng nhập nội dung tìm kiếm." in html
    # the same reasons as the API's, in the page's language
    html = client.get("/", query_string={"q": "x" * 3000}).get_data(as_text=True)
    assert "Nội dung tìm kiếm quá dài (tối đa" in html
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "Không tìm thấy trang" in html
    html = client.get("/", query_string={"q": "x" * 3000, "lang": "en"}).get_data(as_text=True)
    assert "too long" in html and "Nội dung tìm kiếm" not in html
    client.get("/", query_string={"lang": "vi"})  # the choice is remembered: put it back


def test_index_is_saved_and_reloaded(app, tmp_path: Path) -> None:
    index_dir = Path(app.config["INDEX_DIR"])
    served = app.extensions["ketnoi_catalog"].store.current().path
    assert served.parent == index_dir / "versions"
    assert (served / "vectors" / "manifest.json").is_file()
    from recommender.serving.catalog import Catalog

    saved = (served / "windows.json").stat().st_mtime_ns
    again = Catalog(app.extensions["ketnoi_db"].sessions, str(index_dir))
    again.load_or_build()
    assert len(again.profiles) == 12 and again.ready
    assert again.index_version.path == served
    assert (served / "windows.json").stat().st_mtime_ns == saved  # loaded, not rebuilt
    assert sorted(p.external_id for p in again.profiles.values())[0] == "SUP-00001"


def test_build_index_cli(app) -> None:
    result = app.test_cli_runner().invoke(args=["build-index"])
    assert result.exit_code == 0 and "indexed 12 profiles" in result.output


def test_healthz_reports_the_served_index(app, client) -> None:
    body = client.get("/healthz").get_json()
    catalog = app.extensions["ketnoi_catalog"]
    assert body["status"] == "ok" and body["index_version"] == catalog.version
    assert body["profiles"] == len(catalog.profiles) > 0


def test_healthz_is_503_while_starting_or_failed(app, client, monkeypatch) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    monkeypatch.setattr(catalog, "error", "the index files are damaged")
    res = client.get("/healthz")
    assert res.status_code == 503 and res.get_json()["status"] == "error"
    assert "damaged" in res.get_json()["message"]
    monkeypatch.setattr(catalog, "error", None)
    monkeypatch.setattr(catalog, "index", None)
    res = client.get("/healthz")
    assert res.status_code == 503 and res.get_json()["status"] == "starting"
