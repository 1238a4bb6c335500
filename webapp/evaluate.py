"""Evaluation of a labelled set the way staff and buyers meet it: import, then the search API.

The hand-written set (``corpora/handwritten/``: a staff export of supplier
profiles as written, buyer queries and graded judgements) is measured end to
end: a fresh app on a throwaway SQLite database imports the file through
``import-profiles`` (the same command staff run), builds its index, and every
query is sent to ``/api/v1/search``; nDCG@10 is computed from the ids the API
returns. BM25-only and dense-only are measured in the same run on the same
index (:func:`recommender.domain_eval.evaluate_domain`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import Flask

from recommender.domain_eval import LANGS, evaluate_domain, load_labelled
from recommender.evaluation import score_run

API_DEPTH = 50
"""Results read from the API per query (its largest page)."""


def evaluate_files(suppliers: str | Path, queries: str | Path, qrels: str | Path, *,
                   create_app: Callable[[dict], Flask], today: date | None = None) -> dict:
    """``{"import": summary, "results": {variant: {group: metrics}}}`` for a labelled file set.

    ``create_app`` makes the fresh app the set is measured on (``webapp.create_app``;
    a running app finds it as ``app.extensions["ketnoi_factory"]``).

    Raises:
        RuntimeError: the file did not import (its row errors are in the message).
    """
    from .catalog import get_catalog

    with tempfile.TemporaryDirectory(prefix="ketnoi-eval-") as tmp:
        app = create_app({
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'eval.sqlite3'}",
            "INDEX_DIR": str(Path(tmp) / "index"), "LOAD_SAMPLE": False,
            "LOAD_POLICIES": False, "BUILD_INDEX_ON_START": False, "RATELIMIT_ENABLED": False,
        })
        # inside this app's context: a command run from another app's command (``flask
        # evaluate``) would otherwise write to the outer app's database
        with app.app_context():
            result = app.test_cli_runner().invoke(
                args=["import-profiles", "--quiet", str(suppliers)])
        if result.exit_code != 0:
            raise RuntimeError(f"{suppliers} did not import:\n{result.output}")
        summary = next(line for line in result.output.splitlines() if " rows: " in line)
        labelled, judged = load_labelled(queries, qrels)
        with app.app_context():
            catalog = get_catalog()
            catalog.load_or_build()
            ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
            results = evaluate_domain(catalog.recommender, labelled, judged, ids, today=today,
                                      variants=("bm25", "dense"))
        client = app.test_client()
        assert ids, "the evaluation database is empty"
        runs: dict[str, dict[str, float]] = {}
        for q in labelled:
            response = client.get("/api/v1/search", query_string={
                "q": q.text, "per_page": API_DEPTH})
            if response.status_code != 200:
                raise RuntimeError(f"{q.query_id}: the search API answered "
                                   f"{response.status_code}: {response.get_data(as_text=True)}")
            items = response.get_json()["items"]
            runs[q.query_id] = {item["external_id"]: float(API_DEPTH - i)
                                for i, item in enumerate(items)}
        groups = {"all": [q.query_id for q in labelled]}
        for lang in LANGS:
            groups[lang] = [q.query_id for q in labelled if q.lang == lang]
        api = {group: {**score_run({i: dict(judged[i]) for i in qids},
                                   {i: runs[i] for i in qids}), "queries": len(qids)}
               for group, qids in groups.items() if qids}
    return {"import": summary, "profiles": len(ids), "queries": len(labelled),
            "results": {"api": api, **results}}
