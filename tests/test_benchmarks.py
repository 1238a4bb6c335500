"""The quality bar on the shared Vietnamese benchmarks (slow: real model, full sets).

Figures to beat are the best rows of the 2026 study the sets come from
(``../shared/benchmarks/README.md``): nDCG@10 97.40 on ALQAC and 85.23 on
ViRHE4QA_v2, with one fixed default configuration.
"""

from __future__ import annotations

import pytest

from recommender.evaluation import evaluate_beir

from .conftest import SHARED_BENCHMARKS

BAR = {"ALQAC": 97.40, "ViRHE4QA_v2": 85.23}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BAR))
def test_default_hybrid_beats_the_published_best_row(name, encoder, config) -> None:
    folder = SHARED_BENCHMARKS / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is not available (../shared/benchmarks beside the repo)")
    result = evaluate_beir(folder, "hybrid", encoder=encoder, config=config)
    print(result)
    assert result["nDCG@10"] >= BAR[name], result


@pytest.mark.slow
def test_live_update_benchmark_runs_and_every_change_becomes_visible(
        tmp_path, config, monkeypatch, capsys) -> None:
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    import bench_live

    out = tmp_path / "live.json"
    assert bench_live.main(["--profiles", "40", "--edits", "3", "--deletes", "1", "--poll",
                            "0.1", "--workdir", str(tmp_path), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "visible in another process (change log)" in printed
    import json

    rows = {r["what"]: r for r in json.loads(out.read_text())["rows"]}
    assert rows["visible in another process (change log)"]["n"] == 3
    sys.modules.pop("bench_live", None)


def test_rebuild_benchmark_smoke_run(tmp_path, config, encoder) -> None:
    """bench_rebuild.py on 20 profiles: one cold and one warm rebuild, each in its own process."""
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import bench_rebuild
    finally:
        sys.path.remove(str(root / "benchmarks"))
    out = tmp_path / "rebuild.json"
    assert encoder.dim  # the model is materialised in the session cache the runs link to
    assert bench_rebuild.main(["--sizes", "20", "--workdir", str(tmp_path / "work"),
                               "--model-cache", str(config.cache_dir), "--json", str(out),
                               "--timeout", "600"]) == 0
    rows = {r["mode"]: r for r in json.loads(out.read_text())["rows"]}
    assert set(rows) == {"cold", "warm"}
    cold, warm = rows["cold"], rows["warm"]
    assert cold["cached_before"] == 0 and warm["cached_before"] >= 20  # the cold run filled it
    for row in (cold, warm):
        assert row["profiles"] == 20 and row["promoted"] and row["faiss"] == "flat"
        assert row["windows"] >= 20 and row["version_bytes"] > 0
        assert row["peak_rss_mib"] >= row["peak_rss_after_model_mib"] > 100
    sys.modules.pop("bench_rebuild", None)


@pytest.mark.slow
def test_http_benchmark_runs_old_and_new_against_the_production_server(
        tmp_path, config, monkeypatch, capsys) -> None:
    """A smoke run (not timed): a few hundred profiles, gunicorn, a few requests per phase,
    the old path and the new one in turn on the same index."""
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    monkeypatch.setenv("KETNOI_ENCODER_BACKEND", "torch")  # 'new' must unset it
    import bench_http

    out = tmp_path / "http.json"
    code = bench_http.main(["--profiles", "150", "--clients", "3", "--requests", "12",
                            "--warmup", "3", "--seq-requests", "3", "--rates", "2,4",
                            "--step-s", "2", "--drain-s", "5", "--all-steps", "--idle-s", "0.5",
                            "--settle-s", "0.2", "--page-share", "0.5", "--workers", "1",
                            "--threads", "2", "--workdir", str(tmp_path),
                            "--ready-timeout", "600", "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    figures = json.loads(out.read_text())
    old, new = figures["configs"]["old"], figures["configs"]["new"]
    assert old["set"]["KETNOI_ENCODER_BACKEND"] == "torch" and old["backends"] == ["torch"]
    assert old["set"]["KETNOI_SEARCH_LOG_INTERVAL_S"] == "0"
    assert new["set"] == {} and "KETNOI_ENCODER_BACKEND" in new["unset"]
    assert old["index_version"] == new["index_version"]  # the same index, built once
    for fig in (old, new):
        closed = fig["phases"]["closed"]
        assert closed["requests_done"] == 12 and closed["statuses"] == {"200": 12}
        assert closed["api"]["n"] + closed["page"]["n"] == 12 and closed["page"]["n"] > 0
        assert closed["empty_api_results"] == 0
        assert 0 < closed["all"]["p50_ms"] <= closed["all"]["p95_ms"] <= closed["all"]["max_ms"]
        assert closed["server_cpu_ms_per_request"] > 0
        api, page = fig["phases"]["sequential_api"], fig["phases"]["sequential_page"]
        assert api["api"]["n"] == 3 and api["page"]["n"] == 0
        assert page["page"]["n"] == 3 and page["api"]["n"] == 0
        steps = fig["open_loop"]["steps"]
        assert [s["rate_per_s"] for s in steps] == [2.0, 4.0]
        assert all(s["requests_done"] + s["dropped"] == s["scheduled"] > 0 for s in steps)
        assert fig["rss_mb_after"] and fig["failures"] == 0
        assert "gunicorn -c python:webapp.gunicorn_conf" in fig["command"]
    rows = {r["key"]: r for r in figures["comparison"]}
    assert set(rows["closed_p95_ms"]["values"]) == {"old", "new"}
    assert rows["seq_api_cpu_ms"]["bar"] == "≤ 12"
    assert "new/old" in printed and "open loop" in printed and "one client, API" in printed
    sys.modules.pop("bench_http", None)
    sys.modules.pop("bench_live", None)


@pytest.mark.slow
def test_retrieval_benchmark_compares_the_backends(tmp_path, config, encoder, capsys) -> None:
    """Section 4 of bench_retrieval.py on a few documents: torch against the default backend,
    each with its own embedding cache."""
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import bench_retrieval
    finally:
        sys.path.remove(str(root / "benchmarks"))
    assert encoder.dim  # the model is materialised in the session cache
    out = tmp_path / "retrieval.json"
    assert bench_retrieval.main([
        "--profiles", "30", "--queries", "3", "--warmup", "1", "--stage-queries", "2",
        "--ann-vectors", "0", "--cache-dir", str(config.cache_dir), "--compare-limit", "20",
        "--compare-sets", "collection,buyer", "--backend-cache-dir", str(tmp_path / "bc"),
        "--json", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    section = json.loads(out.read_text())["backends"]
    assert section["reference"] == "torch"
    assert section["backends"]["torch"]["runtime"] == "torch"
    assert (tmp_path / "bc" / "torch" / "embeddings.sqlite").is_file()
    runtime = section["backends"]["auto"]["runtime"]
    assert (tmp_path / "bc" / runtime / "embeddings.sqlite").is_file()
    for b in section["backends"].values():
        assert b["passages_encoded"] >= 40 and b["query_cpu_ms_per_query"] > 0
    collection, buyer = section["sets"]["collection"], section["sets"]["buyer"]
    assert collection["docs"] == 20 and "metrics" not in collection
    assert set(buyer["agreement"]) == {"auto own", "auto served"}
    for a in buyer["agreement"].values():
        assert a["queries"] == 266 and 0.0 <= a["mean_overlap_at_10"] <= 1.0
    assert set(buyer["metrics"]) == {"torch", "auto own", "auto served"}
    assert "4. Encoder backends" in printed and "SMOKE RUN" in printed
    sys.modules.pop("bench_retrieval", None)
