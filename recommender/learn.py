"""Learning the ranking's weights from how buyers use the results.

Buyers' actions on the results of a logged search are implicit judgements of
that query: a contact request says "this supplier fits" more strongly than a
shortlist entry (grades :data:`DEFAULT_GRADES`: contact 2, shortlist 1; clicks
are weak evidence and count only if a caller passes grades for them). Searches
with the same text (normalised, case-folded) pool their judgements; a supplier's
grade for a query is the strongest action any buyer took on it.

The judged queries are split by query, deterministically (a seeded hash of the
query, so the split does not depend on order or on how many queries came
before), into a tuning part and a held-apart part. A small grid search over the
ranking's real weights — the fusion weight ``alpha``, the glossary
``expansion_weight`` and the ``requirement_weight`` (:data:`~recommender.config.WEIGHT_NAMES`)
— picks the best nDCG@10 on the tuning part. The result is accepted only if the
held-apart part, which the search never saw, improves by at least a margin over
the configured weights, and only if there are enough judged queries to trust
either figure; otherwise the configured weights stay and the outcome says why.

Filters of the logged searches are not replayed: the whole collection is ranked,
which asks the same of a weight setting for every query.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .evaluation import score_run
from .rank import ProfileFacts, rank
from .recommend import POOL
from .requirements import parse_requirements
from .search import HybridIndex, SearchError
from .store.models import Interaction, InteractionKind, SearchLog
from .text import normalize

log = logging.getLogger(__name__)

METRIC = "nDCG@10"
DEFAULT_GRADES: Mapping[InteractionKind, int] = {InteractionKind.CONTACT: 2,
                                                 InteractionKind.SHORTLIST: 1}
"""Grade of each action; a kind not listed (impressions, clicks) is not a judgement."""
ALPHAS = tuple(round(0.1 * i, 1) for i in range(11))
EXPANSION_WEIGHTS = (0.0, 0.4, 0.8)
REQUIREMENT_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class ImplicitQuery:
    """A logged query text with the grade buyers' actions gave each supplier (doc id)."""

    key: str
    text: str
    judgements: dict[int, int]
    searches: int
    """Logged searches with this text that led to a judged action."""


@dataclass(frozen=True)
class LearnSettings:
    """How weights are learned; the defaults are what ``index rebuild`` uses."""

    alphas: tuple[float, ...] = ALPHAS
    expansion_weights: tuple[float, ...] = EXPANSION_WEIGHTS
    requirement_weights: tuple[float, ...] = REQUIREMENT_WEIGHTS
    min_queries: int = 40
    """Judged queries needed at all (tuning plus held apart)."""
    min_held: int = 10
    """Judged queries needed in the held-apart part."""
    margin: float = 1.0
    """nDCG@10 points the held-apart part must gain for learned weights to be used."""
    held_fraction: float = 0.3
    seed: int = 13
    max_queries: int = 300
    """The most-searched queries kept (each grid point costs one search per query)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.held_fraction < 1.0:
            raise ValueError(f"held_fraction must be between 0 and 1, not {self.held_fraction}")
        if self.margin < 0:
            raise ValueError("margin must be 0 or more nDCG@10 points")
        if self.min_queries < 2 or self.min_held < 1 or self.max_queries < self.min_queries:
            raise ValueError("need min_queries >= 2, min_held >= 1, max_queries >= min_queries")
        for name in ("alphas", "expansion_weights", "requirement_weights"):
            if not getattr(self, name):
                raise ValueError(f"{name} must list at least one value")


@dataclass
class LearningOutcome:
    """What learning found, and whether the learned weights should be used."""

    accepted: bool
    reason: str
    defaults: dict[str, float]
    weights: dict[str, float] | None = None
    """The learned weights (only when accepted)."""
    best: dict[str, float] | None = None
    """The best weights on the tuning part, accepted or not."""
    queries: int = 0
    judgements: int = 0
    tuning_queries: int = 0
    held_queries: int = 0
    tuning: dict[str, float] = field(default_factory=dict)
    """nDCG@10 on the tuning part: ``{"defaults": x, "learned": y}``."""
    held: dict[str, float] = field(default_factory=dict)
    """nDCG@10 on the held-apart part: ``{"defaults": x, "learned": y}``."""
    settings: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The evidence as stored in ``version.json``."""
        return {"metric": METRIC, **asdict(self)}


def query_key(text: str) -> str:
    """Searches whose texts differ only in case, spacing or Unicode form are one query."""
    return " ".join(normalize(text).casefold().split())


