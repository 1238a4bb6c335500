"""`flask search` and `flask evaluate` over the small supplier set."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import make_app, write_corpus


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


def test_search_command_formats_certificate_dates(tmp_path: Path, config, suppliers,
                                                  monkeypatch) -> None:
    # dates are formatted in the user's language, and a CLI command has no request
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    corpus = tmp_path / "dated.jsonl"
    with open(write_corpus(tmp_path, suppliers), encoding="utf-8") as fh, \
            open(corpus, "w", encoding="utf-8") as out:
        for line in fh:
            record = json.loads(line)
            record["certifications"] = [{"name": "IATF 16949", "valid_until": "2031-12-31"}]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    app = make_app(tmp_path, suppliers, SAMPLE_CORPUS=str(corpus))
    assert app.extensions["ketnoi_catalog"].wait(300)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "bó dây điện ô tô IATF 16949", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "SUP-00006" in result.output
    for extra, shown in (([], "31/12/2031"), (["--lang", "vi"], "31/12/2031"),
                         (["--lang", "en"], "2031-12-31")):
        result = runner.invoke(args=["search", "bó dây điện ô tô", "--json", *extra])
        assert result.exit_code == 0, result.output
        certificate = json.loads(result.output)["results"][0]["certifications"][0]
        assert certificate["state"] == "valid" and certificate["until_text"] == shown


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
    assert "match decision not fitted: " in result.output and "too few" in result.output
    result = runner.invoke(args=[*args, "--json", "--save"])
    record = json.loads(result.output)
    assert record["results"]["hybrid"]["vi"]["nDCG@10"] == 100.0
    saved = Path(app.instance_path) / "evaluations.jsonl"
    assert json.loads(saved.read_text().splitlines()[-1])["index_version"] == record[
        "index_version"]
    bad = runner.invoke(args=[*args, "--as-of", "yesterday"])
    assert bad.exit_code == 2
