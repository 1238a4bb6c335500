"""Evaluation on the labelled buyer queries (``corpora/buyer_queries.jsonl``).

Scores the default ranking beside plain baselines in one run, overall and per
language group (``vi``, ``vi_nodiac``, ``en``), with graded relevance
(2 = fully meets, 1 = partly):

- ``hybrid``: the default — hybrid retrieval with diacritic restoration and
  glossary expansion, re-ranked by the requirements stated in the query;
- ``bm25``: BM25 alone, no expansion, no requirement ranking;
- ``dense``: the encoder alone on the query as typed, no requirement ranking;
- ``bm25+``/``dense+``: each single retriever with the default's query
  processing and requirement ranking, to show what fusion itself adds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .evaluation import score_run
from .recommend import SupplierRecommender

LABELS_AS_OF = "2026-11-01"
"""The day the sample relevance labels were derived (certificate validity)."""
LANGS = ("vi", "vi_nodiac", "en")
VARIANTS = {
    "hybrid": {"method": "hybrid", "requirements": True, "config": {}},
    "bm25": {"method": "bm25", "requirements": False, "config": {"expansion_weight": 0.0}},
    "dense": {"method": "dense", "requirements": False,
              "config": {"restore_diacritics": False}},
    "bm25+": {"method": "bm25", "requirements": True, "config": {}},
    "dense+": {"method": "dense", "requirements": True, "config": {}},
}


@dataclass(frozen=True)
class LabelledQuery:
    """A buyer query with its language group."""

    query_id: str
    text: str
    lang: str


def load_queries(path: str | Path) -> list[LabelledQuery]:
    """Queries as JSON lines (``query_id``, ``text``, ``lang``), with or without labels."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                try:
                    items.append(LabelledQuery(row["query_id"], row["text"], row["lang"]))
                except KeyError as exc:
                    raise ValueError(f"{path}:{n}: missing field {exc}") from exc
    return items


def load_labelled(queries: str | Path, qrels: str | Path
                  ) -> tuple[list[LabelledQuery], dict[str, dict[str, int]]]:
    """Read the labelled queries (JSON lines) and graded judgements (TSV with header)."""
    items = load_queries(queries)
    judged: dict[str, dict[str, int]] = {}
    with open(qrels, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and not parts[-1].isdigit():
                continue
            if len(parts) != 3:
                raise ValueError(f"{qrels}:{n}: expected query_id, external_id, grade")
            judged.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return [q for q in items if q.query_id in judged], judged


def evaluate_domain(
    recommender: SupplierRecommender,
    queries: list[LabelledQuery],
    qrels: Mapping[str, Mapping[str, int]],
    external_ids: Mapping[int, str],
    *,
    variants: tuple[str, ...] = tuple(VARIANTS),
    today=None,
) -> dict[str, dict[str, dict[str, float]]]:
    """``{variant: {group: metrics}}`` with groups ``all`` and each language."""
    base = recommender.index
    results: dict[str, dict[str, dict[str, float]]] = {}
    vectors: dict[str, object] = {}
    for name in variants:
        spec = VARIANTS[name]
        index = base.with_config(replace(base.config, **spec["config"]))
        rec = SupplierRecommender(index, recommender.facts, recommender.texts,
                                  requirement_weight=recommender.requirement_weight)
        dense_texts = [index.dense_query(q.text) for q in queries]
        missing = [t for t in dict.fromkeys(dense_texts) if t not in vectors]
        if missing and spec["method"] != "bm25":
            vectors.update(zip(missing, index.encoder.encode_queries(missing), strict=True))
        runs: dict[str, dict[str, float]] = {}
        for q, dense_text in zip(queries, dense_texts, strict=True):
            found = rec.recommend(q.text, 100, method=spec["method"],
                                  use_requirements=spec["requirements"], today=today,
                                  query_vector=vectors.get(dense_text), explain=False)
            runs[q.query_id] = {external_ids[r.doc_id]: r.score for r in found.items}
        groups = {"all": [q.query_id for q in queries]}
        for lang in LANGS:
            groups[lang] = [q.query_id for q in queries if q.lang == lang]
        results[name] = {
            group: {**score_run({i: dict(qrels[i]) for i in ids}, {i: runs[i] for i in ids}),
                    "queries": len(ids)}
            for group, ids in groups.items() if ids
        }
    return results