def read_implicit_judgements(
    session: Session, grades: Mapping[InteractionKind, int] = DEFAULT_GRADES
) -> list[ImplicitQuery]:
    """Judged queries from the interaction log joined to the search log, most searched first.

    Actions not tied to a logged search (a contact from a supplier's page reached
    directly) carry no query and are skipped.
    """
    if not grades or any(g < 1 for g in grades.values()):
        raise ValueError("grades must give each counted kind a grade of 1 or more")
    rows = session.execute(
        select(SearchLog.id, SearchLog.query, Interaction.profile_id, Interaction.kind)
        .join(SearchLog, Interaction.search_log_id == SearchLog.id)
        .where(Interaction.kind.in_(list(grades)))
        .order_by(SearchLog.id))
    texts: dict[str, str] = {}
    judged: dict[str, dict[int, int]] = {}
    searches: dict[str, set[int]] = {}
    for search_id, text, profile_id, kind in rows:
        key = query_key(text or "")
        if not key:
            continue
        texts.setdefault(key, text)
        grade = grades[InteractionKind(kind)]
        doc = judged.setdefault(key, {})
        doc[profile_id] = max(grade, doc.get(profile_id, 0))
        searches.setdefault(key, set()).add(search_id)
    found = [ImplicitQuery(k, texts[k], judged[k], len(searches[k])) for k in judged]
    found.sort(key=lambda q: (-q.searches, q.key))
    return found


def split_queries(
    queries: Iterable[ImplicitQuery], held_fraction: float = 0.3, seed: int = 13
) -> tuple[list[ImplicitQuery], list[ImplicitQuery]]:
    """(tuning, held apart): a query is held apart when its seeded hash falls below the fraction."""
    tuning, held = [], []
    for q in queries:
        (held if held_apart(q.key, held_fraction, seed) else tuning).append(q)
    return tuning, held


def held_apart(key: str, fraction: float = 0.3, seed: int = 13) -> bool:
    """Whether query ``key`` belongs to the held-apart part: a seeded hash, so the split
    depends neither on order nor on which other queries there are."""
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


class _Scorer:
    """nDCG@10 of weight settings on a set of judged queries (query vectors encoded once)."""

    def __init__(self, index: HybridIndex, facts: Mapping[int, ProfileFacts],
                 queries: Sequence[ImplicitQuery], today: date | None) -> None:
        self.index, self.facts, self.today = index, facts, today
        self.queries = list(queries)
        self.requirements = [parse_requirements(q.text) for q in self.queries]
        dense = [index.dense_query(q.text) for q in self.queries]
        unique = list(dict.fromkeys(dense))
        vectors = dict(zip(unique, index.encoder.encode_queries(unique), strict=True)) \
            if unique else {}
        self.vectors = [vectors[t] for t in dense]
        self.qrels = {q.key: {str(d): g for d, g in q.judgements.items()} for q in self.queries}

    def scores(self, alpha: float, expansion_weight: float,
               requirement_weights: Sequence[float]) -> dict[float, float]:
        """nDCG@10 for each requirement weight at one (alpha, expansion weight)."""
        view = self.index.with_config(self.index.config.with_weights(
            {"alpha": alpha, "expansion_weight": expansion_weight}))
        hits = [view.search(q.text, POOL, query_vector=v)
                for q, v in zip(self.queries, self.vectors, strict=True)]
        out = {}
        for weight in requirement_weights:
            run = {}
            for q, req, found in zip(self.queries, self.requirements, hits, strict=True):
                ranked = rank(found, req, self.facts, today=self.today, weight=weight,
                              capability_weight=self.index.config.capability_weight)
                run[q.key] = {str(r.doc_id): r.score for r in ranked}
            out[weight] = score_run(self.qrels, run)[METRIC]
        return out

    def score(self, weights: Mapping[str, float]) -> float:
        return self.scores(weights["alpha"], weights["expansion_weight"],
                           [weights["requirement_weight"]])[weights["requirement_weight"]]


def _axis(values: Sequence[float], default: float) -> list[float]:
    return sorted({round(float(v), 6) for v in values} | {round(default, 6)})


