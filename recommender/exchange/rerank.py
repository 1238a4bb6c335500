"""The order of an exchange's matches, learned from judged pairs.

The hybrid engine finds the listings whose words and meaning are near a listing's; what
makes a good exchange is more than that: the same resource (not only one of its
group), a site near enough for what travels by pipe, amounts that fit. How much each of
these counts is not guessed but fitted (scikit-learn's logistic regression) on a
labelled set of offers and needs that is not the one the evaluation reports on: the
shipped :data:`DEFAULT_RANKER_FILE` was fitted on ``corpora/exchange_dev`` by
``flask --app webapp exchange-ranker --save-default`` and ``flask --app webapp evaluate
--set exchange`` measures it on ``corpora/exchange``. A match's score is then the
fitted probability that staff would put the offer forward for the need.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..logistic import logistic, standardisation
from ..resources import corpus_file
from .streams import load_streams

FEATURES = (
    "fused", "dense", "dense_gap", "lexical_share", "rank_inverse",
    "same_node", "node_below", "related", "different_streams", "unnamed",
    "covered", "neighbours", "too_far", "quantity_fits", "quantity_far_off",
    "hazardous_to_handler", "concept",
)
"""What the ranker reads of one candidate for one listing (:func:`candidate_features`)."""

SIGNS = {
    "fused": 1, "dense": 1, "dense_gap": 1, "lexical_share": 1, "rank_inverse": 1,
    "same_node": 1, "node_below": 1, "different_streams": -1, "covered": 1,
    "neighbours": 1, "too_far": -1, "quantity_fits": 1, "quantity_far_off": -1,
    "concept": 1,
}
"""The direction each feature can only push a match, known before any fitting: more
alike, nearer, amounts that fit never make a match less likely. A feature the fit
weighs the other way reads how one labelled set was written, not what makes a good
exchange, and is left out (weight 0); features not named here are free."""

DEFAULT_RANKER_FILE = "exchange_ranker.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """One listing of the other kind as the engine found it, with the rules' readings."""

    fused: float
    dense: float
    lexical: float
    shared: tuple[str, ...]
    exact: bool
    """Both name one node (not only one below the other's)."""
    related: bool
    named: tuple[bool, bool]
    """Whether the query listing and the candidate name any resource node."""
    covered: float
    """Share of the query listing's nodes the candidate names (or names below/above)."""
    neighbours: bool
    too_far: bool
    quantity: str | None
    """``fits``, ``far_off`` or None when the amounts cannot be compared."""
    hazardous_to_handler: bool
    concept: float = 0.0
    """How much the two are about the same resource nodes, as the model reads them."""


def candidate_features(found: Sequence[Candidate]) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate, in the engine's order (best first);
    the scores also relative to the best of the list, as what is near differs by
    listing."""
    if not found:
        return np.zeros((0, len(FEATURES)))
    best_dense = max(c.dense for c in found)
    best_lexical = max(c.lexical for c in found)
    rows = []
    for rank, c in enumerate(found):
        rows.append((
            c.fused, c.dense, c.dense - best_dense,
            c.lexical / best_lexical if best_lexical > 0 else 0.0,
            1.0 / (1.0 + rank),
            float(bool(c.shared) and c.exact), float(bool(c.shared) and not c.exact),
            float(not c.shared and c.related),
            float(all(c.named) and not c.shared and not c.related),
            float(not all(c.named)),
            c.covered, float(c.neighbours), float(c.too_far),
            float(c.quantity == "fits"), float(c.quantity == "far_off"),
            float(c.hazardous_to_handler), c.concept,
        ))
    return np.asarray(rows, dtype=float)


def node_overlap(query: Sequence[str], other: Sequence[str]) -> tuple[tuple[str, ...], bool,
                                                                     bool, float]:
    """How the resource nodes of two listings meet: the nodes both name (one naming a
    node the other names or one below it), whether one of them is named by both
    exactly, whether they name nodes of one group (aluminium and copper scrap), and the
    share of ``query``'s nodes the other meets."""
    streams = load_streams()

    def meets(x: str, y: str) -> bool:
        return x == y or x in streams.ancestors(y) or y in streams.ancestors(x)

    same = tuple(dict.fromkeys(x for x in query for y in other if meets(x, y)))
    exact = bool(set(query) & set(other))
    parents_q = {streams.nodes[x].parent for x in query} - {None}
    parents_o = {streams.nodes[y].parent for y in other} - {None}
    covered = (sum(any(meets(x, y) for y in other) for x in query) / len(query)
               if query else 0.0)
    return same, exact, bool(parents_q & parents_o), covered


