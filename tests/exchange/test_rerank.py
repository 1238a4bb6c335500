"""The learned order of the exchange's matches: features, fitting, the shipped ranker."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.exchange.rerank import (
    FEATURES,
    Candidate,
    ExchangeRanker,
    Judged,
    candidate_features,
    cross_validated,
    default_ranker,
    fit_ranker,
    node_overlap,
)


def _candidate(**kw) -> Candidate:
    base = dict(fused=0.5, dense=0.8, lexical=4.0, shared=(), exact=False, related=False,
                named=(True, True), covered=0.0, neighbours=False, too_far=False,
                quantity=None, hazardous_to_handler=False)
    return Candidate(**{**base, **kw})


def test_features_read_the_rules_and_scores_relative_to_the_list() -> None:
    x = candidate_features([
        _candidate(dense=0.9, lexical=8.0, shared=("aluminium_scrap",), exact=True,
                   covered=1.0, quantity="fits"),
        _candidate(dense=0.8, lexical=2.0, related=True, too_far=True),
        _candidate(dense=0.7, lexical=0.0, named=(True, False), quantity="far_off"),
    ])
    col = {n: x[:, i].tolist() for i, n in enumerate(FEATURES)}
    assert x.shape == (3, len(FEATURES))
    assert col["dense_gap"] == pytest.approx([0.0, -0.1, -0.2])
    assert col["lexical_share"] == [1.0, 0.25, 0.0]
    assert col["rank_inverse"] == [1.0, 0.5, pytest.approx(1 / 3)]
    assert col["same_node"] == [1.0, 0.0, 0.0] and col["related"] == [0.0, 1.0, 0.0]
    assert col["different_streams"] == [0.0, 0.0, 0.0] and col["unnamed"] == [0.0, 0.0, 1.0]
    assert col["too_far"] == [0.0, 1.0, 0.0]
    assert col["quantity_fits"] == [1.0, 0.0, 0.0] and col["quantity_far_off"] == [0, 0, 1]
    assert candidate_features([]).shape == (0, len(FEATURES))


def test_node_overlap_meets_a_node_below_and_counts_what_is_covered() -> None:
    shared, exact, _related, covered = node_overlap(("aluminium_scrap",), ("aluminium_scrap",))
    assert shared == ("aluminium_scrap",) and exact and covered == 1.0
    assert node_overlap((), ("aluminium_scrap",))[3] == 0.0


def _judged(n: int = 40, seed: int = 1) -> Judged:
    """Lists of 10 candidates where the good ones share the resource node."""
    rng = np.random.default_rng(seed)
    xs, ys, groups = [], [], []
    for g in range(n):
        good = rng.random(10) < 0.3
        cands = [_candidate(dense=float(rng.uniform(0.7, 0.9)), lexical=float(rng.uniform(0, 9)),
                            shared=("x",) if ok else (), exact=bool(ok), covered=float(ok))
                 for ok in good]
        xs.append(candidate_features(cands))
        ys.extend(good.astype(int))
        groups.extend([f"N{g}"] * 10)
    return Judged(np.vstack(xs), np.array(ys), np.array(groups, dtype=object))


def test_a_fitted_ranker_learns_what_makes_a_good_match_and_round_trips() -> None:
    judged = _judged()
    ranker = fit_ranker(judged, fitted_on={"set": "synthetic"})
    same = ranker.coef[FEATURES.index("same_node")]
    assert same > 0
    p = ranker.probabilities(judged.x)
    assert p[judged.y == 1].min() > p[judged.y == 0].max()
    good = {g: int(judged.y[judged.group == g].sum()) for g in set(judged.group.tolist())}
    precision, ndcg = cross_validated(judged, good)
    assert precision > 0.6 and ndcg > 60
    again = ExchangeRanker.from_dict(ranker.to_dict())
    assert np.allclose(again.probabilities(judged.x), p)
    with pytest.raises(ValueError):
        ExchangeRanker.from_dict({**ranker.to_dict(), "features": ["dense"]})
    with pytest.raises(ValueError):
        fit_ranker(Judged(judged.x[:20], judged.y[:20], judged.group[:20]))


def test_the_shipped_ranker_loads_and_says_what_it_was_fitted_on() -> None:
    ranker = default_ranker()
    assert ranker is not None, "corpora/exchange_ranker.json is missing or unreadable"
    assert ranker.fitted_on["sets"] == ["exchange_dev", "exchange_dev2", "exchange_dev3"]
    assert ranker.coef[FEATURES.index("same_node")] > 0
