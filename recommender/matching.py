"""Whether a search result matches the buyer's need: a decision fitted on labels.

A result *matches* when the supplier does what the query asks for (its process
or product) and meets every requirement the query states: grade 2 in the
labelled sets. Ranking scores cannot say that by themselves: the fused score is
a per-query z-score, BM25 grows with the collection and the query's length, and
a fixed cosine threshold does not carry over from one query length or language
to another. The decision is therefore a logistic regression (scikit-learn) over
what is known of each result and its query (:data:`FEATURES`), fitted on
labelled queries; its probability is the confidence shown beside a result and a
result matches when it is at least :attr:`MatchModel.threshold`.

Whether a search as a whole is a *supply gap* (the "no good match" banner, the
staff's gap list) is a second logistic regression over the search's first
results (:data:`GAP_FEATURES`: how likely the best of them is to match, what
the query names and how much of it the results hold), with
its threshold chosen for the banner's precision. A rule on the best
probability alone does not carry over between collections: in a small
directory a near miss (a plastic-bottle maker for glass bottles) scores as
high as a true match in a large one. A search judged a gap shows no result as
a match.

Examples (:func:`collect_examples`) come from each labelled query twice: as it
is (its first results, labelled by their grade) and as a *gap* (the same query
with every supplier graded 1 or 2 filtered out, so nothing left can match),
which teaches the model what results look like when the capability is not on
offer. Queries are split by a seeded hash of their id into a fitting part and a
held-apart part; the model is fitted on the first and its calibration (Brier
score, reliability table) measured on the second (:func:`fit_match_model`).
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from .language import query_language
from .learn import held_apart
from .logistic import logistic, standardisation
from .rank import EXPIRED, MET, MISSING
from .recommend import Recommendation, SupplierRecommender
from .requirements import BuyerRequirements, parse_requirements
from .resources import corpus_file

log = logging.getLogger(__name__)

FEATURES = (
    "dense", "dense_gap", "lexical_log", "lexical_share", "text_gap",
    "capability", "capability_full", "asks_capability", "capability_missing",
    "pool_capability_full",
    "met_share", "unmet_share", "unknown_share", "requirements",
    "query_words_log", "lang_en", "lang_nodiac",
    "coverage", "coverage_gap", "pool_coverage",
)
"""What the decision sees of a result (in this order):

- ``dense``: cosine of the query and the profile's best passage; ``dense_gap``: its
  distance below the best cosine among the results;
- ``lexical_log``: log(1 + BM25); ``lexical_share``: BM25 over the best BM25 among the
  results; ``text_gap``: the fused score below the best one (the rank itself is left
  out: a model fitted on ranks seen in the labels does not carry over to deeper ones);
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
  query's language (:func:`recommender.language.query_language`);
- ``coverage``: how much of the query the profile's text holds (idf-weighted share of
  its words, :meth:`SupplierRecommender.coverage`: a word nobody uses weighs most);
  ``coverage_gap``: below the best coverage among the results; ``pool_coverage``: that
  best coverage (low when what the query names is not on offer).