def learn_weights(
    index: HybridIndex,
    facts: Mapping[int, ProfileFacts],
    queries: Sequence[ImplicitQuery],
    settings: LearnSettings | None = None,
    *,
    today: date | None = None,
) -> LearningOutcome:
    """Tune the ranking weights on logged queries; accept them only if held-apart ones gain.

    Judgements of suppliers no longer in ``index`` are dropped, and queries left
    without any. The configured weights (``index.config``) are the baseline and are
    always among the candidates; on equal tuning scores the setting nearest to them
    wins, so noise does not move the weights.
    """
    settings = settings or LearnSettings()
    started = time.perf_counter()
    defaults = index.config.weights()
    present = set(index.windows)
    usable = []
    for q in queries:
        kept = {d: g for d, g in q.judgements.items() if d in present}
        if kept:
            usable.append(ImplicitQuery(q.key, q.text, kept, q.searches))
    usable = sorted(usable, key=lambda q: (-q.searches, q.key))[:settings.max_queries]
    tuning, held = split_queries(usable, settings.held_fraction, settings.seed)
    outcome = LearningOutcome(
        accepted=False, reason="", defaults=defaults, queries=len(usable),
        judgements=sum(len(q.judgements) for q in usable), tuning_queries=len(tuning),
        held_queries=len(held),
        settings={k: v for k, v in asdict(settings).items()})

    def done(reason: str) -> LearningOutcome:
        outcome.reason = reason
        outcome.duration_s = round(time.perf_counter() - started, 2)
        log.info("learning from use: %s", reason)
        return outcome

    if len(usable) < settings.min_queries:
        return done(f"kept the configured weights: only {len(usable)} judged queries in the "
                    f"interaction log (contacts and shortlists after a logged search), "
                    f"at least {settings.min_queries} are needed")
    if len(held) < settings.min_held or not tuning:
        return done(f"kept the configured weights: {len(held)} of {len(usable)} judged "
                    f"queries fell in the held-apart part, at least {settings.min_held} "
                    f"are needed")
    try:
        scorer = _Scorer(index, facts, tuning, today)
    except SearchError as exc:  # a logged text the search refuses now (limits changed)
        return done(f"kept the configured weights: a logged query cannot be searched: {exc}")
    alphas = _axis(settings.alphas, defaults["alpha"])
    expansions = _axis(settings.expansion_weights, defaults["expansion_weight"])
    req_weights = _axis(settings.requirement_weights, defaults["requirement_weight"])
    scale = {"alpha": 1.0, "expansion_weight": 1.0, "requirement_weight": 2.0}

    def distance(w: Mapping[str, float]) -> float:
        return sum(abs(w[k] - defaults[k]) / scale[k] for k in defaults)

    candidates = []
    for alpha, expansion in itertools.product(alphas, expansions):
        for weight, value in scorer.scores(alpha, expansion, req_weights).items():
            w = {"alpha": alpha, "expansion_weight": expansion, "requirement_weight": weight}
            candidates.append((value, -distance(w), w))
    best_value, _, best = max(candidates, key=lambda c: (c[0], c[1]))
    outcome.best = best
    at_defaults = next(v for v, d, _ in candidates if d == 0)  # the axes include the defaults
    outcome.tuning = {"defaults": at_defaults, "learned": best_value}
    if distance(best) == 0:
        outcome.held = {"defaults": _Scorer(index, facts, held, today).score(defaults)}
        return done("kept the configured weights: they score best on the tuning queries")
    held_scorer = _Scorer(index, facts, held, today)
    before, after = held_scorer.score(defaults), held_scorer.score(best)
    outcome.held = {"defaults": before, "learned": after}
    gain = after - before
    if gain < settings.margin:
        return done(f"kept the configured weights: held-apart {METRIC} {before:.2f} -> "
                    f"{after:.2f} ({gain:+.2f}), less than the margin of "
                    f"{settings.margin:.2f} points")
    outcome.accepted = True
    outcome.weights = dict(best)
    return done(f"learned weights improve held-apart {METRIC} {before:.2f} -> {after:.2f} "
                f"({gain:+.2f}, margin {settings.margin:.2f})")


Learner = Callable[[HybridIndex], LearningOutcome]


def make_learner(
    queries: Sequence[ImplicitQuery],
    facts: Mapping[int, ProfileFacts],
    settings: LearnSettings | None = None,
    *,
    today: date | None = None,
) -> Learner:
    """A learner for :func:`recommender.versions.rebuild`: learns on the index it builds."""
    def learn(index: HybridIndex) -> LearningOutcome:
        return learn_weights(index, facts, queries, settings, today=today)

    return learn


def describe(learning: Mapping[str, Any] | None) -> str:
    """One line saying what a version learned from use (from its ``version.json``)."""
    if not learning:
        return "learning from use: not run"
    if "carried_from" in learning:
        return f"learning from use: {learning.get('reason', '')}"
    parts = [f"learning from use: {learning.get('queries', 0)} judged queries "
             f"({learning.get('tuning_queries', 0)} tuning, "
             f"{learning.get('held_queries', 0)} held apart)"]
    best, defaults = learning.get("best"), learning.get("defaults") or {}
    if best:
        changed = [f"{k} {defaults.get(k, 0):.2f} -> {v:.2f}" for k, v in best.items()
                   if abs(v - defaults.get(k, v)) > 1e-9]
        parts.append("best on tuning: " + (", ".join(changed) or "the configured weights"))
    parts.append(learning.get("reason", ""))
    if "decision" in learning:
        parts.append(learning["decision"])
    return "; ".join(p for p in parts if p)
