"""How buyers find one supplier: its rank for buyer queries, and what to add where it ranks low.

For a profile and a list of queries (recent real buyer searches plus queries
derived from the profile's own processes and sector, in Vietnamese and English)
every query is run through the real :class:`~recommender.recommend.SupplierRecommender`
over all suppliers, and the profile's rank is read off. Where the profile is
not on the first page, the suggestions say what the query asks for that the
profile does not show: domain concepts and words absent from the profile text,
certificates the query requires that the profile lacks or holds expired, and
the park it names. The same ranking tells which open RFQs a profile would now
match (:func:`rfq_ranks`, :func:`match_reasons`). No Flask here:
``webapp/portal/visibility.py`` and ``webapp/portal/rfqs.py`` serve it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import vocab
from .expand import Glossary
from .places import PARKS
from .rank import EXPIRED, MET, MISSING, UNKNOWN, ProfileFacts, check_requirements
from .recommend import SupplierRecommender, matched_terms
from .requirements import CERTIFICATIONS, parse_requirements
from .search import SearchError
from .text import check_query, syllables
from .text.words import REQUEST_WORDS

TOP = 10
"""A buyer sees the first page: ten results."""
DEPTH = 50
"""Ranks below this are reported as "not in the top 50"."""
MAX_QUERIES = 30

def _requirement_syllables() -> frozenset[str]:
    words = set()
    for name in (*CERTIFICATIONS, *(p.name for p in PARKS), "khu công nghiệp", "khu chế xuất",
                 "industrial park", "export processing zone", "kcn", "kcx", "epz"):
        words.update(syllables(name).syllables)
    return frozenset(words)


_REQUIREMENT_SYLLABLES = _requirement_syllables()
"""Syllables of certificate and park names, with their diacritics ("cầu" is one, "cấu"
not): a run of missing words stops there."""
REQUIREMENT_CONCEPTS = frozenset({"industrial_park", "export_processing_zone", "domestic"})
"""Glossary concepts that state a requirement (checked against facts, not text)."""


@dataclass(frozen=True)
class BuyerQuery:
    """One query to check: its text, where it came from and its language if known."""

    text: str
    source: str
    """``search_log`` (a buyer typed it), ``profile`` (derived from the profile's own
    processes and sector) or ``sector`` (a process common in its sector it does not list)."""
    lang: str | None = None
    searches: int = 0
    """How often buyers searched it (0 for derived queries)."""


@dataclass(frozen=True)
class QueryVisibility:
    """Where the profile ranks for one query, and what it could add to rank higher."""

    query: BuyerQuery
    rank: int | None
    """1-based rank among all suppliers; None: below :data:`DEPTH` or not found."""
    in_top: bool
    missing_terms: tuple[str, ...] = ()
    certifications: tuple[tuple[str, str, str], ...] = ()
    """(certificate, ``missing`` or ``expired``, detail) the query requires."""
    park: tuple[str, str, str] | None = None
    """(parks wanted, ``missing`` or ``unknown``, the profile's park) when not met."""
    others: tuple[tuple[str, str, str], ...] = ()
    """Other stated requirements not met: (kind, wanted, status)."""

    @property
    def has_suggestions(self) -> bool:
        return bool(self.missing_terms or self.certifications or self.park or self.others)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.text, "source": self.query.source, "lang": self.query.lang,
            "searches": self.query.searches, "rank": self.rank, "in_top": self.in_top,
            "suggestions": {
                "missing_terms": list(self.missing_terms),
                "certifications": [{"name": n, "status": s, "detail": d}
                                   for n, s, d in self.certifications],
                "park": None if self.park is None else {
                    "wanted": self.park[0], "status": self.park[1], "profile": self.park[2]},
                "other_requirements": [{"kind": k, "wanted": w, "status": s}
                                       for k, w, s in self.others],
            },
        }


def _dedupe_key(text: str) -> str:
    return " ".join(syllables(text).folded)