"""
DEPTH = 20
"""The first results: what is relative to the other results (the best cosine, ...) is
taken over these, and whether a search is a supply gap is judged on these."""
EXAMPLE_DEPTH = 100
"""Results per query used as examples: every result a search ranks (and counts)."""
HELD_FRACTION = 0.3
SEED = 13
GAP_PRECISION = 0.9
"""The no-match banner should be right at least this often (issue 13's bar); its
threshold is the one with the best recall at that precision on the fitting queries."""


GAP_FEATURES = (
    "top_logit", "pool_coverage", "pool_capability_full", "asks_capability", "top_dense",
    "top_lexical_log", "top_capability", "top_capability_eligible", "query_words_log",
    "lang_en", "lang_nodiac", "requirements",
)
"""What the supply-gap decision sees of a search, from its first :data:`DEPTH` results:
the log-odds that the best one matches; the results' best coverage and the share
holding all of what the query names (as in :data:`FEATURES`), whether it names any;
the best cosine, BM25 (log) and capability share, that share among the results that
miss no stated requirement; the query's length, language and number of stated
requirements. How many results look good is left out: that grows with the size of the
directory (one firm in 130 offers what several do in 3,000)."""


def gap_features(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """:data:`GAP_FEATURES` of one search from its first results' :func:`features` ``x``
    and match probabilities ``p`` (rank order, at least one)."""
    col = {name: i for i, name in enumerate(FEATURES)}
    x, p = x[:DEPTH], p[:DEPTH]
    top = float(np.clip(p.max(), 1e-6, 1 - 1e-6))
    eligible = x[:, col["unmet_share"]] == 0
    first = x[0]
    return np.array([
        math.log(top / (1 - top)), first[col["pool_coverage"]],
        first[col["pool_capability_full"]], first[col["asks_capability"]],
        float(x[:, col["dense"]].max()), float(x[:, col["lexical_log"]].max()),
        float(x[:, col["capability"]].max()),
        float(x[eligible, col["capability"]].max()) if eligible.any() else 0.0,
        first[col["query_words_log"]], first[col["lang_en"]], first[col["lang_nodiac"]],
        first[col["requirements"]],
    ], dtype=np.float64)


def features(items: Sequence[Recommendation], req: BuyerRequirements, query: str,
             coverage: np.ndarray, pool: int = DEPTH) -> np.ndarray:
    """``(len(items), len(FEATURES))``: the features of each ranked result, best first;
    ``coverage`` is :meth:`SupplierRecommender.coverage` of the items.

    What is relative to the other results (best cosine, best BM25, the share holding
    the capability, the best coverage) is taken over the first ``pool`` of them, as the
    model was fitted, leaving out those that miss a stated requirement (they cannot
    match) unless every one does.
    """
    out = np.zeros((len(items), len(FEATURES)), dtype=np.float64)
    if not items:
        return out
    lang = query_language(query)
    words = len(query.split())
    # a result that misses a stated requirement never matches, so the best of the
    # others is what a result is compared with (all of them if every one misses)
    rows = [i for i, r in enumerate(items[:pool])
            if not any(c.status in (MISSING, EXPIRED) for c in r.checks)] or list(
        range(min(pool, len(items))))
    head = [items[i] for i in rows]
    top_dense = max((r.dense for r in head if r.dense is not None), default=0.0)
    top_lexical = max((r.lexical or 0.0 for r in head), default=0.0)
    top_text = max(r.text_score for r in head)
    asks = bool(req.capabilities)
    pool_full = sum(r.capability >= 1.0 for r in head) / len(head) if asks else 0.0
    best_coverage = float(np.max(coverage[rows]))
    for i, r in enumerate(items):
        dense = r.dense if r.dense is not None else 0.0
        lexical = r.lexical or 0.0
        stated = len(r.checks)
        met = sum(c.status == MET for c in r.checks)
        unmet = sum(c.status in (MISSING, EXPIRED) for c in r.checks)
        out[i] = (
            dense, top_dense - dense, math.log1p(lexical),
            lexical / top_lexical if top_lexical > 0 else 0.0,
            top_text - r.text_score,
            r.capability, float(r.capability >= 1.0), float(asks),
            float(asks and r.capability == 0.0), pool_full,
            met / stated if stated else 1.0, unmet / stated if stated else 0.0,
            (stated - met - unmet) / stated if stated else 0.0, float(stated),
            math.log1p(words), float(lang == "en"), float(lang == "vi_nodiac"),
            coverage[i], best_coverage - coverage[i], best_coverage,
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
    weight: np.ndarray | None = None
    """How much each result counts in the fit (None: all alike)."""

    def __add__(self, other: Examples) -> Examples:
        def weights(e: Examples) -> np.ndarray:
            return e.weight if e.weight is not None else np.ones(len(e.y))

        return Examples(np.concatenate([self.x, other.x]), np.concatenate([self.y, other.y]),
                        self.group + other.group, np.concatenate([self.gap, other.gap]),
                        np.concatenate([weights(self), weights(other)]))

    def part(self, rows: np.ndarray) -> Examples:
        """The examples at the boolean mask ``rows``."""
        return Examples(self.x[rows], self.y[rows],
                        [g for g, keep in zip(self.group, rows.tolist(), strict=True) if keep],
                        self.gap[rows], None if self.weight is None else self.weight[rows])


def collect_examples(
    recommender: SupplierRecommender,
    queries: Sequence[Any],
    qrels: Mapping[str, Mapping[str, int]],
    external_ids: Mapping[int, str],
    *,
    today: date | None = None,
    depth: int = EXAMPLE_DEPTH,
    gaps: bool = True,
    weight: float = 1.0,
) -> Examples:
    """Features and labels of the first ``depth`` results of every labelled query (objects
    with ``query_id`` and ``text``), and of each query run as a gap if ``gaps``; each
    counts ``weight`` in the fit."""
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
            coverage = recommender.coverage(q.text, [r.doc_id for r in found])
            xs.append(features(found, req, q.text, coverage))
            ys.extend(int(judged.get(external_ids[r.doc_id], 0) >= 2) for r in found)
            groups.extend([q.query_id] * len(found))
            gap_flags.extend([is_gap] * len(found))
    x = np.concatenate(xs) if xs else np.zeros((0, len(FEATURES)))
    return Examples(x, np.array(ys, dtype=np.int64), groups, np.array(gap_flags, dtype=bool),
                    np.full(len(ys), float(weight)))


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
class Decision:
    """Whether each result matches, and whether the search as a whole found nothing."""

    probabilities: np.ndarray
    """The calibrated probability that each result (in rank order) matches."""
    threshold: float
    gap_probability: float
    """The probability that nothing on offer matches the search."""
    gap: bool
    """No good match (a supply gap): the gap probability reached the gap threshold."""

    def matched(self, i: int) -> bool:
        """Whether the result at rank ``i`` (0-based) matches: none does in a gap."""
        return not self.gap and bool(self.probabilities[i] >= self.threshold)

    @property
    def matches(self) -> int:
        """The number of suppliers that match (0 in a supply gap)."""
        return 0 if self.gap else int((self.probabilities >= self.threshold).sum())


@dataclass(frozen=True)
class MatchModel:
    """A fitted match decision: standardised features, logistic regression coefficients."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    gap_mean: tuple[float, ...] = ()
    gap_scale: tuple[float, ...] = ()
    gap_coef: tuple[float, ...] = ()
    gap_intercept: float = 0.0
    """The supply-gap decision over :data:`GAP_FEATURES` (standardised, logistic)."""
    gap_threshold: float = 0.5
    """A search is a supply gap (no good match) when its gap probability reaches this:
    chosen on the fitting queries for the banner's precision (:data:`GAP_PRECISION`)."""
    features: tuple[str, ...] = FEATURES
    gap_features: tuple[str, ...] = GAP_FEATURES
    calibration: dict[str, Any] = field(default_factory=dict)
    """How it did on the held-apart queries (see :func:`fit_match_model`)."""
    fitted_on: dict[str, Any] = field(default_factory=dict)
    """What it was fitted on: labelled and logged queries, the embedding model, when."""
    unmet_cap: float = 1.0
    """A result that misses a stated requirement (a certificate it lacks or let expire,
    another park or place, ownership, size) does not match, by the definition the labels
    follow: its probability is at most the share of such results that were labelled
    matches in the fitting data (label noise, about 1%), whatever its scores."""

    def decide(self, recommender: SupplierRecommender, items: Sequence[Recommendation],
               req: BuyerRequirements, query: str, *, named: bool = False) -> Decision:
        """The decision about one ranked list of results (best first) of ``recommender``;
        ``named``: the query looks a company up by its name, which is never a supply gap
        (nothing is missing from the market when a buyer looks for one firm)."""
        coverage = recommender.coverage(query, [r.doc_id for r in items])
        x = features(items, req, query, coverage)
        p = self.probabilities(x)
        gap_p = self.gap_probability(x, p)
        return Decision(p, self.threshold, gap_p, not named and gap_p >= self.gap_threshold)

    def gap_probability(self, x: np.ndarray, p: np.ndarray) -> float:
        """The probability that a search whose ranked results have features ``x`` and
        match probabilities ``p`` is a supply gap (1.0 with no result at all)."""
        if x.shape[0] == 0:
            return 1.0
        return self.gap_probability_of(gap_features(x, p))

    def gap_probability_of(self, row: np.ndarray) -> float:
        """The supply-gap probability of one search's :func:`gap_features`."""
        return float(logistic(row, self.gap_mean, self.gap_scale, self.gap_coef,
                              self.gap_intercept))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability that each row of ``x`` (as :func:`features` gives it) is a match."""
        if x.shape[0] == 0:
            return np.zeros(0)
        p = logistic(x, self.mean, self.scale, self.coef, self.intercept)
        unmet = x[:, FEATURES.index("unmet_share")] > 0
        return np.where(unmet, np.minimum(p, self.unmet_cap), p)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """The model :meth:`to_dict` wrote (ValueError if its features are not these)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        model = cls(**{**known, **{k: tuple(data.get(k, ())) for k in
                                   ("mean", "scale", "coef", "features", "gap_mean",
                                    "gap_scale", "gap_coef", "gap_features")}})
        if model.features != FEATURES or model.gap_features != GAP_FEATURES or not (
                len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)
                and len(model.gap_mean) == len(model.gap_scale) == len(model.gap_coef)
                == len(GAP_FEATURES)):
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
    fitting, apart = examples.part(~held), examples.part(held)
    fit_x, fit_y = fitting.x, fitting.y
    if len(fit_y) < 50 or len(set(fit_y.tolist())) < 2:
        raise ValueError(f"{len(fit_y)} examples ({int(fit_y.sum())} matches) are too few "
                         "to fit the match decision")
    mean, scale = standardisation(fit_x)
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit((fit_x - mean) / scale, fit_y, sample_weight=fitting.weight)
    unmet = fit_x[:, FEATURES.index("unmet_share")] > 0
    weights = fitting.weight if fitting.weight is not None else np.ones(len(fit_y))
    unmet_cap = (float(np.average(fit_y[unmet], weights=weights[unmet])) if unmet.any()
                 else 1.0)
    model = MatchModel(tuple(mean.tolist()), tuple(scale.tolist()),
                       tuple(clf.coef_[0].tolist()), float(clf.intercept_[0]),
                       unmet_cap=round(unmet_cap, 4))
    model = _fit_gap_decision(model, fitting, c=c)
    return replace(model, calibration=calibration(model, apart, fitted_on=len(fit_y)))


