"""The fitted match decision: features, fitting, calibration, persistence."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from recommender.matching import (
    FEATURES,
    GAP_FEATURES,
    Decision,
    Examples,
    MatchModel,
    brier,
    calibration,
    default_model,
    features,
    fit_match_model,
    gap_features,
    held_apart,
    model_of,
    reliability,
)
from recommender.rank import MET, MISSING, UNKNOWN, RequirementCheck
from recommender.recommend import Recommendation
from recommender.requirements import parse_requirements


def _rec(doc, dense, lexical, text, capability=0.0, checks=()):
    return Recommendation(doc, text, text, dense, lexical, checks=tuple(checks),
                          capability=capability)


def test_features_of_ranked_results() -> None:
    query = "ép nhựa ABS, phải có ISO 9001, trong KCN Tân Bình"
    req = parse_requirements(query)
    assert req.capabilities and req.certifications
    items = [
        _rec(1, 0.88, 20.0, 3.0, 1.0, [RequirementCheck("certification", "ISO 9001", MET),
                                       RequirementCheck("park", "KCN Tân Bình", UNKNOWN)]),
        _rec(2, 0.80, 0.0, 1.0, 0.0, [RequirementCheck("certification", "ISO 9001", UNKNOWN),
                                      RequirementCheck("park", "KCN Tân Bình", MET)]),
    ]
    x = features(items, req, query, np.array([0.9, 0.4]))
    row = dict(zip(FEATURES, x[1], strict=True))
    assert x.shape == (2, len(FEATURES))
    assert row["dense"] == 0.80 and row["dense_gap"] == pytest.approx(0.08)
    assert row["lexical_log"] == 0.0 and row["lexical_share"] == 0.0
    assert row["text_gap"] == 2.0 and "rank_log" not in FEATURES
    assert row["asks_capability"] == 1.0 and row["capability_missing"] == 1.0
    assert (row["met_share"], row["unmet_share"], row["unknown_share"]) == (0.5, 0.0, 0.5)
    assert row["requirements"] == 2.0 and row["lang_en"] == 0.0 and row["lang_nodiac"] == 0.0
    first = dict(zip(FEATURES, x[0], strict=True))
    assert first["lexical_share"] == 1.0 and first["capability_missing"] == 0.0
    assert first["unmet_share"] == 0.0 and first["unknown_share"] == 0.5
    assert (row["coverage"], row["pool_coverage"]) == (0.4, 0.9)
    assert row["coverage_gap"] == pytest.approx(0.5) and first["coverage_gap"] == 0.0
    english = features(items, req, "plastic injection moulding ABS", np.zeros(2))
    assert english[0, FEATURES.index("lang_en")] == 1.0
    assert features([], req, query, np.zeros(0)).shape == (0, len(FEATURES))
    # what is relative to the other results is taken over the first ``pool`` only
    deep = features(items, req, query, np.array([0.2, 0.9]), pool=1)
    assert deep[1, FEATURES.index("pool_coverage")] == 0.2
    assert deep[1, FEATURES.index("dense_gap")] == pytest.approx(0.08)
    # a result that misses a stated requirement cannot match: the others are not
    # compared with it (unless every result misses one)
    elsewhere = _rec(9, 0.97, 60.0, 9.0, 1.0, [RequirementCheck("park", "KCN Tân Bình",
                                                                  MISSING)])
    x = features([elsewhere, *items], req, query, np.array([1.0, 0.9, 0.4]))
    assert x[0, FEATURES.index("unmet_share")] == 1.0
    assert x[2, FEATURES.index("dense_gap")] == pytest.approx(0.08)
    assert x[2, FEATURES.index("text_gap")] == 2.0 and x[1, FEATURES.index("text_gap")] == 0.0
    assert x[2, FEATURES.index("pool_coverage")] == 0.9
    alone = features([elsewhere], req, query, np.array([1.0]))
    assert alone[0, FEATURES.index("dense_gap")] == 0.0


def test_the_shipped_decision_loads_and_serves_versions_without_one() -> None:
    shipped = default_model()
    assert shipped.features == FEATURES and 0.05 <= shipped.gap_threshold <= 0.95
    assert shipped.calibration["brier"] < shipped.calibration["brier_base_rate"]
    assert model_of(None) is shipped and model_of({"not_fitted": "too few"}) is shipped
    fitted = fit_match_model(_synthetic(120, seed=3))
    assert model_of(fitted.to_dict()) == fitted
    assert model_of({**fitted.to_dict(), "features": ["old"]}) is shipped
    # a version fitted before the supply-gap decision existed is served the shipped one
    older = {k: v for k, v in fitted.to_dict().items() if not k.startswith("gap_")}
    assert model_of(older) is shipped


def test_the_supply_gap_decision_and_the_matches_agree() -> None:
    model = fit_match_model(_synthetic(200, seed=4))
    assert len(model.gap_coef) == len(GAP_FEATURES)
    x = np.zeros((4, len(FEATURES)))
    x[:, FEATURES.index("dense")] = 0.95
    strong = model.probabilities(x)
    x[:, FEATURES.index("dense")] = 0.70
    weak = model.probabilities(x)
    assert model.gap_probability(x, weak) > model.gap_probability(x, strong)
    assert model.gap_probability(np.zeros((0, len(FEATURES))), np.zeros(0)) == 1.0
    assert gap_features(x, weak).shape == (len(GAP_FEATURES),)
    # a search judged a gap shows no result as a match; one that is not counts them
    found = Decision(strong, model.threshold, 0.1, False)
    assert found.matches == 4 and found.matched(0)
    missing = Decision(strong, model.threshold, 0.9, True)
    assert missing.matches == 0 and not missing.matched(0)


def _synthetic(n_queries=300, seed=0) -> Examples:
    """Results whose chance of matching rises with the dense cosine and falls with an unmet
    requirement: what a fitted decision has to find."""
    rng = np.random.default_rng(seed)
    xs, ys, groups, gaps = [], [], [], []
    for q in range(n_queries):
        is_gap = q % 2 == 1
        for _ in range(10):
            x = np.zeros(len(FEATURES))
            x[FEATURES.index("dense")] = rng.uniform(0.75, 0.92)
            x[FEATURES.index("unmet_share")] = rng.choice([0.0, 1.0], p=[0.7, 0.3])
            logit = 40 * (x[FEATURES.index("dense")] - 0.85) - 3 * x[FEATURES.index("unmet_share")]
            y = 0 if is_gap else int(rng.uniform() < 1 / (1 + math.exp(-logit)))
            if is_gap:
                x[FEATURES.index("dense")] -= 0.05
            xs.append(x)
            ys.append(y)
            groups.append(f"Q{q}")
            gaps.append(is_gap)
    return Examples(np.array(xs), np.array(ys), groups, np.array(gaps))


def test_fitted_decision_is_calibrated_on_held_apart_queries() -> None:
    model = fit_match_model(_synthetic())
    cal = model.calibration
    assert 0 < cal["queries"] < 300 and cal["fitted_on"] + cal["examples"] == 3000
    assert cal["brier"] < 0.8 * cal["brier_base_rate"]
    for row in cal["reliability"]:
        if row["n"] >= 50:
            assert abs(row["predicted"] - row["observed"]) < 0.15, row
    assert sum(r["n"] for r in cal["reliability"]) == cal["examples"]
    dense = FEATURES.index("dense")
    x = np.zeros((3, len(FEATURES)))
    x[:, dense] = [0.78, 0.85, 0.92]
    p = model.probabilities(x)
    assert p[0] < p[1] < p[2]
    x[:, FEATURES.index("unmet_share")] = 1.0
    assert (model.probabilities(x) < p).all()
    # a result missing a stated requirement is not a match, whatever its scores
    x[:, dense] = 0.99
    assert 0.0 < model.unmet_cap < 0.1 and (model.probabilities(x) <= model.unmet_cap).all()
    assert cal["gap_banner"]["recall"] > 0.8 and cal["gap_banner"]["precision"] > 0.8
    assert 0.05 <= model.gap_threshold <= 0.95


def test_model_round_trips_and_refuses_other_features() -> None:
    model = fit_match_model(_synthetic(120, seed=1))
    again = MatchModel.from_dict(json.loads(json.dumps(model.to_dict())))
    x = _synthetic(5, seed=2).x
    assert np.allclose(again.probabilities(x), model.probabilities(x))
    data = model.to_dict()
    data["features"] = list(FEATURES[:-1]) + ["something_else"]
    with pytest.raises(ValueError, match="other features"):
        MatchModel.from_dict(data)


def test_too_few_examples_are_refused() -> None:
    few = _synthetic(4)
    with pytest.raises(ValueError, match="too few"):
        fit_match_model(few)


def test_held_apart_split_is_stable_and_near_its_fraction() -> None:
    keys = [f"BQ-{i:04d}" for i in range(2000)]
    held = [held_apart(k) for k in keys]
    assert held == [held_apart(k) for k in keys]
    assert 0.25 < sum(held) / len(keys) < 0.35


def test_reliability_brier_and_banner_by_hand() -> None:
    p = np.array([0.05, 0.15, 0.95, 0.9])
    y = np.array([0, 0, 1, 0])
    assert brier(p, y) == pytest.approx((0.05**2 + 0.15**2 + 0.05**2 + 0.9**2) / 4)
    table = reliability(p, y)
    assert [(r["n"], r["observed"]) for r in table] == [(1, 0.0), (1, 0.0), (2, 0.5)]
    # two runs: one whose results hold a match (not a gap), one gap run the model calls a gap
    # (the gap probability is 1 - the best result's probability)
    model = MatchModel((0.0,) * len(FEATURES), (1.0,) * len(FEATURES),
                       tuple(10.0 if f == "dense" else 0.0 for f in FEATURES), -8.5,
                       gap_mean=(0.0,) * len(GAP_FEATURES), gap_scale=(1.0,) * len(GAP_FEATURES),
                       gap_coef=tuple(-1.0 if f == "top_logit" else 0.0 for f in GAP_FEATURES))
    x = np.zeros((4, len(FEATURES)))
    x[:, FEATURES.index("dense")] = [0.9, 0.8, 0.7, 0.6]
    cal = calibration(model, Examples(x, np.array([1, 0, 0, 0]), ["A", "A", "B", "B"],
                                      np.array([False, False, True, True])))
    assert cal["gap_banner"] == {"threshold": 0.5, "runs": 2, "gaps": 1, "said": 1,
                                 "precision": 1.0, "recall": 1.0}
    assert (cal["precision"], cal["recall"]) == (1.0, 1.0)