def derived_queries(processes: Sequence[str], sector: str | None,
                    certifications: Sequence[str] = (), glossary: Glossary | None = None,
                    limit: int = MAX_QUERIES,
                    sector_processes: Sequence[str] = ()) -> list[BuyerQuery]:
    """Queries a buyer looking for this profile's processes and sector might type, vi and en.

    Each process gives its vocabulary label in both languages and, from the
    glossary, the first other name of the concept in each language; the sector
    gives its labels; each certificate the profile lists is asked for with the
    main process ("gia công CNC đạt ISO 9001"). ``sector_processes`` (processes
    other suppliers of the sector list and this one does not) add their labels
    with source ``sector``: the sector's typical queries the profile may miss.
    """
    out: list[BuyerQuery] = []
    seen: set[str] = set()

    def add(text: str, lang: str, source: str = "profile") -> None:
        key = _dedupe_key(text)
        if key and key not in seen and len(out) < limit:
            seen.add(key)
            out.append(BuyerQuery(text, source, lang))

    concepts = {c.key: c for c in glossary.concepts} if glossary else {}
    for key in processes:
        add(vocab.label(key, vocab.PROCESSES, "vi"), "vi")
        add(vocab.label(key, vocab.PROCESSES, "en"), "en")
        concept = concepts.get(key)
        if concept is not None:
            for terms, lang in ((concept.vi, "vi"), (concept.en, "en")):
                for term in terms:
                    if _dedupe_key(term) not in seen:
                        add(term, lang)
                        break
    if sector:
        add(vocab.label(sector, vocab.SECTORS, "vi"), "vi")
        add(vocab.label(sector, vocab.SECTORS, "en"), "en")
    if processes:
        main_vi = vocab.label(processes[0], vocab.PROCESSES, "vi")
        main_en = vocab.label(processes[0], vocab.PROCESSES, "en")
        for cert in list(dict.fromkeys(certifications))[:2]:
            add(f"{main_vi} đạt {cert}", "vi")
            add(f"{main_en} {cert} certified", "en")
    for key in sector_processes:
        if key not in processes:
            add(vocab.label(key, vocab.PROCESSES, "vi"), "vi", "sector")
            add(vocab.label(key, vocab.PROCESSES, "en"), "en", "sector")
    return out


def frequent_missing_terms(queries: Iterable[BuyerQuery], profile_text: str,
                           glossary: Glossary | None = None,
                           limit: int = 10) -> list[tuple[str, int, int]]:
    """Terms buyers' queries ask for that the profile text lacks, most searched first.

    Every query's :func:`missing_terms` is weighted by how often it was searched
    (at least once). Returns ``(term, searches, queries)``: the searches and
    distinct queries that contained the term. Terms are grouped by their folded
    form, shown as first written.
    """
    shown: dict[str, str] = {}
    searches: dict[str, int] = {}
    count: dict[str, int] = {}
    for q in queries:
        for term in missing_terms(q.text, profile_text, glossary, limit=50):
            key = " ".join(syllables(term).folded)
            shown.setdefault(key, term)
            searches[key] = searches.get(key, 0) + max(1, q.searches)
            count[key] = count.get(key, 0) + 1
    order = sorted(shown, key=lambda k: (-searches[k], -count[k], k))
    return [(shown[k], searches[k], count[k]) for k in order[:limit]]


def missing_terms(query: str, profile_text: str, glossary: Glossary | None = None,
                  limit: int = 8) -> tuple[str, ...]:
    """What the query asks for that the profile text does not say, as the buyer wrote it.

    First the domain concepts of the query (glossary) none of whose names, in
    either language, occur in the profile; then the remaining content words of
    the query absent from the profile, as two-syllable words. Words that state requirements
    (certificates, parks) and function words are left out: those are checked
    as requirements, not as text.
    """
    q = syllables(query)
    doc = syllables(profile_text)
    doc_words = set(doc.folded)
    doc_joined = f" {' '.join(doc.folded)} "
    out: list[str] = []
    covered: set[int] = set()
    if glossary is not None:
        for concept, matched in glossary.find(query):
            if concept.key in REQUIREMENT_CONCEPTS:
                continue
            n = len(matched)
            start = next((i for i in range(len(q.folded) - n + 1)
                          if tuple(q.folded[i:i + n]) == matched and i not in covered), None)
            if start is None:
                continue
            covered.update(range(start, start + n))
            present = any(f" {' '.join(syllables(t).folded)} " in doc_joined
                          for t in concept.terms)
            if not present:
                phrase = " ".join(q.syllables[start:start + n])
                if phrase not in out:
                    out.append(phrase)
    # then the other syllables absent from the profile, in runs of adjacent ones cut
    # into two-syllable words (most Vietnamese words have two: "chống nước", "kết cấu").
    # A pair starts at an absent syllable (a run not at a function word); its second
    # syllable joins when the pair is absent ("nước" in "chống nước" even where the
    # profile says "trong nước"). Common function words are in every profile anyway.
    run: list[int] = []
    for i in range(len(q.folded) + 1):
        usable = i < len(q.folded) and i not in covered \
            and q.syllables[i] not in _REQUIREMENT_SYLLABLES and len(q.folded[i]) >= 2 \
            and not any(ch.isdigit() for ch in q.folded[i])
        if usable and len(run) % 2 == 1:  # second syllable: the pair must be new
            usable = f" {q.folded[i - 1]} {q.folded[i]} " not in doc_joined
        elif usable:  # first syllable: absent itself, and no function word starts a run
            usable = q.folded[i] not in doc_words and (run or q.folded[i] not in REQUEST_WORDS)
        if usable:
            run.append(i)
            continue
        for start in range(0, len(run), 2):
            chunk = run[start:start + 2]
            if all(q.folded[j] in REQUEST_WORDS for j in chunk):
                continue
            phrase = " ".join(q.syllables[j] for j in chunk)
            if phrase not in out:
                out.append(phrase)
        run = []
    return tuple(out[:limit])


