"""Whether a search result matches the buyer's need: a decision fitted on labels.

A result *matches* when the supplier does what the query asks for (its process
or product) and meets every requirement the query states: grade 2 in the
labelled sets. Ranking scores cannot say that by themselves: the fused score is
a per-query z-score, BM25 grows with the collection and the query's length, and
a fixed cosine threshold does not carry over from one query length or language
to another. The decision is therefore a logistic regression (scikit-learn) over
what is known of each result and its query (:data:`FEATURES`), fitted on
labelled queries; its probability is the confidence shown beside a result, a
result matches when it is at least :attr:`MatchModel.threshold`, and a search
is a supply gap when none of its results reaches :attr:`MatchModel.gap_threshold`
(chosen for the banner's precision).

Examples (:func:`collect_examples`) come from each labelled query twice: as it
is (its first results, labelled by their grade) and as a *gap* (the same query
with every supplier graded 1 or 2 filtered out, so nothing left can match),
which teaches the model what results look like when the capability is not on
offer. Queries are split by a seeded hash of their id into a fitting part and a
held-apart part; the model is fitted on the first and its calibration (Brier
score, reliability table) measured on the second (:func:`fit_match_model`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

from .language import query_language
from .learn import held_apart
from .rank import EXPIRED, MET, MISSING
from .recommend import Recommendation, SupplierRecommender
from .requirements import BuyerRequirements, parse_requirements

FEATURES = (
    "dense", "dense_gap", "lexical_log", "lexical_share", "text_gap", "rank_log",
    "capability", "capability_full", "asks_capability", "capability_missing",
    "pool_capability_full",
    "met_share", "unmet_share", "unknown_share", "requirements",
    "query_words_log", "lang_en", "lang_nodiac",
)
"""What the decision sees of a result (in this order):

- ``dense``: cosine of the query and the profile's best passage; ``dense_gap``: its
  distance below the best cosine among the results;
- ``lexical_log``: log(1 + BM25); ``lexical_share``: BM25 over the best BM25 among the
  results; ``text_gap``: the fused score below the best one; ``rank_log``: log(1 + rank);
- ``capability``: share of the processes and products the query names that the profile
  holds (a parent node or one named only in its description counts half);
  ``capability_full``: it holds all of them; ``asks_capability``: whether the query
  names any; ``capability_missing``: it names some and the profile holds none;
  ``pool_capability_full``: the share of the ranked results that hold all of them (few
  or none when the capability is not on offer);
- ``met_share``, ``unmet_share``, ``unknown_share`` of the stated requirements
  (certificates, park, place, ownership, size), and how many were stated
  (``requirements``);
- ``query_words_log``: log(1 + words in the query); ``lang_en``, ``lang_nodiac``: the
  query's language (:func:`recommender.language.query_language`).
