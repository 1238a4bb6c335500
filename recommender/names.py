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
A descriptive name shares words with the trade it names ("Trục Cao Su Tân Lợi"), so a
part found counts only when the name holds most of what the query asks; written with
marks, the marks must agree ("dung sai" is not "Gia Dụng Sài Gòn").
A name written out in full, legal form aside, is a lookup too ("Mạ Kẽm Nhúng Nóng
Phú Mỹ", whose only distinctive part is a place).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from .places import without_places
from .taxonomy import load_glossary
from .text import fold, has_diacritics, normalize
from .text.segment import tokens
from .text.words import REQUEST_WORDS, english_stem, vietnamese_syllable

MAX_NAMES = 3
"""A name part held by more names than this is a common word, not a name."""
MAX_WHOLE = 8
"""Names of up to this many words (legal form aside) are also found written out whole."""
MIN_SHARE = 0.5
"""A query that names a distinctive part of a name looks that company up only when the
name holds more than this share of what the query asks (its words, legal forms and
request wording aside): "boc lai truc cao su may in" shares "trục cao su" with "Trục
Cao Su Tân Lợi" but asks for a service, "cong ty sao mai" is all name."""
LEGAL_WORDS = frozenset(
    "cong ty cty ctcp tnhh mtv co phan cp jsc ltd co corp corporation company inc llc dntn doanh "
    "nghiep tu nhan chi nhanh hop tac xa htx ho kinh ho kd co so xuong nha may".split())
"""Folded words of legal forms and of "workshop", "factory", "branch"."""
COMMON_NAME_WORDS = frozenset(
    "vietnam viet nam vn saigon international global group industrial industries industry "
    "technology technologies tech trading enterprise enterprises services solutions products "
    "asia pacific limited".split())
"""Words many company names carry ("… Vietnam Co., Ltd", "… Industrial Group")."""


def _words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a name or query as written (lower case, marks kept) and folded."""
    marked = tuple(w for w in tokens(normalize(text).replace("_", " ")) if w.isalnum())
    return marked, tuple(fold(" ".join(marked)).split()) if marked else ()


@lru_cache(maxsize=1)
def _trade_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words of the glossary's terms ("finishing", "cơ khí"): Vietnamese words with
    their marks, and every word folded (English ones as stems). They say what a company
    does, not which company it is; written with marks, "Tân Lợi" is no "tản nhiệt" or
    "lõi", though folded they share words."""
    marked: set[str] = set()
    folded: set[str] = set()
    for concept in load_glossary().concepts:
        for term in concept.terms:
            as_written, plain = _words(term)
            if has_diacritics(term):
                marked.update(as_written)
            folded.update(english_stem(w) for w in plain)
    return frozenset(marked), frozenset(folded)


def _is_trade_word(marked: str, folded: str, with_marks: bool) -> bool:
    trade_marked, trade_folded = _trade_words()
    if not vietnamese_syllable(folded):
        return english_stem(folded) in trade_folded
    return marked in trade_marked if with_marks else folded in trade_folded


def name_parts(name: str) -> list[tuple[str, ...]]:
    """The parts of a name that may identify it (folded): foreign words that are neither
    words of a trade nor common in names, and pairs of consecutive words that are not
    both words of a trade."""
    marked, folded = _words(name)
    with_marks = has_diacritics(name)
    kept = [(m, f) for m, f in zip(marked, folded, strict=True) if f not in LEGAL_WORDS]
    parts: list[tuple[str, ...]] = [
        (f,) for m, f in kept
        if len(f) >= 4 and not vietnamese_syllable(f) and f not in COMMON_NAME_WORDS
        and not _is_trade_word(m, f, with_marks)]
    parts += [(a[1], b[1]) for a, b in zip(kept, kept[1:], strict=False)
              if not (_is_trade_word(*a, with_marks) and _is_trade_word(*b, with_marks))
              and a[1] not in REQUEST_WORDS | COMMON_NAME_WORDS
              and b[1] not in REQUEST_WORDS | COMMON_NAME_WORDS]
    return parts


class NameIndex:
    """Distinctive name parts of a set of profiles (doc id -> name), kept current by
    :meth:`sync` at the cost of the names that changed, not of every name.

    Parts are filed folded; a query written with marks matches a name written with
    marks only where the marks agree ("dung sai" is no "Gia Dụng Sài Gòn").
    """

    def __init__(self, names: Mapping[int, str] | None = None) -> None:
        self._names: dict[int, str] = {}
        self._holders: dict[tuple[str, ...], set[int]] = {}
        # a name written out in full ("Mạ Kẽm Nhúng Nóng Phú Mỹ"), places and all
        self._whole: dict[tuple[str, ...], set[int]] = {}
        self._marked: dict[int, tuple[str, ...]] = {}
        """Each name's words with their marks, for names written with them."""
        self._cores: dict[int, frozenset[str]] = {}
        """Each name's folded words, legal form aside."""
        self.sync(names or {})

    def sync(self, names: Mapping[int, str]) -> int:
        """Make the index hold exactly ``names``; returns how many entries changed."""
        changed = [d for d, name in names.items() if self._names.get(d) != name]
        changed += [d for d in self._names if d not in names]
        for doc_id in changed:
            old = self._names.pop(doc_id, None)
            self._marked.pop(doc_id, None)
            self._cores.pop(doc_id, None)
            if old is not None:
                self._file(doc_id, old, remove=True)
            if doc_id in names:
                self._names[doc_id] = names[doc_id]
                if has_diacritics(names[doc_id]):
                    self._marked[doc_id] = _words(names[doc_id])[0]
                self._cores[doc_id] = frozenset(_core(names[doc_id]))
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

    def _agrees(self, doc_id: int, marked: tuple[str, ...]) -> bool:
        """The name holds these words as written (a name without marks: any marks)."""
        name = self._marked.get(doc_id)
        if name is None:
            return True
        n = len(marked)
        return any(name[i:i + n] == marked for i in range(len(name) - n + 1))

    def lookup(self, query: str) -> set[int]:
        """Profiles whose distinctive name part the query names, when the name holds most
        of what the query asks (more than :data:`MIN_SHARE`), or whose name the query writes out
        whole (empty: not a lookup)."""
        marked, folded = _words(without_places(query))
        with_marks = has_diacritics(query)
        asked = {f for f in folded if f not in LEGAL_WORDS and f not in REQUEST_WORDS}
        found: set[int] = set()
        spans = [(i, 1) for i in range(len(folded))] + [(i, 2) for i in range(len(folded) - 1)]
        for i, n in spans:
            holders = self._holders.get(folded[i:i + n], ())
            if not holders or len(holders) > MAX_NAMES:  # held by many names: a common word
                continue
            for doc_id in holders:
                if with_marks and not self._agrees(doc_id, marked[i:i + n]):
                    continue
                if len(asked & self._cores[doc_id]) > MIN_SHARE * len(asked):
                    found.add(doc_id)
        core = _core(query)
        for n in range(2, min(MAX_WHOLE, len(core)) + 1):
            for i in range(len(core) - n + 1):
                found |= self._whole.get(core[i:i + n], set())
        return found


def _core(text: str) -> tuple[str, ...]:
    """The folded words of a name or query without its legal form."""
    return tuple(w for w in _words(text)[1] if w not in LEGAL_WORDS)