def assess(
    recommender: SupplierRecommender,
    doc_id: int,
    profile_text: str,
    facts: ProfileFacts,
    queries: Iterable[BuyerQuery],
    *,
    glossary: Glossary | None = None,
    top: int = TOP,
    depth: int = DEPTH,
    today: date | None = None,
) -> list[QueryVisibility]:
    """The profile's rank for every query, with suggestions where it is not in the ``top``.

    Queries are encoded in one batch; each is then ranked over all suppliers,
    exactly as a buyer's search is. Queries the search refuses (empty, too
    long) are skipped.
    """
    today = today or date.today()
    usable: list[tuple[BuyerQuery, str]] = []
    for q in queries:
        try:
            usable.append((q, check_query(q.text)))
        except ValueError:
            continue
    if not usable:
        return []
    index = recommender.index
    vectors = index.encoder.encode_queries([index.dense_query(text) for _, text in usable])
    results = []
    for (q, text), vector in zip(usable, vectors, strict=True):
        try:
            found = recommender.recommend(text, depth, query_vector=vector, explain=False,
                                          today=today)
        except SearchError:
            continue
        rank = next((i for i, r in enumerate(found.items, 1) if r.doc_id == doc_id), None)
        in_top = rank is not None and rank <= top
        if in_top:
            results.append(QueryVisibility(q, rank, True))
            continue
        checks = check_requirements(parse_requirements(text), facts, today)
        certs = tuple((c.wanted, c.status, c.detail) for c in checks
                      if c.kind == "certification" and c.status in (MISSING, EXPIRED))
        park = next(((c.wanted, c.status, facts.park or "") for c in checks
                     if c.kind == "park" and c.status in (MISSING, UNKNOWN)), None)
        others = tuple((c.kind, c.wanted, c.status) for c in checks
                       if c.kind in ("ownership", "employees") and c.status != MET)
        results.append(QueryVisibility(
            q, rank, False, missing_terms(text, profile_text, glossary), certs, park, others))
    return results



def rfq_ranks(
    recommender: SupplierRecommender,
    doc_id: int,
    profile_text: str,
    facts: ProfileFacts,
    queries: Sequence[str],
    *,
    top: int = TOP,
    today: date | None = None,
) -> list[int | None]:
    """The profile's rank for each RFQ query where it is in the first ``top``, else None.

    Each query is searched over all suppliers, as when an RFQ is matched, so an
    edit that adds what an RFQ asks for shows here.
    """
    found = assess(recommender, doc_id, profile_text, facts,
                   [BuyerQuery(q, "rfq") for q in queries], top=top, depth=top, today=today)
    by_text = {v.query.text: v.rank for v in found}
    return [by_text.get(q) for q in queries]


def match_reasons(query: str, profile_text: str, facts: ProfileFacts,
                  today: date | None = None) -> dict[str, Any]:
    """Why a profile matches a query: the words they share and every stated requirement checked."""
    checks = check_requirements(parse_requirements(query), facts, today or date.today())
    return {"matched_terms": list(matched_terms(query, profile_text)),
            "requirements": [c.to_dict() for c in checks]}


def profile_suggestions(
    items: Sequence[dict[str, Any]],
    sector_queries: Sequence[BuyerQuery],
    profile_text: str,
    *,
    sector: str | None,
    park: str | None,
    capacity: str | None,
    common_processes: Sequence[str] = (),
    glossary: Glossary | None = None,
    lang: str = "vi",
) -> dict[str, Any]:
    """What to add to the profile, gathered over all the checked queries.

    ``items`` are :meth:`QueryVisibility.to_dict` results; certificates and parks
    they ask for are weighted by searches (at least one each). Terms come from
    the queries of the profile's sector; ``common_processes`` (taxonomy keys)
    are labelled in ``lang``.
    """
    certs: dict[str, dict[str, Any]] = {}
    parks: dict[str, int] = {}
    for v in items:
        weight = max(1, v["searches"])
        for c in v["suggestions"]["certifications"]:
            entry = certs.setdefault(c["name"], {"name": c["name"], "status": c["status"],
                                                 "queries": 0, "searches": 0})
            entry["queries"] += 1
            entry["searches"] += weight
        wanted = v["suggestions"]["park"]
        if wanted is not None:
            parks[wanted["wanted"]] = parks.get(wanted["wanted"], 0) + weight
    terms = frequent_missing_terms(sector_queries, profile_text, glossary)
    return {
        "sector": sector,
        "sector_queries": len(sector_queries),
        "terms": [{"term": t, "searches": n, "queries": q} for t, n, q in terms],
        "processes": [{"key": k, "label": vocab.label(k, vocab.PROCESSES, lang)}
                      for k in common_processes],
        "certifications": sorted(certs.values(), key=lambda c: (-c["searches"], c["name"])),
        "park": {"missing": not park, "wanted": sorted(parks, key=lambda w: -parks[w])},
        "capacity_missing": not capacity,
    }