def _run_table(model: MatchModel, examples: Examples) -> tuple[np.ndarray, np.ndarray]:
    """Per query run: its :func:`gap_features` and whether it truly is a gap (run as a
    gap, or none of its first results is a match)."""
    p = model.probabilities(examples.x)
    xs, truth = [], []
    for (_, is_gap), rows in _runs(examples).items():
        xs.append(gap_features(examples.x[rows], p[rows]))
        truth.append(is_gap or not examples.y[rows].any())
    return np.array(xs).reshape(-1, len(GAP_FEATURES)), np.array(truth, dtype=bool)


def _fit_gap_decision(model: MatchModel, fitting: Examples, *, c: float) -> MatchModel:
    """``model`` with its supply-gap decision fitted on the query runs of ``fitting``
    (the per-result model already fitted there) and its threshold chosen."""
    from sklearn.linear_model import LogisticRegression

    x, truth = _run_table(model, fitting)
    if len(set(truth.tolist())) < 2:
        raise ValueError("the fitting queries need both searches that find a match and "
                         "searches that do not to fit the supply-gap decision")
    mean, scale = standardisation(x)
    clf = LogisticRegression(C=c, max_iter=5000)
    # each query run counts once, as for the threshold: a set weighted up to shape the
    # per-result model does not decide what a gap looks like in every collection
    clf.fit((x - mean) / scale, truth)
    model = replace(model, gap_mean=tuple(mean.tolist()), gap_scale=tuple(scale.tolist()),
                    gap_coef=tuple(clf.coef_[0].tolist()),
                    gap_intercept=float(clf.intercept_[0]))
    return replace(model, gap_threshold=_gap_threshold(model, fitting))


