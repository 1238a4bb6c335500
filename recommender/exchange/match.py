"""Matching offers to needs: the hybrid engine, the resource taxonomy and the rules.

Every listing (an offer or a need, :class:`Listing`) is indexed once in a
:class:`~recommender.search.HybridIndex` (dense multilingual-e5 + BM25, expanded with
the resource taxonomy's names in both languages). A listing's matches are the
listings of the other kind that the engine finds for its text, ordered by what is
known of both (:class:`ListingFacts`): the engine's scores, the resource nodes they
share (read by the taxonomy's phrases and by the model, :func:`concepts`), how far
apart they are and whether the amounts fit, weighed by a ranker fitted on judged pairs
(:mod:`~recommender.exchange.rerank`). The law is applied before any order: hazardous
waste goes only to a licensed handler
(:func:`~recommender.exchange.streams.licensed_handler`); a match that breaks it is
never returned. Each match says why (:attr:`ExchangeMatch.reasons`, codes the web app
words in the user's language).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..config import RetrievalConfig
from ..embed.encoder import Encoder
from ..places import Place, resolve
from ..resources import corpus_file
from ..search import HybridIndex, passage_text
from .quantities import Quantity, parse_quantity, quantity_fit
from .rerank import (
    Candidate,
    ExchangeRanker,
    candidate_features,
    default_ranker,
    node_overlap,
)
from .streams import (
    STREAMS_FILE,
    StreamFacts,
    facts_of,
    licensed_handler,
    load_streams,
    restricted,
)

OFFER, NEED = "offer", "need"
STREAM_WEIGHT = 1.0
"""Score added when both name the same resource node (or one below the other)."""
RELATED_WEIGHT = 0.0
"""Share of it for nodes of one group only (aluminium offered, copper wanted): none, as a
recycler or user needs its own material; the match is still shown, as related."""
FAR_PENALTY = 1.5
"""Score taken from a stream that does not travel (steam, heat, water) between sites
that are not neighbours."""
QUANTITY_PENALTY = 0.5
"""Score taken when the amounts differ by more than :data:`QUANTITY_SPAN` either way."""
QUANTITY_SPAN = 10.0
CANDIDATES = 200
"""Listings of the other kind the engine passes to the ranker: all of them in a city's
exchange of a few hundred open listings, so a good match the words miss is still ranked."""
CONCEPT_TEMPERATURE = 0.02
"""Softmax temperature over a listing's cosine to each resource node (:func:`concepts`)."""
POTENTIAL_PER_NEED = 3

# proximity of two sites, nearest first
SAME_PARK, NEARBY, SAME_REGION, APART, UNKNOWN = (
    "same_park", "nearby", "same_region", "apart", "unknown")
NEIGHBOURS = frozenset({SAME_PARK, NEARBY})


@dataclass(frozen=True)
class Listing:
    """One offer or need as its firm wrote it."""

    listing_id: int
    kind: str
    """:data:`OFFER` or :data:`NEED`."""
    what: str
    details: str = ""
    quantity: str = ""
    frequency: str = ""
    site: str = ""
    """Where it is: a park or an address, as written (the firm's park by default)."""
    licence: str = ""
    """A need's stated licence (a hazardous-waste handler's), as written."""
    reference: str = ""
    """The id people use (``XO-001``, the external id of a sample listing)."""
    owner: str = ""
    """The firm that listed it; a firm's own listings are never its matches."""

    def __post_init__(self) -> None:
        if self.kind not in (OFFER, NEED):
            raise ValueError(f"a listing is an {OFFER!r} or a {NEED!r}, not {self.kind!r}")
        if not self.what.strip():
            raise ValueError("a listing says what is offered or needed")

    @cached_property
    def facts(self) -> ListingFacts:
        return ListingFacts.of(self)


@dataclass(frozen=True)
class ListingFacts:
    """What the rules read from a listing, computed once."""

    streams: StreamFacts
    amount: Quantity | None
    place: Place
    licensed: bool

    @classmethod
    def of(cls, listing: Listing) -> ListingFacts:
        return cls(facts_of(listing.what, listing.details),
                   parse_quantity(listing.quantity, listing.frequency),
                   resolve(listing.site) if listing.site else Place(),
                   licensed_handler(listing.licence))


@dataclass(frozen=True)
class ExchangeMatch:
    """One listing of the other kind, ranked for a listing, with the evidence."""

    listing_id: int
    score: float
    dense: float | None
    lexical: float | None
    shared: tuple[str, ...] = ()
    """Resource nodes both name (or one names below the other's)."""
    proximity: str = UNKNOWN
    quantity_ratio: float | None = None
    """Offered over needed amount, when both can be read in one unit."""
    reasons: tuple[str, ...] = field(default=())
    """Codes: ``same_stream``, ``related_stream``, ``same_park``, ``nearby``,
    ``too_far_for_stream``, ``quantity_fits``, ``quantity_far_off``,
    ``licensed_handler``."""


