"""Bilingual query expansion from a domain glossary.

Buyers write in Vietnamese (with or without diacritics) or English, and
profiles are mostly Vietnamese. The small multilingual encoder bridges the
languages only roughly, and BM25 not at all, so a query's domain terms are
looked up in a glossary of concepts (the capability taxonomy,
``corpora/taxonomy.tsv``: every node's Vietnamese and English names and
synonyms) and the other terms of every concept found are searched too, at a
lower weight than the buyer's own words.

Terms match on accent-folded, lower-cased syllables at syllable boundaries,
so "bo day dien", "bó dây điện" and "wire harness" find the same concept; English
words are compared by their stems (:func:`recommender.text.words.english_stem`), so
"forged blanks" finds forging and "moulded parts" injection moulding.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .text import fold_phrase
from .text.words import english_stem


@dataclass(frozen=True)
class Concept:
    """One domain concept and its names in both languages."""

    key: str
    vi: tuple[str, ...]
    en: tuple[str, ...]
    kind: str = ""
    """The taxonomy kind; an ``ignore`` concept consumes its words and is never reported."""

    @property
    def terms(self) -> tuple[str, ...]:
        return self.vi + self.en


@dataclass(frozen=True)
class Expansion:
    """Concepts found in a query and the extra terms they bring."""

    concepts: tuple[str, ...]
    terms: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ; ".join(self.terms)


def _key(text: str) -> tuple[str, ...]:
    """Folded syllables, English words reduced to their stem (``forged`` → ``forg``)."""
    return tuple(english_stem(w) for w in fold_phrase(text).split())


class Glossary:
    """Concept lookup by folded syllable n-grams."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self._index: dict[tuple[str, ...], list[int]] = {}
        # the terms as written (folded, not stemmed): where stems make two concepts one
        # ("blow molding" the process, "blow mold" the tool), the one written so wins
        self._written: dict[tuple[str, ...], set[int]] = {}
        for i, concept in enumerate(concepts):
            for term in concept.terms:
                key = _key(term)
                if key:
                    self._index.setdefault(key, []).append(i)
                    self._written.setdefault(tuple(fold_phrase(term).split()), set()).add(i)
        self._longest = max((len(k) for k in self._index), default=0)

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a TSV with columns ``concept``, ``vi``, ``en`` (terms ``;``-separated)."""
        path = Path(path)
        concepts = []
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            if not {"concept", "vi", "en"} <= set(reader.fieldnames or ()):
                raise ValueError(f"{path}: expected columns concept, vi, en")
            for n, row in enumerate(reader, 2):
                vi = tuple(t.strip() for t in (row["vi"] or "").split(";") if t.strip())
                en = tuple(t.strip() for t in (row["en"] or "").split(";") if t.strip())
                if not row["concept"] or not (vi or en):
                    raise ValueError(f"{path}:{n}: a concept needs a key and at least one term")
                concepts.append(Concept(row["concept"].strip(), vi, en))
        return cls(concepts)

    def find(self, text: str) -> list[tuple[Concept, tuple[str, ...]]]:
        """Concepts whose terms occur in ``text``, longest match first, left to right; a
        match gives way to a longer one that starts inside it ("xưởng in 3D kim loại" is
        3D printing, not a print shop)."""
        written = tuple(fold_phrase(text).split())
        syllables = tuple(english_stem(w) for w in written)
        found: list[tuple[Concept, tuple[str, ...]]] = []
        seen: set[int] = set()
        i = 0
        while i < len(syllables):
            n, hits = self._longest_at(syllables, i)
            if not hits or any(m >= n and j + m > i + n for j in range(i + 1, i + n)
                               for m in (self._longest_at(syllables, j)[0],)):
                i += 1
                continue
            exact = self._written.get(written[i : i + n], set())
            if len(hits) > 1 and exact & set(hits):
                hits = [c for c in hits if c in exact]
            for c in hits:
                if c not in seen and self.concepts[c].kind != "ignore":
                    seen.add(c)
                    found.append((self.concepts[c], syllables[i : i + n]))
            i += n
        return found

    def _longest_at(self, syllables: tuple[str, ...], i: int) -> tuple[int, list[int]]:
        """The longest term starting at syllable ``i``: its length and concepts."""
        for n in range(min(self._longest, len(syllables) - i), 0, -1):
            hits = self._index.get(syllables[i : i + n])
            if hits:
                return n, hits
        return 0, []

    def expand(self, text: str) -> Expansion:
        """The other names of every concept in ``text`` (terms already there are skipped)."""
        present = " ".join(_key(text))
        concepts, terms = [], []
        for concept, _ in self.find(text):
            concepts.append(concept.key)
            for term in concept.terms:
                folded = " ".join(_key(term))
                if folded and f" {folded} " not in f" {present} " and term not in terms:
                    terms.append(term)
        return Expansion(tuple(concepts), tuple(terms))