"""
DEPTH = 20
"""Results per query used as examples (the first page and a half)."""
HELD_FRACTION = 0.3
SEED = 13
GAP_PRECISION = 0.9
"""The no-match banner should be right at least this often (issue 13's bar); its
threshold is the one with the best recall at that precision on the fitting queries."""


def features(items: Sequence[Recommendation], req: BuyerRequirements, query: str
             ) -> np.ndarray:
    """``(len(items), len(FEATURES))``: the features of each ranked result, best first."""
    out = np.zeros((len(items), len(FEATURES)), dtype=np.float64)
    if not items:
        return out
    lang = query_language(query)
    words = len(query.split())
    top_dense = max((r.dense for r in items if r.dense is not None), default=0.0)
    top_lexical = max((r.lexical or 0.0 for r in items), default=0.0)
    top_text = max(r.text_score for r in items)
    asks = bool(req.capabilities)
    pool_full = sum(r.capability >= 1.0 for r in items) / len(items) if asks else 0.0
    for i, r in enumerate(items):
        dense = r.dense if r.dense is not None else 0.0
        lexical = r.lexical or 0.0
        stated = len(r.checks)
        met = sum(c.status == MET for c in r.checks)
        unmet = sum(c.status in (MISSING, EXPIRED) for c in r.checks)
        out[i] = (
            dense, top_dense - dense, math.log1p(lexical),
            lexical / top_lexical if top_lexical > 0 else 0.0,
            top_text - r.text_score, math.log1p(i),
            r.capability, float(r.capability >= 1.0), float(asks),
            float(asks and r.capability == 0.0), pool_full,
            met / stated if stated else 1.0, unmet / stated if stated else 0.0,
            (stated - met - unmet) / stated if stated else 0.0, float(stated),
            math.log1p(words), float(lang == "en"), float(lang == "vi_nodiac"),
        )
    return out


@dataclass
class Examples:
    """Labelled results: ``x`` features, ``y`` 1 for a match, ``group`` the query id."""

    x: np.ndarray
    y: np.ndarray
    group: list[str]
    gap: np.ndarray
    """True for the results of a query run as a gap (its relevant suppliers withheld)."""


def collect_examples(
    recommender: SupplierRecommender,
    queries: Sequence[Any],
    qrels: Mapping[str, Mapping[str, int]],
    external_ids: Mapping[int, str],
    *,
    today: date | None = None,
    depth: int = DEPTH,
    gaps: bool = True,
) -> Examples:
    """Features and labels of the first ``depth`` results of every labelled query (objects
    with ``query_id`` and ``text``), and of each query run as a gap if ``gaps``."""
    by_external = {e: d for d, e in external_ids.items()}
    everyone = np.fromiter(external_ids, dtype=np.int64, count=len(external_ids))
    xs, ys, groups, gap_flags = [], [], [], []
    for q in queries:
        judged = qrels.get(q.query_id, {})
        req = parse_requirements(q.text)
        runs = [(None, False)]
        if gaps:
            relevant = np.array([by_external[e] for e, g in judged.items()
                                 if g >= 1 and e in by_external], dtype=np.int64)
            runs.append((everyone[~np.isin(everyone, relevant)], True))
        for allowed, is_gap in runs:
            found = recommender.recommend(q.text, max(depth, 1), allowed_ids=allowed,
                                          today=today, explain=False).items[:depth]
            xs.append(features(found, req, q.text))
            ys.extend(int(judged.get(external_ids[r.doc_id], 0) >= 2) for r in found)
            groups.extend([q.query_id] * len(found))
            gap_flags.extend([is_gap] * len(found))
    x = np.concatenate(xs) if xs else np.zeros((0, len(FEATURES)))
    return Examples(x, np.array(ys, dtype=np.int64), groups, np.array(gap_flags, dtype=bool))


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """The reliability table: per probability bin, how many results, their mean predicted
    probability and the share that truly matched."""
    rows = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append({"from": round(float(edges[b]), 2), "to": round(float(edges[b + 1]), 2),
                         "n": int(inside.sum()), "predicted": round(float(p[inside].mean()), 3),
                         "observed": round(float(y[inside].mean()), 3)})
    return rows


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared distance of the probabilities from the outcomes (0 is perfect)."""
    return float(np.mean((p - y) ** 2)) if len(y) else float("nan")


@dataclass(frozen=True)
class MatchModel:
    """A fitted match decision: standardised features, logistic regression coefficients."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    gap_threshold: float = 0.5
    """A search is a supply gap (no good match) when no result reaches this probability:
    chosen on the fitting queries for the banner's precision (:data:`GAP_PRECISION`)."""
    features: tuple[str, ...] = FEATURES
    calibration: dict[str, Any] = field(default_factory=dict)
    """How it did on the held-apart queries (see :func:`fit_match_model`)."""

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability that each row of ``x`` (as :func:`features` gives it) is a match."""
        if x.shape[0] == 0:
            return np.zeros(0)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        logits = z @ np.array(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """The model :meth:`to_dict` wrote (ValueError if its features are not these)."""
        model = cls(**{**data, **{k: tuple(data[k]) for k in
                                  ("mean", "scale", "coef", "features")}})
        if model.features != FEATURES or not (
                len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)):
            raise ValueError("the match model was fitted on other features; fit it again")
        return model


def fit_match_model(examples: Examples, *, c: float = 1.0,
                    held_fraction: float = HELD_FRACTION, seed: int = SEED) -> MatchModel:
    """Fit on the queries outside the held-apart part and measure on that part.

    The calibration recorded: Brier score and reliability table of the held-apart
    results; the match decision's precision and recall there; and, per held-apart query
    run, whether "no match" was said rightly: a gap run is truly a gap, a query run as is
    is one only if none of its first results is grade 2 (the banner's precision and recall).

    Raises:
        ValueError: too few examples or only one class in the fitting part.
    """
    from sklearn.linear_model import LogisticRegression

    held = np.array([held_apart(g, held_fraction, seed) for g in examples.group], dtype=bool)
    fit_x, fit_y = examples.x[~held], examples.y[~held]
    if len(fit_y) < 50 or len(set(fit_y.tolist())) < 2:
        raise ValueError(f"{len(fit_y)} examples ({int(fit_y.sum())} matches) are too few "
                         "to fit the match decision")
    mean = fit_x.mean(axis=0)
    scale = fit_x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=1000)
    clf.fit((fit_x - mean) / scale, fit_y)
    model = MatchModel(tuple(mean.tolist()), tuple(scale.tolist()),
                       tuple(clf.coef_[0].tolist()), float(clf.intercept_[0]))
    fitting = Examples(fit_x, fit_y, [g for g, h in zip(examples.group, held, strict=True)
                                      if not h], examples.gap[~held])
    model = MatchModel(**{**asdict(model), "gap_threshold": _gap_threshold(model, fitting)})
    return MatchModel(**{**asdict(model), "calibration": calibration(
        model, Examples(examples.x[held], examples.y[held],
                        [g for g, h in zip(examples.group, held, strict=True) if h],
                        examples.gap[held]), fitted_on=examples.x.shape[0] - int(held.sum()))})


def _runs(examples: Examples) -> dict[tuple[str, bool], list[int]]:
    """Rows of each query run (a query as it is, or as a gap)."""
    runs: dict[tuple[str, bool], list[int]] = {}
    for i, (g, is_gap) in enumerate(zip(examples.group, examples.gap.tolist(), strict=True)):
        runs.setdefault((g, is_gap), []).append(i)
    return runs


def _gap_threshold(model: MatchModel, examples: Examples) -> float:
    """The banner threshold with the best recall of true gaps at :data:`GAP_PRECISION`
    (else the most precise one) on ``examples``."""
    p = model.probabilities(examples.x)
    best_p = []
    for (_, is_gap), rows in _runs(examples).items():
        best_p.append((float(p[rows].max()), is_gap or not examples.y[rows].any()))
    choice, choice_key = model.threshold, (-1.0, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2).tolist():
        said = [gap for top, gap in best_p if top < t]
        if not said:
            continue
        precision = sum(said) / len(said)
        recall = sum(said) / max(sum(gap for _, gap in best_p), 1)
        key = (recall, precision) if precision >= GAP_PRECISION else (-1.0, precision)
        if key > choice_key:
            choice, choice_key = t, key
    return float(choice)


def calibration(model: MatchModel, examples: Examples, *, fitted_on: int | None = None
                ) -> dict[str, Any]:
    """Brier score, reliability table, decision and gap-banner quality on ``examples``."""
    p = model.probabilities(examples.x)
    y = examples.y
    said = p >= model.threshold
    tp = int((said & (y == 1)).sum())
    runs = _runs(examples)
    banner_tp = banner_said = truly_gap = 0
    for (_, is_gap), rows in runs.items():
        no_match = not (p[rows] >= model.gap_threshold).any()
        gap = is_gap or not y[rows].any()
        banner_said += no_match
        truly_gap += gap
        banner_tp += no_match and gap
    return {
        "examples": int(len(y)), "matches": int(y.sum()), "fitted_on": fitted_on,
        "queries": len({g for g, _ in runs}), "brier": round(brier(p, y), 4),
        "brier_base_rate": round(brier(np.full(len(y), y.mean() if len(y) else 0.0), y), 4),
        "precision": round(tp / max(int(said.sum()), 1), 3),
        "recall": round(tp / max(int(y.sum()), 1), 3),
        "gap_banner": {"threshold": model.gap_threshold, "runs": len(runs),
                       "gaps": truly_gap, "said": banner_said,
                       "precision": round(banner_tp / max(banner_said, 1), 3),
                       "recall": round(banner_tp / max(truly_gap, 1), 3)},
        "reliability": reliability(p, y),
    }