def _runs(examples: Examples) -> dict[tuple[str, bool], list[int]]:
    """The rows of the first :data:`DEPTH` results of each query run (a query as it is,
    or as a gap), in rank order: what the no-good-match banner looks at."""
    runs: dict[tuple[str, bool], list[int]] = {}
    for i, (g, is_gap) in enumerate(zip(examples.group, examples.gap.tolist(), strict=True)):
        rows = runs.setdefault((g, is_gap), [])
        if len(rows) < DEPTH:
            rows.append(i)
    return runs


def _gap_threshold(model: MatchModel, examples: Examples) -> float:
    """The banner threshold with the best recall of true gaps at :data:`GAP_PRECISION`
    (else the most precise one) on ``examples``, each query run counting once (a set
    weighted up to shape the model does not set the banner for every collection)."""
    x, truth = _run_table(model, examples)
    gap_p = np.array([model.gap_probability_of(row) for row in x])
    truly = max(int(truth.sum()), 1)
    choice, choice_key = 0.5, (-1.0, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2).tolist():
        said = gap_p >= t
        if not said.any():
            continue
        right = int((said & truth).sum())
        precision = right / int(said.sum())
        key = (right / truly, precision) if precision >= GAP_PRECISION else (-1.0, precision)
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
        no_match = model.gap_probability(examples.x[rows], p[rows]) >= model.gap_threshold
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


