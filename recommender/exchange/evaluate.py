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
from .match import CANDIDATES, NEED, OFFER, ExchangeIndex, Listing, allowed
from .rerank import ExchangeRanker, Judged, candidate_features, cross_validated, fit_ranker

RUNS = (("served", "hybrid", True), ("hand-set weights", "hybrid", True),
        ("hybrid, no rules", "hybrid", False), ("bm25 only", "bm25", False),
        ("dense only", "dense", False))
"""Each run: its name, the engine's method, whether the rules order the matches. The
served run orders them by the learned ranker; "hand-set weights" by the rules' fixed
weights instead (what was served before the ranker)."""


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


def read_set(folder: str | Path) -> tuple[list[Listing], list[Listing],
                                          dict[str, dict[str, int]]]:
    """A labelled set's offers, needs and judgements."""
    folder = Path(folder)
    return (read_listings(folder / "offers.csv", OFFER, 1),
            read_listings(folder / "needs.csv", NEED, 10_001),
            read_qrels(folder / "qrels.tsv"))


def judge_candidates(encoder: Encoder, folder: str | Path) -> tuple[Judged, dict[str, int]]:
    """Every need's candidates in a labelled set (the engine's first
    :data:`~recommender.exchange.match.CANDIDATES` allowed offers) with their features
    and whether each is judged good (grade 2), and how many good offers each need has."""
    offers, needs, qrels = read_set(folder)
    index = ExchangeIndex.build(encoder, [*offers, *needs])
    by_id = {x.listing_id: x for x in offers}
    xs, ys, groups = [], [], []
    for need in needs:
        found = index.candidates(need, CANDIDATES)
        if not found:
            continue
        xs.append(candidate_features([c for _, c in found]))
        judged = qrels.get(need.reference, {})
        ys.extend(judged.get(by_id[m.listing_id].reference, 0) >= 2 for m, _ in found)
        groups.extend([need.reference] * len(found))
    good = {q: sum(g >= 2 for g in j.values()) for q, j in qrels.items()}
    return Judged(np.vstack(xs), np.asarray(ys, dtype=int), np.asarray(groups, dtype=object)
                  ), good


def evaluate_exchange(encoder: Encoder, folder: str | Path,
                      ranker: ExchangeRanker | None = None) -> dict:
    """Offer→need precision@3 and nDCG@10 of each run in :data:`RUNS`.

    ``P@3`` counts offers of grade 2 among the first three, over the needs that have
    at least one; ``P@3 grade>=1`` also counts related offers; ``P@3 of possible``
    divides by min(3, the need's grade-2 offers), as a need with one good offer cannot
    fill three places. ``hazardous to unlicensed`` counts matches that
    would send hazardous waste to a firm without a licence (0 by construction).
    ``ranker``: the learned order to measure (the shipped one by default).
    """
    offers, needs, qrels = read_set(folder)
    index = ExchangeIndex.build(encoder, [*offers, *needs])
    served = ranker or index.ranker
    by_id = {x.listing_id: x for x in offers}
    out: dict = {"offers": len(offers), "needs": len(needs), "runs": {},
                 "ranker": (served.fitted_on if served else None)}
    for name, method, rules in RUNS:
        if name == "hand-set weights" and served is None:
            continue  # the served run is the hand-set weights
        index.ranker = served if name == "served" else None
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


REGULARISATION = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def fit_on_sets(encoder: Encoder, folders: Sequence[str | Path]) -> ExchangeRanker:
    """The exchange ranker fitted on every judged need of labelled sets (each set matched
    within itself), its regularisation chosen by cross-validated precision@3 (then
    nDCG@10) over their needs: folds of needs, so no need is ranked by a ranker that saw
    its judgements."""
    from datetime import date

    parts = [judge_candidates(encoder, f) for f in folders]
    names = [Path(f).name for f in folders]
    judged = Judged(np.vstack([j.x for j, _ in parts]),
                    np.concatenate([j.y for j, _ in parts]),
                    np.concatenate([np.array([f"{n}/{g}" for g in j.group], dtype=object)
                                    for n, (j, _) in zip(names, parts)]))
    good = {f"{n}/{q}": c for n, (_, g) in zip(names, parts) for q, c in g.items()}
    cv = {c: cross_validated(judged, good, c=c) for c in REGULARISATION}
    best = max(REGULARISATION, key=lambda c: (round(cv[c][0], 3), round(cv[c][1], 2), -c))
    fitted_on = {"sets": names, "needs": len(set(judged.group.tolist())),
                 "candidates": int(len(judged.y)), "good": int(judged.y.sum()),
                 "model": encoder.model_id, "c": best,
                 "cross_validated": {str(c): {"P@3": round(v[0], 3), "nDCG@10": round(v[1], 2)}
                                     for c, v in cv.items()},
                 "date": date.today().isoformat()}
    return fit_ranker(judged, c=best, fitted_on=fitted_on)