def proximity(a: Place, b: Place) -> str:
    """How near two sites are: the same park, the same former district (neighbours),
    the same former province, apart, or unknown when either is not known."""
    if not (a.park or a.area or a.region) or not (b.park or b.area or b.region):
        return UNKNOWN
    if a.park and a.park == b.park:
        return SAME_PARK
    if a.area and a.area == b.area:
        return NEARBY
    if a.region and a.region == b.region:
        return SAME_REGION
    return APART


def allowed(offer: Listing, need: Listing) -> bool:
    """Whether the law lets this offer go to this need: hazardous waste only to a
    licensed handler."""
    return not restricted(offer.facts.streams) or need.facts.licensed


def index_text(listing: Listing) -> str:
    """What is indexed for a listing: its words and the names of the resource nodes it
    names in both languages (so "ba dớ" meets "steel swarf")."""
    streams = load_streams()
    names = "; ".join(f"{streams.nodes[k].vi}; {streams.nodes[k].en}"
                      for k in listing.facts.streams.keys)
    body = " ".join(p for p in (listing.details, names) if p)
    return passage_text(listing.what, body)


def exchange_config(config: RetrievalConfig | None = None) -> RetrievalConfig:
    """The engine's settings with the resource taxonomy as the expansion glossary."""
    return replace(config or RetrievalConfig.from_env(), glossary=str(corpus_file(STREAMS_FILE)))


def node_text(key: str) -> str:
    """A resource node as the model reads it: its names and terms in both languages."""
    node = load_streams().nodes[key]
    return "; ".join(dict.fromkeys([node.vi, node.en, *node.vi_terms, *node.en_terms]))


@functools.lru_cache(maxsize=4)
def _node_vectors(encoder: Encoder) -> np.ndarray:
    streams = load_streams()
    return encoder.encode_queries([node_text(k) for k in streams.nodes])


def concepts(encoder: Encoder, vectors: np.ndarray) -> np.ndarray:
    """For each row of ``vectors`` (what listings offer or need, encoded), how much it is
    about each resource node: a softmax over its cosine to every node's names and terms,
    which reads what no phrase of the file names ("Oily wipes and absorbent pads")."""
    sims = vectors @ _node_vectors(encoder).T / CONCEPT_TEMPERATURE
    sims -= sims.max(axis=1, keepdims=True)
    p = np.exp(sims)
    return p / p.sum(axis=1, keepdims=True)


