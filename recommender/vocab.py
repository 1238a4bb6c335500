"""Controlled vocabularies: sectors, processes, ownerships and parks, as lists of terms.

Sectors and processes (with product groups) are the nodes of the capability
taxonomy (:mod:`recommender.taxonomy`, ``corpora/taxonomy.tsv``); parks are the
parks and zones of today's Ho Chi Minh City (:mod:`recommender.places`,
``corpora/parks.tsv``). Profiles store keys (``cnc_machining``) and exact park
names (``KCN Tân Tạo``); labels are for people.

:func:`lookup` maps what a person typed (a key, a label, a synonym or a park
name, with or without diacritics) to the canonical value; :func:`suggest`
proposes the closest one when nothing matches.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .places import PARKS, Park
from .taxonomy import load_taxonomy
from .text import fold


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: the stored key, its labels and other names."""

    key: str
    vi: str
    en: str
    synonyms: tuple[str, ...] = ()


def _terms(kinds: tuple[str, ...]) -> tuple[Term, ...]:
    return tuple(Term(n.key, n.vi, n.en, (*n.vi_terms, *n.en_terms))
                 for n in load_taxonomy().of_kind(*kinds))


SECTORS: tuple[Term, ...] = _terms(("sector",))
PROCESSES: tuple[Term, ...] = _terms(("group", "process", "product"))
"""Every capability node of the taxonomy: groups, processes and product groups."""

OWNERSHIPS: tuple[Term, ...] = (
    Term("domestic", "doanh nghiệp trong nước", "domestic"),
    Term("fdi", "doanh nghiệp FDI", "foreign-invested (FDI)"),
    Term("joint_venture", "liên doanh", "joint venture"),
)

Vocabulary = Iterable[Term] | Iterable[Park]


def _folded(text: str) -> str:
    return " ".join(fold(text).replace("_", " ").replace("-", " ").replace("–", " ").split())


def _spellings(entry: Term | Park) -> list[str]:
    if isinstance(entry, Park):
        # "KCN Tân Tạo" is also written "Tân Tạo"
        bare = entry.name.split(" ", 1)[1]
        return [entry.name, bare, *entry.aliases]
    return [entry.key, entry.vi, entry.en, *entry.synonyms]


def lookup(value: str, vocabulary: Vocabulary) -> str | None:
    """The canonical key for ``value`` (a key, a label or a park name), or None.

    Matching ignores case, diacritics, ``_``/``-`` and repeated spaces, so
    ``"Cao su - nhựa"``, ``"rubber_plastics"`` and ``"kcn tan tao"`` all match.
    """
    return _index(tuple(vocabulary)).get(_folded(value))


@functools.lru_cache(maxsize=16)
def _index(vocabulary: tuple[Term | Park, ...]) -> dict[str, str]:
    """Folded spelling → key; the first entry wins if two share a spelling."""
    index: dict[str, str] = {}
    for entry in vocabulary:
        for spelling in _spellings(entry):
            index.setdefault(_folded(spelling), entry.key)
    return index


def suggest(value: str, vocabulary: Vocabulary) -> str | None:
    """The canonical key closest to ``value`` (difflib on folded text), or None.

    Used for "did you mean …" hints: the entry with a spelling at least 0.6
    similar, else the first whose spelling contains ``value`` as whole words.
    """
    wanted = _folded(value)
    if not wanted:
        return None
    best, best_ratio, containing = None, 0.0, None
    for entry in vocabulary:
        for spelling in _spellings(entry):
            folded = _folded(spelling)
            ratio = difflib.SequenceMatcher(None, wanted, folded).ratio()
            if ratio > best_ratio:
                best, best_ratio = entry.key, ratio
            if containing is None and len(wanted) >= 3 and f" {wanted} " in f" {folded} ":
                containing = entry.key  # "cnc" -> "cnc machining"
    return best if best_ratio >= 0.6 else containing


def label(key: str, vocabulary: Iterable[Term], lang: str = "vi") -> str:
    """The label of ``key`` in ``lang`` (``vi`` or ``en``); the key itself if unknown."""
    term = _by_key(vocabulary).get(key)
    if term is None:
        return key
    return term.vi if lang == "vi" else term.en


_KEY_TABLES: dict[int, tuple[tuple[Term, ...], dict[str, Term]]] = {}


def _by_key(vocabulary: Iterable[Term]) -> dict[str, Term]:
    """Key -> term of a vocabulary; remembered per tuple (the module's vocabularies), found
    by identity: hashing a tuple of a few hundred terms on every label cost a page 20 ms."""
    hit = _KEY_TABLES.get(id(vocabulary))
    if hit is not None and hit[0] is vocabulary:
        return hit[1]
    table = {t.key: t for t in vocabulary}
    if isinstance(vocabulary, tuple):
        if len(_KEY_TABLES) >= 16:
            _KEY_TABLES.clear()
        _KEY_TABLES[id(vocabulary)] = (vocabulary, table)
    return table


SECTOR_KEYS = frozenset(t.key for t in SECTORS)
PROCESS_KEYS = frozenset(t.key for t in PROCESSES)
PARK_NAMES = frozenset(p.name for p in PARKS)