DEFAULT_MODEL_FILE = "match_model.json"
"""The decision shipped with the package (in ``corpora``): fitted on the fictional sample
and its labelled queries with the default embedding model, by
``flask --app webapp match-model fit --save-default``. Served until a rebuild fits one
on the collection's own labels (:func:`fit_for_index`)."""


@functools.lru_cache(maxsize=1)
def default_model() -> MatchModel:
    """The shipped decision (:data:`DEFAULT_MODEL_FILE`)."""
    path = corpus_file(DEFAULT_MODEL_FILE)
    return MatchModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def model_of(stored: Mapping[str, Any] | None) -> MatchModel:
    """The decision an index version recorded (``version.match_model``), else the shipped
    one: a version built before decisions were fitted, or one whose fit failed."""
    if stored and "coef" in stored:
        try:
            return MatchModel.from_dict(stored)
        except (TypeError, ValueError) as exc:
            log.warning("the index version's match decision is unusable (%s); the "
                        "shipped one is used", exc)
    return default_model()


def index_examples(
    recommender: SupplierRecommender,
    labelled: Sequence[Any],
    judged: Mapping[str, Mapping[str, int]],
    external_ids: Mapping[int, str],
    *,
    today: date | None = None,
    logged: Sequence[Any] = (),
) -> tuple[Examples, dict[str, int]]:
    """Examples from the labelled queries whose suppliers are in the collection (each run
    as it is and as a gap) and from the searches buyers acted on (``logged``:
    :class:`recommender.learn.ImplicitQuery`; a contacted supplier is a match, a
    shortlisted one related, the other results of those searches not matches), with
    how many queries of each kind were used."""
    present = set(external_ids.values())
    usable = [q for q in labelled
              if any(e in present and g >= 2 for e, g in judged.get(q.query_id, {}).items())]
    examples = collect_examples(recommender, usable, judged, external_ids, today=today)
    from_log = [_LoggedQuery(f"log:{q.key}", q.text) for q in logged]
    if from_log:
        log_grades = {f"log:{q.key}": {external_ids[d]: g for d, g in q.judged.items()
                                       if d in external_ids} for q in logged}
        examples = examples + collect_examples(recommender, from_log, log_grades,
                                               external_ids, today=today, gaps=False)
    return examples, {"labelled_queries": len(usable), "logged_queries": len(from_log)}


def fit_for_index(
    recommender: SupplierRecommender,
    labelled: Sequence[Any],
    judged: Mapping[str, Mapping[str, int]],
    external_ids: Mapping[int, str],
    *,
    today: date | None = None,
    logged: Sequence[Any] = (),
    model_id: str | None = None,
) -> dict[str, Any]:
    """The match decision for a newly built index, as ``version.match_model`` keeps it:
    fitted on :func:`index_examples`. When that is too little to fit,
    ``{"not_fitted": reason}``: the version is then served with the shipped decision
    (:func:`model_of`)."""
    examples, used = index_examples(recommender, labelled, judged, external_ids,
                                    today=today, logged=logged)
    try:
        model = fit_match_model(examples)
    except ValueError as exc:
        return {"not_fitted": f"{exc}; the shipped match decision is used", **used}
    return replace(model, fitted_on={**used, "model_id": model_id,
                                     "as_of": today.isoformat() if today else None}).to_dict()


@dataclass(frozen=True)
class _LoggedQuery:
    query_id: str
    text: str
