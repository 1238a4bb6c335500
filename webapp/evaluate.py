"""Evaluation of a labelled set the way staff and buyers meet it: import, then the search API.

The hand-written set (``corpora/handwritten/``: a staff export of supplier
profiles as written, buyer queries and graded judgements) is measured end to
end: a fresh app on a throwaway SQLite database imports the file through
``import-profiles`` (the same command staff run), builds its index, and every
query is sent to ``/api/v1/search``; nDCG@10 is computed from the ids the API
returns. BM25-only and dense-only are measured in the same run on the same
index (:func:`recommender.domain_eval.evaluate_domain`).

The served match decision is measured on the same set (:func:`decision_report`):
the no-good-match banner the API answers for the labelled queries and for the
designed gap queries (``gap_queries.jsonl``: capabilities no profile of the set
offers), the number of matches it reports, and its calibration.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
from flask import Flask

from recommender.domain_eval import (
    LANGS,
    LabelledQuery,
    evaluate_domain,
    load_labelled,
    load_queries,
)
from recommender.evaluation import score_run
from recommender.learn import held_apart
from recommender.matching import Examples, calibration, collect_examples

API_DEPTH = 50
"""Results read from the API per query (its largest page)."""


@contextmanager
def imported_app(suppliers: str | Path, *, create_app: Callable[[dict], Flask]
                 ) -> Iterator[tuple[Flask, str]]:
    """A fresh app on a throwaway database with ``suppliers`` imported through
    ``import-profiles`` and its index built; yields ``(app, import summary)`` inside the
    app's context.

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
        with app.app_context():
            get_catalog().load_or_build()
            yield app, summary


def _api_search(client, query: LabelledQuery) -> dict:
    response = client.get("/api/v1/search", query_string={"q": query.text,
                                                           "per_page": API_DEPTH})
    if response.status_code != 200:
        raise RuntimeError(f"{query.query_id}: the search API answered "
                           f"{response.status_code}: {response.get_data(as_text=True)}")
    return response.get_json()


def evaluate_files(suppliers: str | Path, queries: str | Path, qrels: str | Path, *,
                   create_app: Callable[[dict], Flask], today: date | None = None,
                   gap_queries: str | Path | None = None) -> dict:
    """``{"import": summary, "results": {variant: {group: metrics}}}`` for a labelled file set,
    with ``"decision"`` (:func:`decision_report`) when ``gap_queries`` are given.

    ``create_app`` makes the fresh app the set is measured on (``webapp.create_app``;
    a running app finds it as ``app.extensions["ketnoi_factory"]``).

    Raises:
        RuntimeError: the file did not import (its row errors are in the message).
    """
    from .catalog import get_catalog

    labelled, judged = load_labelled(queries, qrels)
    with imported_app(suppliers, create_app=create_app) as (app, summary):
        catalog = get_catalog()
        ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
        assert ids, "the evaluation database is empty"
        results = evaluate_domain(catalog.recommender, labelled, judged, ids, today=today,
                                  variants=("bm25", "dense"))
        client = app.test_client()
        answers = {q.query_id: _api_search(client, q) for q in labelled}
        runs = {qid: {item["external_id"]: float(API_DEPTH - i)
                      for i, item in enumerate(body["items"])}
                for qid, body in answers.items()}
        groups = {"all": [q.query_id for q in labelled]}
        for lang in LANGS:
            groups[lang] = [q.query_id for q in labelled if q.lang == lang]
        api = {group: {**score_run({i: dict(judged[i]) for i in qids},
                                   {i: runs[i] for i in qids}), "queries": len(qids)}
               for group, qids in groups.items() if qids}
        found = {"import": summary, "profiles": len(ids), "queries": len(labelled),
                 "results": {"api": api, **results}}
        if gap_queries is not None:
            gaps = load_queries(gap_queries)
            answers.update({q.query_id: _api_search(client, q) for q in gaps})
            found["decision"] = decision_report(catalog, labelled, judged, gaps, answers,
                                                today=today)
    return found


def _banner(said: dict[str, bool], truly: dict[str, bool]) -> dict:
    """Precision and recall of "no good match" (``said``) against true gaps."""
    right = sum(said[q] and truly[q] for q in said)
    told = sum(said.values())
    gaps = sum(truly[q] for q in said)
    return {"queries": len(said), "gaps": gaps, "said": told,
            "precision": round(right / told, 3) if told else None,
            "recall": round(right / gaps, 3) if gaps else None}


def decision_report(catalog, labelled: Sequence[LabelledQuery],
                    judged: dict[str, dict[str, int]], gaps: Sequence[LabelledQuery],
                    answers: dict[str, dict], *, today: date | None = None) -> dict:
    """How the served match decision does on a labelled set, from the API's answers.

    - ``banner``: the no-good-match banner on the labelled queries (a true gap when no
      supplier of the set is graded 2) and the designed gap queries (all true gaps):
      precision and recall over all of them and over the held-apart ones (the shipped
      decision is fitted on the others, :func:`recommender.learn.held_apart`);
    - ``matches``: the mean number of matches the API reported per labelled query beside
      the mean number of grade-2 suppliers, and the same for the gap queries (ideally 0);
    - ``calibration``: Brier score and reliability table of the first results of every
      query, as it is and with its relevant suppliers withheld (a gap), held-apart only.
    """
    present = {p.external_id for p in catalog.profiles.values()}
    truly = {q.query_id: not any(g >= 2 and e in present
                                 for e, g in judged.get(q.query_id, {}).items())
             for q in labelled}
    truly.update({q.query_id: True for q in gaps})
    said = {qid: not body["_meta"]["good_match"] for qid, body in answers.items()}
    held = {qid for qid in said if held_apart(qid)}
    ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
    examples = (collect_examples(catalog.recommender, labelled, judged, ids, today=today)
                + collect_examples(catalog.recommender, gaps, {}, ids, today=today,
                                   gaps=False))
    apart = examples.part(np.array([g in held for g in examples.group], dtype=bool))
    grade2 = [sum(g >= 2 for g in judged.get(q.query_id, {}).values()) for q in labelled]
    return {
        "banner": {"all": _banner(said, truly),
                   "held_apart": _banner({q: s for q, s in said.items() if q in held}, truly)},
        "matches": {
            "labelled_mean": round(sum(answers[q.query_id]["_meta"]["matches"]
                                       for q in labelled) / max(len(labelled), 1), 2),
            "grade2_mean": round(sum(grade2) / max(len(grade2), 1), 2),
            "gap_queries_mean": round(sum(answers[q.query_id]["_meta"]["matches"]
                                          for q in gaps) / max(len(gaps), 1), 2),
            "gap_queries_with_none": sum(answers[q.query_id]["_meta"]["matches"] == 0
                                         for q in gaps)},
        "calibration": calibration(catalog.match_model, apart),
    }


def handwritten_examples(suppliers: str | Path, queries: str | Path, qrels: str | Path,
                         gap_queries: str | Path, *, create_app: Callable[[dict], Flask],
                         today: date | None, weight: float) -> Examples:
    """Examples for fitting the match decision from a labelled file set imported as
    written (each query as it is and as a gap, and each designed gap query)."""
    from .catalog import get_catalog

    labelled, judged = load_labelled(queries, qrels)
    with imported_app(suppliers, create_app=create_app):
        catalog = get_catalog()
        ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
        return (collect_examples(catalog.recommender, labelled, judged, ids, today=today,
                                 weight=weight)
                + collect_examples(catalog.recommender, load_queries(gap_queries), {}, ids,
                                   today=today, gaps=False, weight=weight))