class ExchangeIndex:
    """Every open listing, indexed for matching offers to needs and needs to offers."""

    def __init__(self, index: HybridIndex, listings: Sequence[Listing],
                 ranker: ExchangeRanker | None = None) -> None:
        self.index = index
        self.listings: dict[int, Listing] = {}
        self._concepts: dict[int, np.ndarray] = {}
        self._remember(listings)
        self.ranker = ranker
        """The learned order (:mod:`~recommender.exchange.rerank`); None: the hand-set
        weights of the rules (:data:`STREAM_WEIGHT`, :data:`FAR_PENALTY`, ...)."""

    @classmethod
    def build(cls, encoder: Encoder, listings: Sequence[Listing],
              config: RetrievalConfig | None = None) -> ExchangeIndex:
        index = HybridIndex.build(encoder, [x.listing_id for x in listings],
                                  [index_text(x) for x in listings], exchange_config(config),
                                  show_progress=False)
        return cls(index, listings, default_ranker(encoder.model_id))

    @classmethod
    def empty(cls, encoder: Encoder, config: RetrievalConfig | None = None) -> ExchangeIndex:
        return cls(HybridIndex(encoder, exchange_config(config)), [],
                   default_ranker(encoder.model_id))

    def __len__(self) -> int:
        return len(self.listings)

    def _remember(self, listings: Sequence[Listing]) -> None:
        """Keep listings with their :func:`concepts` (what each offers or needs, encoded
        alone: the engine's vectors hold the details too)."""
        if not listings:
            return
        vectors = self.index.encoder.encode_queries([x.what for x in listings])
        about = concepts(self.index.encoder, vectors)
        for n, x in enumerate(listings):
            self.listings[x.listing_id] = x
            self._concepts[x.listing_id] = about[n]

    def upsert(self, listings: Sequence[Listing]) -> None:
        """Add or replace listings; matched from the next call on."""
        if listings:
            self.index.upsert([x.listing_id for x in listings], [index_text(x) for x in listings])
            self._remember(listings)

    def remove(self, ids: Sequence[int]) -> None:
        """Forget listings (closed or deleted); unknown ids are ignored."""
        known = [i for i in ids if i in self.listings]
        if known:
            self.index.remove(known)
            for i in known:
                del self.listings[i], self._concepts[i]

    def potential(self, k: int = POTENTIAL_PER_NEED) -> list[tuple[Listing, Listing,
                                                                    ExchangeMatch]]:
        """Potential exchanges: for each need, its first ``k`` offers that name the same
        resource or one of its group (``same_stream`` or ``related_stream``), as
        ``(offer, need, match)``, allowed by law."""
        out = []
        for need in [x for x in self.listings.values() if x.kind == NEED]:
            for m in self.matches(need, k):
                if {"same_stream", "related_stream"} & set(m.reasons):
                    out.append((self.listings[m.listing_id], need, m))
        return out

    def matches(self, listing: Listing, k: int = 10, *, method: str = "hybrid",
                rules: bool = True) -> list[ExchangeMatch]:
        """The listings of the other kind that best match ``listing``, best first.

        With ``rules`` a match's score is the :attr:`ranker`'s probability that staff
        would put it forward (or, with no ranker, the engine's score moved by the
        hand-set weights of the rules); ``method`` ``bm25`` or ``dense`` and
        ``rules=False`` give the baselines the evaluation reports beside the served
        ranking, scored by the engine alone. The law is applied always.
        """
        found = self.candidates(listing, max(k, CANDIDATES), method=method)
        if not found:
            return []
        if rules and self.ranker is not None:
            scores = self.ranker.probabilities(candidate_features([c for _, c in found]))
        elif rules:
            scores = [m.score + STREAM_WEIGHT * (1.0 if c.shared else RELATED_WEIGHT
                                                 if c.related else 0.0)
                      - FAR_PENALTY * c.too_far - QUANTITY_PENALTY * (c.quantity == "far_off")
                      for m, c in found]
        else:
            scores = [m.score for m, _ in found]
        ranked = sorted((replace(m, score=float(s)) for (m, _), s in zip(found, scores)),
                        key=lambda m: -m.score)
        return ranked[:k]

    def candidates(self, listing: Listing, n: int = CANDIDATES, *, method: str = "hybrid"
                   ) -> list[tuple[ExchangeMatch, Candidate]]:
        """The first ``n`` listings of the other kind the engine finds for ``listing``
        that the law allows, in its order, each with what the rules read of the pair
        (the match's score is the engine's)."""
        other = NEED if listing.kind == OFFER else OFFER
        ids = [i for i, x in self.listings.items()
               if x.kind == other and i != listing.listing_id
               and not (listing.owner and x.owner == listing.owner)]
        if not ids:
            return []
        query = passage_text(listing.what, listing.details) if listing.details else listing.what
        hits = self.index.search(query[:1900], n, method=method, allowed_ids=ids)
        about = self._about(listing)
        found = []
        for hit in hits:
            candidate = self.listings[hit.doc_id]
            offer, need = (listing, candidate) if listing.kind == OFFER else (candidate, listing)
            if allowed(offer, need):
                found.append(self._read(listing, candidate, offer, need, hit, about))
        return found

    def _read(self, listing: Listing, candidate: Listing, offer: Listing, need: Listing, hit,
              about: np.ndarray) -> tuple[ExchangeMatch, Candidate]:
        shared, exact, related, covered = node_overlap(listing.facts.streams.keys,
                                                       candidate.facts.streams.keys)
        near = proximity(offer.facts.place, need.facts.place)
        ratio = quantity_fit(offer.facts.amount, need.facts.amount)
        reasons = []
        if shared:
            reasons.append("same_stream")
        elif related:
            reasons.append("related_stream")
        if near in NEIGHBOURS:
            reasons.append(near)
        local = offer.facts.streams.local or need.facts.streams.local
        too_far = local and near not in NEIGHBOURS and near != UNKNOWN
        if too_far:
            reasons.append("too_far_for_stream")
        quantity = None
        if ratio is not None:
            quantity = ("fits" if 1 / QUANTITY_SPAN <= ratio <= QUANTITY_SPAN else "far_off")
            reasons.append("quantity_fits" if quantity == "fits" else "quantity_far_off")
        hazardous = restricted(offer.facts.streams)
        if hazardous:
            reasons.append("licensed_handler")
        match = ExchangeMatch(candidate.listing_id, float(hit.score), hit.dense, hit.lexical,
                              shared, near, None if ratio is None else round(float(ratio), 3),
                              tuple(reasons))
        return match, Candidate(
            float(hit.score), float(hit.dense or 0.0), float(hit.lexical or 0.0), shared,
            exact, related, (bool(listing.facts.streams.keys), bool(candidate.facts.streams.keys)),
            covered, near in NEIGHBOURS, too_far, quantity, hazardous,
            float(about @ self._concepts[candidate.listing_id]))

    def _about(self, listing: Listing) -> np.ndarray:
        """A listing's :func:`concepts`: kept when indexed, else read now (once)."""
        about = self._concepts.get(listing.listing_id)
        if about is None:
            about = concepts(self.index.encoder,
                             self.index.encoder.encode_queries([listing.what]))[0]
        return about
