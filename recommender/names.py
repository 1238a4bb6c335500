"""Queries that look a company up by its name.

A buyer who types "Fenelanix" or "cong ty Sao Mai" wants that company, not a
capability: such a search is never a supply gap, whatever its results score.
A query looks a company up when it names a *distinctive* part of some profile's
name: a word that cannot be a Vietnamese syllable (an invented or foreign
brand, "Kryotek") or two consecutive syllables ("sao mai"), held by at most
:data:`MAX_NAMES` names, once legal forms ("Công ty TNHH", "JSC", "Co., Ltd")
are set aside. The places a query names are cut out first, so "ép nhựa KCN Tân
Tạo" is not a lookup of a company called "Nhựa Tân Tạo"; and what is common to
many names ("cơ khí", "kỹ thuật", "Việt Nam") or a term of the trade never counts.
A name written out in full, legal form aside, is a lookup too ("Mạ Kẽm Nhúng Nóng
Phú Mỹ", whose only distinctive part is a place).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from .places import without_places
from .taxonomy import load_glossary
from .text import fold_phrase
from .text.words import english_stem, vietnamese_syllable

MAX_NAMES = 3
"""A name part held by more names than this is a common word, not a name."""
MAX_WHOLE = 8
"""Names of up to this many words (legal form aside) are also found written out whole."""
LEGAL_WORDS = frozenset(
    "cong ty cty ctcp tnhh mtv co phan cp jsc ltd co corp corporation company inc llc dntn doanh "
    "nghiep tu nhan chi nhanh hop tac xa htx ho kinh ho kd co so xuong nha may".split())
"""Folded words of legal forms and of "workshop", "factory", "branch"."""


@lru_cache(maxsize=1)
def _domain_parts() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Stems of the words, and the consecutive pairs of syllables, of the glossary's terms
    ("finishing", "equipment", "co khi"): the words of a trade, which say what a company
    does, not which company it is."""
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for concept in load_glossary().concepts:
        for term in concept.terms:
            folded = fold_phrase(term).split()
            words.update(english_stem(w) for w in folded)
            pairs.update(zip(folded, folded[1:], strict=False))
    return frozenset(words), frozenset(pairs)


def name_parts(name: str) -> list[tuple[str, ...]]:
    """The parts of a name that may identify it: foreign words, and pairs of syllables
    that are not both words of a trade."""
    domain_words, domain_pairs = _domain_parts()
    words = [w for w in fold_phrase(name).split() if w.isalnum() and w not in LEGAL_WORDS]
    parts: list[tuple[str, ...]] = [
        (w,) for w in words
        if len(w) >= 4 and not vietnamese_syllable(w) and english_stem(w) not in domain_words]
    parts += [pair for pair in zip(words, words[1:], strict=False) if pair not in domain_pairs]
    return parts


class NameIndex:
    """Distinctive name parts of a set of profiles (doc id -> name), kept current by
    :meth:`sync` at the cost of the names that changed, not of every name."""

    def __init__(self, names: Mapping[int, str] | None = None) -> None:
        self._names: dict[int, str] = {}
        self._holders: dict[tuple[str, ...], set[int]] = {}
        # a name written out in full ("Mạ Kẽm Nhúng Nóng Phú Mỹ"), places and all
        self._whole: dict[tuple[str, ...], set[int]] = {}
        self.sync(names or {})

    def sync(self, names: Mapping[int, str]) -> int:
        """Make the index hold exactly ``names``; returns how many entries changed."""
        changed = [d for d, name in names.items() if self._names.get(d) != name]
        changed += [d for d in self._names if d not in names]
        for doc_id in changed:
            old = self._names.pop(doc_id, None)
            if old is not None:
                self._file(doc_id, old, remove=True)
            if doc_id in names:
                self._names[doc_id] = names[doc_id]
                self._file(doc_id, names[doc_id], remove=False)
        return len(changed)

    def _file(self, doc_id: int, name: str, *, remove: bool) -> None:
        core = _core(name)
        keys = [(self._holders, part) for part in set(name_parts(name))]
        if 2 <= len(core) <= MAX_WHOLE:
            keys.append((self._whole, core))
        for table, key in keys:
            holders = table.setdefault(key, set())
            if remove:
                holders.discard(doc_id)
                if not holders:
                    del table[key]
            else:
                holders.add(doc_id)

    def lookup(self, query: str) -> set[int]:
        """Profiles whose distinctive name part the query names (empty: not a lookup)."""
        words = [w for w in fold_phrase(without_places(query)).split() if w.isalnum()]
        found: set[int] = set()
        for part in [(w,) for w in words] + list(zip(words, words[1:], strict=False)):
            holders = self._holders.get(part, ())
            if len(holders) <= MAX_NAMES:  # held by many names: a common word
                found |= set(holders)
        core = _core(query)
        for n in range(2, min(MAX_WHOLE, len(core)) + 1):
            for i in range(len(core) - n + 1):
                found |= self._whole.get(core[i:i + n], set())
        return found


def _core(text: str) -> tuple[str, ...]:
    """The folded words of a name or query without its legal form."""
    return tuple(w for w in fold_phrase(text).split() if w.isalnum() and w not in LEGAL_WORDS)
