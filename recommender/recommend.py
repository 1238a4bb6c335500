"""Supplier recommendations: search, requirement checks and explanations.

This is the one ranking the web pages, the JSON API and the command line all
use: hybrid retrieval (:mod:`recommender.search`) over a candidate pool,
re-ranked by the requirements the buyer stated (:mod:`recommender.rank`), each
result explained by the query terms and domain concepts it shares with the
profile and by the requirement checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from .places import without_places
from .rank import ProfileFacts, RequirementCheck, rank
from .requirements import CERTIFICATIONS, BuyerRequirements, parse_requirements
from .search import HybridIndex, SearchError, SearchHit
from .taxonomy import load_glossary
from .text import syllables
from .text.negation import affirmed
from .text.words import REQUEST_WORDS, english_stem

_CERTIFICATE_WORDS = frozenset(w for name in CERTIFICATIONS for w in syllables(name).folded)
POOL = 100
"""Hits re-ranked by requirements; the top-k is cut from these."""
SIMILAR_TEXT_CHARS = 1500
"""The start of a profile's text used as the lexical query for similar profiles."""


@dataclass(frozen=True)
class Recommendation:
    """One recommended supplier and why."""

    doc_id: int
    score: float
    text_score: float
    dense: float | None
    lexical: float | None
    matched_terms: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    checks: tuple[RequirementCheck, ...] = field(default_factory=tuple)
    capability: float = 0.0
    """How much of the processes and products the query names the profile holds, in
    [0, 1] (:func:`recommender.rank.capability_score`)."""

    def to_dict(self) -> dict[str, Any]:
        """Scores and explanation as the API and stored RFQ matches carry them."""
        return {"score": round(self.score, 4), "text_score": round(self.text_score, 4),
                "dense": None if self.dense is None else round(self.dense, 4),
                "lexical": None if self.lexical is None else round(self.lexical, 4),
                "matched_terms": list(self.matched_terms), "concepts": list(self.concepts),
                "requirements": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True)
class RecommendationList:
    """Recommendations for one query, with what was understood of the query."""

    query: str
    requirements: BuyerRequirements
    items: list[Recommendation]


@dataclass(frozen=True)
class TextView:
    """What explanations need of one profile text, derived once per text (not per search):
    its accent-folded syllables and the glossary concepts it names. About 1 ms of CPU per
    text, most of it glossary matching; a few hundred bytes each."""

    text: str
    folded: str
    """Distinct folded syllables, space-separated with a space at each end: ``" bo day "``."""
    concepts: tuple[str, ...]

    @classmethod
    def of(cls, text: str, glossary=None) -> TextView:
        # what the text says the firm does not do ("không nhận anodize") neither covers
        # a query nor explains a match
        said = affirmed(text)
        folded = " ".join(dict.fromkeys(syllables(said).folded))
        concepts = tuple(dict.fromkeys(c.key for c, _ in glossary.find(said))) \
            if glossary is not None else ()
        return cls(text, f" {folded} ", concepts)

    def shared_terms(self, query: QueryTerms) -> tuple[str, ...]:
        """Query syllables (as the query wrote them) that also occur in the text."""
        out: dict[str, str] = {}
        for syllable, folded in query.pairs:
            if folded not in out and f" {folded} " in self.folded:
                out[folded] = syllable
        return tuple(out.values())


