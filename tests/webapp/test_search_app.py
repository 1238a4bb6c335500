"""The thin web app: search page and JSON API over a small corpus, real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp import create_app

# sector and main process of each supplier in tests/conftest.py's SUPPLIERS
FIELDS = {
    1: ("mechanical", "cnc_machining"), 2: ("rubber_plastics", "plastic_injection"),
    3: ("rubber_plastics", "plastic_bag_film"), 4: ("mechanical", "sheet_metal_stamping"),
    5: ("electronics", "pcb_assembly_smt"), 6: ("electronics", "wire_harness"),
    7: ("rubber_plastics", "rubber_molding"), 8: ("leather_footwear", "sole_molding"),
    9: ("packaging_printing", "offset_printing"), 10: ("packaging_printing", "carton_packaging"),
    11: ("mechanical", "cnc_machining"), 12: ("mechanical", "mold_making"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    import os

    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    root = tmp_path_factory.mktemp("app")
    corpus = root / "suppliers.jsonl"
    with open(corpus, "w", encoding="utf-8") as fh:
        for i, text in suppliers.items():
            sector, process = FIELDS[i]
            fh.write(json.dumps({"external_id": f"SUP-{i:05d}", "name": f"Công ty mẫu {i}",
                                 "description": text, "sector": sector, "processes": [process],
                                 "location": {"park": "KCN Tân Tạo"},
                                 "certifications": [{"name": "ISO 9001"}]},
                                ensure_ascii=False) + "\n")
    # the sample corpus goes through the profile store, like the real one
    app = create_app({"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                      "DATABASE_URL": f"sqlite:///{root / 'ketnoi.sqlite3'}",
                      "INDEX_DIR": str(root / "index")})
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


@pytest.fixture()
def client(app):
    return app.test_client()


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
    assert "Vui lòng nhập nội dung cần tìm." in html
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "Không tìm thấy trang" in html


def test_index_is_saved_and_reloaded(app, tmp_path: Path) -> None:
    index_dir = Path(app.config["INDEX_DIR"])
    assert (index_dir / "vectors" / "manifest.json").is_file()
    from webapp.catalog import Catalog

    saved = (index_dir / "windows.json").stat().st_mtime_ns
    again = Catalog(app.extensions["ketnoi_db"].sessions, str(index_dir))
    again.load_or_build()
    assert len(again.profiles) == 12 and again.ready
    assert (index_dir / "windows.json").stat().st_mtime_ns == saved  # loaded, not rebuilt
    assert sorted(p.external_id for p in again.profiles.values())[0] == "SUP-00001"


def test_build_index_cli(app) -> None:
    result = app.test_cli_runner().invoke(args=["build-index"])
    assert result.exit_code == 0 and "indexed 12 profiles" in result.output
