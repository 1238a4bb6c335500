"""The resource exchange measured on a labelled set of offers and needs.

A set is a folder like ``corpora/exchange``: ``offers.csv`` and ``needs.csv`` (columns
``listing_id, firm, park, what, quantity, frequency, details`` and, for needs,
``licence``) and ``qrels.tsv`` (``need_id, offer_id, grade``: 2 an offer staff would
put forward for the need, 1 related, unlisted pairs 0). Every need is matched against
every offer by the served ranking and by its parts alone (BM25 only, dense only, the
hybrid engine without the resource taxonomy and the rules); the law applies to all.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..embed.encoder import Encoder
from ..evaluation import score_run
from .match import NEED, OFFER, ExchangeIndex, Listing, allowed

RUNS = (("served", "hybrid", True), ("hybrid, no rules", "hybrid", False),
        ("bm25 only", "bm25", False), ("dense only", "dense", False))


def read_listings(path: str | Path, kind: str, first_id: int = 1) -> list[Listing]:
    """Listings from a labelled set's CSV (``offers.csv`` or ``needs.csv``)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [Listing(first_id + n, kind, r["what"], r.get("details") or "",
                    r.get("quantity") or "", r.get("frequency") or "", r.get("park") or "",
                    r.get("licence") or "", r["listing_id"]) for n, r in enumerate(rows)]


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["need_id"], {})[row["offer_id"]] = int(row["grade"])
    return qrels


def precision_at(ranked: Sequence[str], judged: Mapping[str, int], k: int, grade: int
                 ) -> float:
    """Share of the first ``k`` that are of at least ``grade``."""
    return sum(judged.get(r, 0) >= grade for r in ranked[:k]) / k


def evaluate_exchange(encoder: Encoder, folder: str | Path) -> dict:
    """Offer→need precision@3 and nDCG@10 of each run in :data:`RUNS`.

    ``P@3`` counts offers of grade 2 among the first three, over the needs that have
    at least one; ``P@3 grade>=1`` also counts related offers; ``P@3 of possible``
    divides by min(3, the need's grade-2 offers), as a need with one good offer cannot
    fill three places. ``hazardous to unlicensed`` counts matches that
    would send hazardous waste to a firm without a licence (0 by construction).
    """
    folder = Path(folder)
    offers = read_listings(folder / "offers.csv", OFFER, 1)
    needs = read_listings(folder / "needs.csv", NEED, 10_001)
    qrels = read_qrels(folder / "qrels.tsv")
    index = ExchangeIndex.build(encoder, [*offers, *needs])
    by_id = {x.listing_id: x for x in offers}
    out: dict = {"offers": len(offers), "needs": len(needs), "runs": {}}
    for name, method, rules in RUNS:
        run: dict[str, dict[str, float]] = {}
        broken = 0
        for need in needs:
            found = index.matches(need, 10, method=method, rules=rules)
            broken += sum(not allowed(by_id[m.listing_id], need) for m in found)
            run[need.reference] = {by_id[m.listing_id].reference: float(len(found) - i)
                                   for i, m in enumerate(found)}
        judged = {q: j for q, j in qrels.items() if any(g >= 2 for g in j.values())}
        ranked = {q: sorted(run.get(q, {}), key=lambda r, q=q: -run[q][r]) for q in judged}
        p3 = [precision_at(ranked[q], judged[q], 3, 2) for q in judged]
        p3_any = [precision_at(ranked[q], qrels[q], 3, 1) for q in judged]
        possible = [precision_at(ranked[q], judged[q], 3, 2) * 3
                    / min(3, sum(g >= 2 for g in judged[q].values())) for q in judged]
        metrics = score_run({q: {d: g for d, g in j.items() if g >= 1} for q, j in qrels.items()},
                            {q: run.get(q, {}) for q in qrels})
        out["runs"][name] = {
            "P@3": round(float(np.mean(p3)), 3),
            "P@3 grade>=1": round(float(np.mean(p3_any)), 3),
            "P@3 of possible": round(float(np.mean(possible)), 3),
            "nDCG@10": metrics["nDCG@10"], "R@10": metrics["R@10"], "MRR@10": metrics["MRR@10"],
            "hazardous to unlicensed": broken, "needs judged": len(judged)}
    return out
