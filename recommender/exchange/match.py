"""Matching offers to needs: the hybrid engine, the resource taxonomy and the rules.

Every listing (an offer or a need, :class:`Listing`) is indexed once in a
:class:`~recommender.search.HybridIndex` (dense multilingual-e5 + BM25, expanded with
the resource taxonomy's names in both languages). A listing's matches are the
listings of the other kind that the engine ranks for its text, re-scored with what
is known of both (:class:`ListingFacts`): the resource nodes they share, how far apart
they are, whether the amounts fit, and the law: hazardous waste goes only to a
licensed handler (:func:`~recommender.exchange.streams.licensed_handler`); a match
that breaks it is never returned. Each match says why (:attr:`ExchangeMatch.reasons`,
codes the web app words in the user's language).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from ..config import RetrievalConfig
from ..embed.encoder import Encoder
from ..places import Place, resolve
from ..resources import corpus_file
from ..search import HybridIndex, passage_text
from .quantities import Quantity, parse_quantity, quantity_fit
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
CANDIDATES = 50
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


def _stream_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The nodes both name (one names a node the other names or one below it), and
    whether they name nodes of one group (aluminium and copper scrap: related)."""
    streams = load_streams()
    same = [x for x in a for y in b
            if x == y or x in streams.ancestors(y) or y in streams.ancestors(x)]
    parents_a = {streams.nodes[x].parent for x in a} - {None}
    parents_b = {streams.nodes[y].parent for y in b} - {None}
    return tuple(dict.fromkeys(same)), bool(parents_a & parents_b)


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


class ExchangeIndex:
    """Every open listing, indexed for matching offers to needs and needs to offers."""

    def __init__(self, index: HybridIndex, listings: Sequence[Listing]) -> None:
        self.index = index
        self.listings = {x.listing_id: x for x in listings}

    @classmethod
    def build(cls, encoder: Encoder, listings: Sequence[Listing],
              config: RetrievalConfig | None = None) -> ExchangeIndex:
        index = HybridIndex.build(encoder, [x.listing_id for x in listings],
                                  [index_text(x) for x in listings], exchange_config(config),
                                  show_progress=False)
        return cls(index, listings)

    @classmethod
    def empty(cls, encoder: Encoder, config: RetrievalConfig | None = None) -> ExchangeIndex:
        return cls(HybridIndex(encoder, exchange_config(config)), [])

    def __len__(self) -> int:
        return len(self.listings)

    def upsert(self, listings: Sequence[Listing]) -> None:
        """Add or replace listings; matched from the next call on."""
        if listings:
            self.index.upsert([x.listing_id for x in listings], [index_text(x) for x in listings])
            self.listings.update({x.listing_id: x for x in listings})

    def remove(self, ids: Sequence[int]) -> None:
        """Forget listings (closed or deleted); unknown ids are ignored."""
        known = [i for i in ids if i in self.listings]
        if known:
            self.index.remove(known)
            for i in known:
                del self.listings[i]

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

        ``method`` ``bm25`` or ``dense`` and ``rules=False`` give the baselines the
        evaluation reports beside the served ranking; the law is applied always.
        """
        other = NEED if listing.kind == OFFER else OFFER
        ids = [i for i, x in self.listings.items()
               if x.kind == other and i != listing.listing_id
               and not (listing.owner and x.owner == listing.owner)]
        if not ids:
            return []
        query = passage_text(listing.what, listing.details) if listing.details else listing.what
        hits = self.index.search(query[:1900], max(k, CANDIDATES), method=method,
                                 allowed_ids=ids)
        found = []
        for hit in hits:
            candidate = self.listings[hit.doc_id]
            offer, need = (listing, candidate) if listing.kind == OFFER else (candidate, listing)
            if not allowed(offer, need):
                continue
            found.append(self._scored(offer, need, hit, rules))
        found.sort(key=lambda m: -m.score)
        return found[:k]

    def _scored(self, offer: Listing, need: Listing, hit, rules: bool) -> ExchangeMatch:
        other = need.listing_id if hit.doc_id == need.listing_id else offer.listing_id
        shared, related = _stream_overlap(offer.facts.streams.keys, need.facts.streams.keys)
        near = proximity(offer.facts.place, need.facts.place)
        ratio = quantity_fit(offer.facts.amount, need.facts.amount)
        reasons = []
        score = hit.score
        if shared:
            reasons.append("same_stream")
        elif related:
            reasons.append("related_stream")
        if near in NEIGHBOURS:
            reasons.append(near)
        local = offer.facts.streams.local or need.facts.streams.local
        if local and near not in NEIGHBOURS and near != UNKNOWN:
            reasons.append("too_far_for_stream")
        if ratio is not None:
            far_off = not 1 / QUANTITY_SPAN <= ratio <= QUANTITY_SPAN
            reasons.append("quantity_far_off" if far_off else "quantity_fits")
        if restricted(offer.facts.streams):
            reasons.append("licensed_handler")
        if rules:
            score += STREAM_WEIGHT * (1.0 if shared else RELATED_WEIGHT if related else 0.0)
            score -= FAR_PENALTY * ("too_far_for_stream" in reasons)
            score -= QUANTITY_PENALTY * ("quantity_far_off" in reasons)
        return ExchangeMatch(other, float(score), hit.dense, hit.lexical, shared, near,
                             None if ratio is None else round(float(ratio), 3),
                             tuple(reasons))