@dataclass(frozen=True)
class ExchangeRanker:
    """A fitted order: standardised :data:`FEATURES`, logistic-regression coefficients."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = FEATURES
    fitted_on: dict[str, Any] = field(default_factory=dict)
    """The labelled set, its size, the embedding model, the regularisation and the
    cross-validated figures on that set."""

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability that staff would put each candidate forward (rows of ``x``)."""
        if x.shape[0] == 0:
            return np.zeros(0)
        return logistic(x, self.mean, self.scale, self.coef, self.intercept)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExchangeRanker:
        """The ranker :meth:`to_dict` wrote (ValueError if fitted on other features)."""
        model = cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
                    float(data["intercept"]), tuple(data.get("features", ())),
                    dict(data.get("fitted_on", {})))
        if model.features != FEATURES or not (
                len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)):
            raise ValueError("the exchange ranker was fitted on other features; fit it again")
        return model


@dataclass
class Judged:
    """Candidates of labelled listings: features, whether each is good (grade 2), and
    which listing each was found for."""

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray


def fit_ranker(judged: Judged, *, c: float = 1.0,
               fitted_on: Mapping[str, Any] | None = None) -> ExchangeRanker:
    """Logistic regression over the standardised features of every judged candidate,
    refitted without the feature weighed most against its known direction
    (:data:`SIGNS`) until none is.

    Raises:
        ValueError: too few candidates, or no good or no bad one.
    """
    from sklearn.linear_model import LogisticRegression

    if len(judged.y) < 50 or len(set(judged.y.tolist())) < 2:
        raise ValueError(f"{len(judged.y)} judged candidates ({int(judged.y.sum())} good) "
                         "are too few to fit the exchange ranker")
    mean, scale = standardisation(judged.x)
    z = (judged.x - mean) / scale
    used = list(range(len(FEATURES)))
    while True:
        clf = LogisticRegression(C=c, max_iter=5000)
        clf.fit(z[:, used], judged.y)
        wrong = [i for i, w in zip(used, clf.coef_[0])
                 if SIGNS.get(FEATURES[i], 0) * w < 0]
        if not wrong:
            break
        worst = min(wrong, key=lambda i: SIGNS[FEATURES[i]] * clf.coef_[0][used.index(i)])
        used.remove(worst)
    coef = np.zeros(len(FEATURES))
    coef[used] = clf.coef_[0]
    return ExchangeRanker(tuple(mean.tolist()), tuple(scale.tolist()), tuple(coef.tolist()),
                          float(clf.intercept_[0]), fitted_on=dict(fitted_on or {}))


def cross_validated(judged: Judged, qrels_good: Mapping[Any, int], *, c: float = 1.0,
                    folds: int = 5) -> tuple[float, float]:
    """Precision@3 and nDCG@10 (grade 2 as relevant, x100) of rankers fitted on the other
    folds of listings, over the listings with a good candidate (``qrels_good``: how many
    good ones each listing has in all, so one the engine missed still counts against
    it)."""
    groups = np.array(sorted(set(judged.group.tolist()), key=str), dtype=object)
    order = np.random.default_rng(20261207).permutation(len(groups))
    precision, ndcg = [], []
    discount = 1.0 / np.log2(np.arange(2, 12))
    for f in range(folds):
        held = set(groups[order[f::folds]].tolist())
        mask = np.array([g in held for g in judged.group.tolist()])
        if mask.all() or not mask.any():
            continue
        model = fit_ranker(Judged(judged.x[~mask], judged.y[~mask], judged.group[~mask]), c=c)
        p = model.probabilities(judged.x[mask])
        y = judged.y[mask]
        for g in held:
            if qrels_good.get(g, 0) == 0:
                continue
            rows = np.flatnonzero(judged.group[mask] == g)
            top = y[rows[np.argsort(-p[rows], kind="stable")[:10]]]
            precision.append(float(top[:3].sum()) / 3)
            ideal = discount[:min(10, qrels_good[g])].sum()
            ndcg.append(100 * float((top * discount[:len(top)]).sum()) / ideal)
    if not precision:
        return math.nan, math.nan
    return float(np.mean(precision)), float(np.mean(ndcg))


@functools.lru_cache(maxsize=1)
def _shipped() -> ExchangeRanker | None:
    try:
        path = corpus_file(DEFAULT_RANKER_FILE)
        return ExchangeRanker.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("the shipped exchange ranker is unusable (%s): matches are ordered by "
                    "the rules' hand-set weights", exc)
        return None


def default_ranker(model_id: str | None = None) -> ExchangeRanker | None:
    """The shipped ranker (:data:`DEFAULT_RANKER_FILE`) if it was fitted on the scores of
    the embedding model ``model_id`` (any, if None); else None, and matches are ordered
    by the hand-set weights of the rules (``flask --app webapp exchange-ranker`` fits one
    for another model)."""
    ranker = _shipped()
    if ranker is None or model_id is None or ranker.fitted_on.get("model") == model_id:
        return ranker
    return None
