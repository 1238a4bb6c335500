"""`flask search` and `flask evaluate` over the small supplier set."""

from __future__ import annotations

import json
from pathlib import Path


def test_search_command_table_and_json(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "bó dây điện ô tô IATF 16949", "--k", "3"])
    assert result.exit_code == 0, result.output
    ranked = [line for line in result.output.splitlines() if line.lstrip()[:2] in ("1.", "2.")]
    assert "SUP-00006" in ranked[0]
    result = runner.invoke(args=["search", "ep nhua vo thiet bi dien", "--json"])
    body = json.loads(result.output)
    assert body["results"][0]["external_id"] == "SUP-00002"
    assert {"external_id", "score", "matched_terms", "requirements"} <= set(body["results"][0])
    assert len(body["results"]) == 10


def test_search_command_rejects_bad_queries(app) -> None:
    result = app.test_cli_runner().invoke(args=["search", "   "])
    assert result.exit_code == 2 and "empty" in result.output


def test_evaluate_command(app, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"query_id": "a", "text": "bó dây điện ô tô", "lang": "vi"}\n'
        '{"query_id": "b", "text": "de giay cao su", "lang": "vi_nodiac"}\n'
        '{"query_id": "c", "text": "corrugated carton boxes", "lang": "en"}\n',
        encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query_id\texternal_id\tgrade\na\tSUP-00006\t2\nb\tSUP-00008\t2\n"
                     "c\tSUP-00010\t2\n")
    runner = app.test_cli_runner()
    args = ["evaluate", "--queries", str(queries), "--qrels", str(qrels)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "hybrid" in result.output and "bm25" in result.output and "vi_nodiac" in result.output
    result = runner.invoke(args=[*args, "--json", "--save"])
    record = json.loads(result.output)
    assert record["results"]["hybrid"]["vi"]["nDCG@10"] == 100.0
    saved = Path(app.instance_path) / "evaluations.jsonl"
    assert json.loads(saved.read_text().splitlines()[-1])["index_version"] == record[
        "index_version"]
    bad = runner.invoke(args=[*args, "--as-of", "yesterday"])
    assert bad.exit_code == 2