@dataclass(frozen=True)
class QueryTerms:
    """A query's syllables with their folded forms, worked out once per search."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, query: str) -> QueryTerms:
        q = syllables(query)
        return cls(tuple(zip(q.syllables, q.folded, strict=True)))


def matched_terms(query: str, text: str) -> tuple[str, ...]:
    """Query syllables that also occur in ``text``, compared without diacritics."""
    return TextView.of(text).shared_terms(QueryTerms.of(query))


class SupplierRecommender:
    """Ranks suppliers for buyer queries over a :class:`HybridIndex`.

    ``requirement_weight`` defaults to the index's configuration, which carries the
    weights of the index version served (learned ones included, see
    :meth:`recommender.versions.IndexStore.load`).
    """

    def __init__(
        self,
        index: HybridIndex,
        facts: Mapping[int, ProfileFacts],
        texts: Mapping[int, str],
        *,
        requirement_weight: float | None = None,
        views: Mapping[int, TextView] | None = None,
    ) -> None:
        """``views``: explanation data derived by the recommender this one replaces (kept
        for the texts that did not change)."""
        self.index = index
        self.facts = facts
        self.texts = texts
        self.requirement_weight = (index.config.requirement_weight if requirement_weight is None
                                   else requirement_weight)
        self.glossary = load_glossary(index.config.glossary or None) \
            if index.config.glossary.lower() != "none" else None
        self._views: dict[int, TextView] = dict(views or {})

    def view(self, doc_id: int) -> TextView:
        """The explanation data of a profile's current text, derived on first use and again
        when the text changed (a live edit)."""
        text = self.texts.get(doc_id, "")
        view = self._views.get(doc_id)
        if view is None or view.text != text:
            view = self._views[doc_id] = TextView.of(text, self.glossary)
        return view

    def views(self) -> dict[int, TextView]:
        """A copy of the explanation data derived so far."""
        return dict(self._views)

    def prepare(self, doc_ids: Iterable[int] | None = None) -> int:
        """Derive the explanation data of ``doc_ids`` (default: every profile) ahead of
        searches; returns how many were derived. Run once after an index is served."""
        done = 0
        for doc_id in list(self.texts) if doc_ids is None else doc_ids:
            view = self._views.get(doc_id)
            if view is None or view.text != self.texts.get(doc_id, ""):
                self.view(doc_id)
                done += 1
        return done

    def recommend(
        self,
        query: str,
        k: int = 10,
        *,
        method: str = "hybrid",
        allowed_ids: Sequence[int] | np.ndarray | None = None,
        use_requirements: bool = True,
        today: date | None = None,
        query_vector: np.ndarray | None = None,
        explain: bool = True,
    ) -> RecommendationList:
        """The top-``k`` suppliers for ``query`` (raises SearchError on bad input)."""
        if not isinstance(k, int) or not 1 <= k <= 1000:
            raise SearchError("k must be an integer from 1 to 1000")
        hits = self.index.search(query, max(k, POOL), method=method, allowed_ids=allowed_ids,
                                 query_vector=query_vector)
        req = parse_requirements(query) if use_requirements else BuyerRequirements()
        ranked = rank(hits, req, self.facts, today=today,
                      weight=self.requirement_weight if use_requirements else 0.0,
                      capability_weight=(self.index.config.capability_weight
                                         if use_requirements else 0.0))[:k]
        items = [Recommendation(doc_id=r.doc_id, score=r.score, text_score=r.hit.score,
                                dense=r.hit.dense, lexical=r.hit.lexical, checks=r.checks,
                                capability=r.capability)
                 for r in ranked]
        if explain:
            items = self.explain(query, items)
        return RecommendationList(query=query, requirements=req, items=items)

    def coverage(self, query: str, doc_ids: Sequence[int]) -> np.ndarray:
        """How much of the query each profile's text holds: the idf-weighted share of the
        query's distinct words found in the text, accent-folded, leaving out how a request
        is phrased (:data:`~recommender.text.words.REQUEST_WORDS`) and the places and
        certificates it names (checked against the location and the certificate list). A
        word no profile holds weighs the most, so a query for what nobody offers is covered
        little by any result."""
        plain = without_places(query)
        words = [w for w in dict.fromkeys(syllables(plain).folded)
                 if w not in REQUEST_WORDS and w not in _CERTIFICATE_WORDS]
        out = np.zeros(len(doc_ids))
        if not words or not len(doc_ids):
            return out
        idf = self.index.lexical.idf(words)
        total = float(idf.sum())
        if total <= 0:
            return out
        padded = [f" {w} " for w in words]
        stems = [english_stem(w) for w in words]
        # a word of a glossary concept the profile names in any language is covered:
        # "gia công cơ khí chính xác" by a profile that writes "precision machining"
        named = [(c.key, frozenset(found)) for c, found in self.glossary.find(plain)] \
            if self.glossary is not None else []
        for i, doc_id in enumerate(doc_ids):
            view = self.view(doc_id)
            shared = frozenset().union(*(f for key, f in named if key in view.concepts))
            out[i] = sum(float(w) for t, stem, w in zip(padded, stems, idf, strict=True)
                         if t in view.folded or stem in shared) / total
        return out

    def similar(self, doc_id: int, k: int = 5) -> list[SearchHit]:
        """The ``k`` indexed profiles nearest to profile ``doc_id``: its own embedding as the
        dense query and its text as the lexical one, itself left out.

        Raises:
            KeyError: ``doc_id`` is not in the index.
        """
        vector = self.index.vector(doc_id)
        text = self.texts.get(doc_id, "")[:SIMILAR_TEXT_CHARS]
        others = [d for d in self.index.windows if d != doc_id]
        if not others:
            return []
        return self.index.search(text, min(k, len(others)), allowed_ids=others,
                                 query_vector=vector)

    def explain(self, query: str, items: Sequence[Recommendation]) -> list[Recommendation]:
        """``items`` with the query terms and glossary concepts each shares with its profile.

        Explaining a profile the first time costs about a millisecond (accent folding,
        glossary matching; :meth:`prepare` does it ahead for all), later only
        microseconds. A caller that shows one page of a longer ranking ranks with
        ``explain=False`` and explains only that page.
        """
        glossary = self.glossary
        query_concepts = {c.key for c, _ in glossary.find(query)} if glossary else set()
        # a place is checked against the profile's location, not highlighted in its text
        # ("Bình Dương" must not mark "Tam Bình" or "đường")
        words = QueryTerms.of(without_places(query))
        out = []
        for r in items:
            view = self.view(r.doc_id)
            concepts = tuple(k for k in view.concepts if k in query_concepts)
            out.append(replace(r, matched_terms=view.shared_terms(words), concepts=concepts))
        return out
