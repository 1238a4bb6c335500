"""eval-beir on a small BEIR folder written by the test, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.cli import main
from recommender.evaluation import BeirFormatError, load_beir, score_run

DOCS = {
    "d1": "Gia công CNC chính xác các chi tiết nhôm cho ngành điện tử.",
    "d2": "Ép phun nhựa kỹ thuật, sản xuất vỏ nhựa cho thiết bị điện gia dụng.",
    "d3": "Sản xuất túi nilon, màng co và bao bì nhựa mềm.",
    "d4": "Lắp ráp bo mạch SMT và kiểm tra quang học tự động AOI.",
    "d5": "Bó dây điện cho ô tô và xe máy theo tiêu chuẩn IATF 16949.",
}
QUERIES = {
    "q1": ("nhà cung cấp gia công CNC nhôm", "d1"),
    "q2": ("can xuong ep nhua vo thiet bi dien", "d2"),
    "q3": ("túi nilon màng co", "d3"),
    "q4": ("SMT board assembly with AOI", "d4"),
    "q5": ("bó dây điện ô tô IATF", "d5"),
}


@pytest.fixture()
def beir(tmp_path: Path) -> Path:
    (tmp_path / "qrels").mkdir()
    with open(tmp_path / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for i, t in DOCS.items():
            fh.write(json.dumps({"_id": i, "title": "", "text": t}, ensure_ascii=False) + "\n")
    with open(tmp_path / "queries.jsonl", "w", encoding="utf-8") as fh:
        for i, (t, _) in QUERIES.items():
            fh.write(json.dumps({"_id": i, "text": t}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"_id": "unjudged", "text": "không có nhãn"}) + "\n")
    with open(tmp_path / "qrels" / "test.tsv", "w") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for i, (_, d) in QUERIES.items():
            fh.write(f"{i}\t{d}\t1\n")
    return tmp_path


def test_metrics_of_a_perfect_and_a_wrong_run() -> None:
    qrels = {"a": {"x": 1}, "b": {"y": 1}}
    perfect = score_run(qrels, {"a": {"x": 1.0, "z": 0.5}, "b": {"y": 1.0}})
    assert perfect == {"P@1": 100.0, "R@10": 100.0, "MRR@10": 100.0, "nDCG@10": 100.0,
                       "R@20": 100.0}
    half = score_run(qrels, {"a": {"z": 1.0, "x": 0.5}, "b": {}})
    assert half["P@1"] == 0.0 and half["MRR@10"] == 25.0 and half["R@10"] == 50.0


def test_load_beir_keeps_judged_queries(beir: Path) -> None:
    data = load_beir(beir)
    assert data.query_ids == list(QUERIES) and len(data.doc_ids) == 5


@pytest.mark.parametrize("method", ["bm25", "dense", "hybrid"])
def test_eval_beir_cli_prints_one_json_line(beir, method, config, monkeypatch, capsys,
                                            tmp_path) -> None:
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    run_file = tmp_path / "run.trec"
    assert main(["eval-beir", str(beir), "--method", method, "--run-out", str(run_file)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["method"] == method and result["queries"] == 5
    assert set(result) >= {"P@1", "R@10", "MRR@10", "nDCG@10", "R@20"}
    assert result["R@10"] == 100.0 or method == "bm25"
    assert result["nDCG@10"] >= 80.0
    rows = [line.split() for line in run_file.read_text().splitlines()]
    assert all(len(r) == 6 and r[1] == "Q0" for r in rows)
    assert [r[3] for r in rows if r[0] == "q1"][:2] == ["1", "2"]


def test_malformed_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(BeirFormatError, match="missing file"):
        load_beir(tmp_path)
    assert main(["eval-beir", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "text": "x"}\nnot json\n')
    (tmp_path / "queries.jsonl").write_text("")
    with pytest.raises(BeirFormatError, match="corpus.jsonl:2"):
        load_beir(tmp_path)


def test_materialise_model_command(config, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    assert main(["materialise-model"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verified"] is True and Path(out["path"]).is_dir()


def test_help_texts() -> None:
    for argv in (["--help"], ["eval-beir", "--help"], ["materialise-model", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
