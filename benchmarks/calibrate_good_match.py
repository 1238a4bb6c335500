"""Calibrate the "no good match" threshold of buyer searches on the labelled queries.

The web app (``webapp/search.py``, :func:`good_match`) calls a search a *good
match* when one of its first 10 results meets every requirement stated in the
query and has a dense cosine similarity of at least a threshold (the cosine is
an absolute score; the fused score is a per-query z-score and says nothing
across queries). This script picks that threshold. Every labelled query is run
twice over the 3,000 sample profiles:

* **as is**: truly a good match when a grade-2 supplier (runs the process,
  meets every labelled requirement) is among the first 10;
* **gap**: with every grade-1 and grade-2 supplier filtered out (``allowed_ids``),
  so no supplier runs the needed process: never a good match.

The threshold that maximises balanced accuracy over both runs is printed with
the accuracy of each candidate, as one JSON object (``--json OUT`` also writes
it). Usage::

    nice -n 10 python benchmarks/calibrate_good_match.py --json /tmp/good_match.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommender.config import RetrievalConfig  # noqa: E402
from recommender.domain_eval import load_labelled  # noqa: E402
from recommender.embed.encoder import load_encoder  # noqa: E402
from recommender.rank import CertificateFact, ProfileFacts  # noqa: E402
from recommender.recommend import SupplierRecommender  # noqa: E402
from recommender.search import HybridIndex  # noqa: E402

LABEL_DAY = date(2026, 11, 1)
"""The day the labels check certificate validity on (corpora/README.md)."""


def _facts(row: dict) -> ProfileFacts:
    certs = tuple(CertificateFact(c["name"], date.fromisoformat(c["valid_until"])
                                  if c.get("valid_until") else None)
                  for c in row.get("certifications") or [])
    return ProfileFacts(certifications=certs, park=(row.get("location") or {}).get("park"),
                        ownership=row.get("ownership"), employees=row.get("employees"))


SIGNALS = ("dense", "lexical", "fused", "dense_margin")
"""Candidate text signals, each the best value among the first 10 results that meet
every stated requirement: dense cosine, BM25, fused z-score, and dense cosine minus
the median dense cosine of the 100 ranked candidates."""


def _signals(rec: SupplierRecommender, text: str, allowed, qvec) -> tuple[dict, list[int]]:
    found = rec.recommend(text, 100, allowed_ids=allowed, today=LABEL_DAY, query_vector=qvec,
                          explain=False)
    pool = [r.dense for r in found.items if r.dense is not None]
    median = float(np.median(pool)) if pool else 0.0
    met = [r for r in found.items[:10] if all(c.status == "met" for c in r.checks)]
    out: dict = {name: -1e9 for name in SIGNALS}
    out["pairs"] = [(r.dense, r.lexical or 0.0) for r in met if r.dense is not None]
    out["pair"] = 0 if out["pairs"] else -1
    for r in met:
        values = {"dense": r.dense, "lexical": r.lexical, "fused": r.text_score,
                  "dense_margin": None if r.dense is None else r.dense - median}
        for name, value in values.items():
            if value is not None:
                out[name] = max(out[name], value)
    return out, [r.doc_id for r in found.items[:10]]


def _sweep(values: np.ndarray, good: np.ndarray) -> list[dict]:
    """Balanced accuracy at every distinct value as threshold (good when >= it)."""
    rows = []
    for threshold in np.unique(np.round(values[values > -1e8], 3)):
        said = values >= threshold
        tpr = float((said & good).sum() / max(good.sum(), 1))
        tnr = float((~said & ~good).sum() / max((~good).sum(), 1))
        rows.append({"threshold": float(threshold), "good_recall": round(tpr, 3),
                     "gap_recall": round(tnr, 3), "balanced": round((tpr + tnr) / 2, 3)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args()
    rows = [json.loads(line) for line in open(ROOT / "corpora" / "sample_suppliers.jsonl",
                                               encoding="utf-8") if line.strip()]
    ids = list(range(1, len(rows) + 1))
    ext = {i: r["external_id"] for i, r in zip(ids, rows, strict=True)}
    by_ext = {v: k for k, v in ext.items()}
    config = RetrievalConfig.from_env()
    encoder = load_encoder(config)
    started = time.perf_counter()
    texts = [f"{r['name']}. {r['description']}" for r in rows]  # CatalogProfile.search_text
    index = HybridIndex.build(encoder, ids, texts, config, show_progress=False)
    build_s = time.perf_counter() - started
    rec = SupplierRecommender(index, {i: _facts(r) for i, r in zip(ids, rows, strict=True)},
                              dict(zip(ids, texts, strict=True)))
    queries, qrels = load_labelled(ROOT / "corpora" / "buyer_queries.jsonl",
                                   ROOT / "corpora" / "buyer_qrels.tsv")
    qvecs = encoder.encode_queries([index.dense_query(q.text) for q in queries])
    samples = []  # (signals, truly good?)
    for q, qvec in zip(queries, qvecs, strict=True):
        judged = qrels[q.query_id]
        signals, shown = _signals(rec, q.text, None, qvec)
        samples.append((signals, any(judged.get(ext[d], 0) == 2 for d in shown)))
        relevant = {by_ext[e] for e, g in judged.items() if g >= 1 and e in by_ext}
        signals, _ = _signals(rec, q.text, [i for i in ids if i not in relevant], qvec)
        samples.append((signals, False))
    good = np.array([s[1] for s in samples])
    out = {"queries": len(queries), "samples": len(samples), "good": int(good.sum()),
           "not_good": int((~good).sum()), "build_s": round(build_s, 1), "signals": {}}
    for name in SIGNALS:
        values = np.array([s[0][name] for s in samples], dtype=float)
        table = _sweep(values, good)
        out["signals"][name] = {"best": max(table, key=lambda r: r["balanced"]),
                                "table": table[::max(1, len(table) // 40)]}
    # the rule the app uses: dense AND lexical above their thresholds (same result)
    best_pair = None
    for min_dense in np.arange(0.83, 0.885, 0.005):
        for min_lex in np.arange(0.0, 30.0, 1.0):
            said = np.array([s[0]["pair"] >= 0 and any(
                d >= min_dense and x >= min_lex for d, x in s[0]["pairs"]) for s in samples])
            tpr = float((said & good).sum() / max(good.sum(), 1))
            tnr = float((~said & ~good).sum() / max((~good).sum(), 1))
            row = {"min_dense": round(float(min_dense), 3), "min_lexical": float(min_lex),
                   "good_recall": round(tpr, 3), "gap_recall": round(tnr, 3),
                   "balanced": round((tpr + tnr) / 2, 3)}
            if best_pair is None or row["balanced"] > best_pair["balanced"]:
                best_pair = row
    out["dense_and_lexical"] = best_pair
    text = json.dumps(out, ensure_ascii=False, indent=1)
    print(json.dumps({**{k: v["best"] for k, v in out["signals"].items()},
                      "dense_and_lexical": best_pair}, indent=1))
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
