"""Retrieval evaluation on BEIR-layout folders, with ranx metrics.

A BEIR folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``),
``queries.jsonl`` (``_id``, ``text``) and ``qrels/test.tsv`` (``query-id``,
``corpus-id``, ``score`` with a header row). :func:`evaluate_beir` indexes the
corpus with the production :class:`~recommender.search.HybridIndex`, runs
every judged query and reports P@1, R@10, MRR@10, nDCG@10 and R@20 in percent.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from .config import RetrievalConfig
from .embed.encoder import Encoder
from .search import HybridIndex, passage_text

log = logging.getLogger(__name__)

METRICS = {"P@1": "precision@1", "R@10": "recall@10", "MRR@10": "mrr@10",
           "nDCG@10": "ndcg@10", "R@20": "recall@20"}


class BeirFormatError(ValueError):
    """A BEIR folder is missing a file or has a malformed line."""


@dataclass
class BeirSet:
    """A loaded BEIR folder."""

    name: str
    doc_ids: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise BeirFormatError(f"missing file: {path}")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise BeirFormatError(f"{path}:{n}: not JSON ({exc})") from exc
            missing = [f for f in required if not isinstance(row.get(f), str)]
            if missing:
                raise BeirFormatError(f"{path}:{n}: missing string field(s) {missing}")
            rows.append(row)
    return rows


def load_beir(directory: str | Path, split: str = "test") -> BeirSet:
    """Read a BEIR folder; only queries with judgements are kept."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BeirFormatError(f"not a directory: {directory}")
    corpus = _read_jsonl(directory / "corpus.jsonl", ("_id", "text"))
    queries = _read_jsonl(directory / "queries.jsonl", ("_id", "text"))
    qrels_path = directory / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise BeirFormatError(f"missing file: {qrels_path}")
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and parts[0] == "query-id":
                continue
            if len(parts) != 3:
                raise BeirFormatError(f"{qrels_path}:{n}: expected 3 tab-separated fields")
            try:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
            except ValueError as exc:
                raise BeirFormatError(f"{qrels_path}:{n}: score is not an integer") from exc
    judged = [q for q in queries if q["_id"] in qrels]
    if not judged:
        raise BeirFormatError(f"{directory}: no query has judgements in {qrels_path.name}")
    return BeirSet(
        name=directory.name,
        doc_ids=[d["_id"] for d in corpus],
        doc_texts=[passage_text(d.get("title"), d["text"]) for d in corpus],
        query_ids=[q["_id"] for q in judged],
        query_texts=[q["text"] for q in judged],
        qrels=qrels,
    )


def score_run(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict:
    """The five metrics in percent, rounded to 2 decimals (ranx)."""
    from ranx import Qrels, Run, evaluate

    run = {q: (r if r else {"__none__": 0.0}) for q, r in run.items()}
    with warnings.catch_warnings():
        # ranx's numba kernels warn about an int cast that cannot overflow here.
        warnings.simplefilter("ignore")
        scores = evaluate(Qrels(qrels), Run(run), list(METRICS.values()))
    return {name: round(100 * float(scores[key]), 2) for name, key in METRICS.items()}


def write_trec(run: dict[str, dict[str, float]], path: str | Path, tag: str) -> None:
    """Write a standard TREC run file (``qid Q0 docid rank score tag``)."""
    with open(path, "w", encoding="utf-8") as fh:
        for qid, docs in run.items():
            ranked = sorted(docs.items(), key=lambda kv: -kv[1])
            for rank, (doc, score) in enumerate(ranked, 1):
                fh.write(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}\n")


def evaluate_beir(
    directory: str | Path,
    method: str,
    encoder: Encoder | None = None,
    config: RetrievalConfig | None = None,
    k: int = 100,
    run_out: str | Path | None = None,
) -> dict:
    """Index a BEIR corpus, run its queries, and return the metrics."""
    from .embed.encoder import load_encoder

    config = config or RetrievalConfig.from_env()
    data = load_beir(directory)
    if method != "bm25" and encoder is None:
        encoder = load_encoder(config)
    started = time.perf_counter()
    index = lexical = None
    if method == "bm25":
        from .index.lexical import LexicalIndex

        lexical = LexicalIndex()
        lexical.upsert(range(len(data.doc_ids)), data.doc_texts)
    else:
        index = HybridIndex.build(encoder, range(len(data.doc_ids)), data.doc_texts, config)
    built = time.perf_counter() - started
    qvecs = None
    if index is not None:
        qvecs = encoder.encode_queries([index.dense_query(t) for t in data.query_texts])
    run: dict[str, dict[str, float]] = {}
    for i, (qid, text) in enumerate(zip(data.query_ids, data.query_texts, strict=True)):
        if index is None:
            ids, scores = lexical.search(text, k)
            hits = list(zip(ids.tolist(), scores.tolist(), strict=True))
        else:
            found = index.search(text, k, method=method, query_vector=qvecs[i])
            hits = [(h.doc_id, h.score) for h in found]
        run[qid] = {data.doc_ids[d]: float(s) for d, s in hits}
    elapsed = time.perf_counter() - started
    metrics = score_run({q: data.qrels[q] for q in data.query_ids}, run)
    if run_out:
        write_trec(run, run_out, f"ketnoi-{method}")
    return {
        "dataset": data.name, "method": method, "model": encoder.model_id if encoder else None,
        "queries": len(data.query_ids), "docs": len(data.doc_ids), **metrics,
        "index_s": round(built, 1), "total_s": round(elapsed, 1),
    }

