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
def test_http_benchmark_runs_against_the_production_server(tmp_path, config, monkeypatch,
                                                           capsys) -> None:
    """A smoke run (not timed): a few hundred profiles, gunicorn, a few requests."""
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    import bench_http

    out = tmp_path / "http.json"
    code = bench_http.main(["--profiles", "150", "--clients", "3", "--requests", "12",
                            "--warmup", "3", "--page-share", "0.5", "--workers", "1",
                            "--threads", "2", "--workdir", str(tmp_path),
                            "--ready-timeout", "600", "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    figures = json.loads(out.read_text())
    assert figures["requests_done"] == 12 and figures["statuses"] == {"200": 12}
    assert figures["api"]["n"] + figures["page"]["n"] == 12 and figures["page"]["n"] > 0
    assert figures["empty_api_results"] == 0
    assert 0 < figures["all"]["p50_ms"] <= figures["all"]["p95_ms"] <= figures["all"]["max_ms"]
    assert "gunicorn -c python:webapp.gunicorn_conf" in figures["command"]
    assert "requests/s" in printed and "p95 ms" in printed
    sys.modules.pop("bench_http", None)
    sys.modules.pop("bench_live", None)
