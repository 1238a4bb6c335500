"""Diacritic restoration for queries typed without marks.

Buyers often type "linh kien nhua ep phun". BM25 matches that on the folded
field, but the encoder reads unmarked Vietnamese poorly (on the labelled
buyer queries, dense nDCG@10 fell from 58 for marked queries to 21 for
unmarked ones). The restorer puts the marks back using the indexed
documents' own statistics: every folded syllable has the marked forms seen in
the collection, and a Viterbi pass over syllable bigram counts picks the
likeliest sequence ("linh kiện nhựa ép phun"). Words the collection has never
seen, English words included, are left as typed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from .normalise import fold
from .segment import fold_phrase, tokens

MAX_CANDIDATES = 6


class DiacriticRestorer:
    """Bigram Viterbi over the marked syllables of a collection."""

    def __init__(self) -> None:
        self.unigrams: Counter[str] = Counter()
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.candidates: dict[str, list[str]] = {}

    @classmethod
    def from_syllables(cls, documents: Iterable[Sequence[str]]) -> DiacriticRestorer:
        """Learn from lower-cased marked syllable sequences, one per document."""
        restorer = cls()
        for syllables in documents:
            restorer.unigrams.update(syllables)
            restorer.bigrams.update(zip(syllables, syllables[1:], strict=False))
        forms: dict[str, list[str]] = defaultdict(list)
        for syllable, _ in restorer.unigrams.most_common():
            forms[fold(syllable)].append(syllable)
        restorer.candidates = {k: v[:MAX_CANDIDATES] for k, v in forms.items()}
        return restorer

    def __bool__(self) -> bool:
        return bool(self.unigrams)

    def restore(self, text: str, prior: str | None = None, prior_weight: float = 2.0) -> str:
        """The likeliest marked form of an unmarked text (lower-cased syllables).

        ``prior`` is another restoration of the same text (pyvi's, say); its
        syllables join the candidates with a bonus of ``prior_weight`` (log
        scale), so general words the collection lacks still get their marks.
        """
        words = fold_phrase(text).split()
        if not words:
            return ""
        hint = [t.lower() for t in tokens(prior.replace("_", " "))] if prior else []
        if len(hint) != len(words) or [fold(h) for h in hint] != words:
            hint = [""] * len(words)
        lattice = [list(dict.fromkeys((self.candidates.get(w) or [w]) + ([h] if h else [])))
                   for w, h in zip(words, hint, strict=True)]
        total = sum(self.unigrams.values()) + 1

        def emit(form: str, folded: str) -> float:
            seen = sum(self.unigrams[c] for c in self.candidates.get(folded, ())) or 1
            return math.log((self.unigrams[form] + 0.1) / (seen + 0.1))

        def move(a: str, b: str) -> float:
            return math.log((self.bigrams[(a, b)] + 0.01 * (self.unigrams[b] + 1) / total)
                            / (self.unigrams[a] + 1))

        def bonus(i: int, form: str) -> float:
            return prior_weight if hint[i] and form == hint[i] else 0.0

        best = [{c: (emit(c, words[0]) + bonus(0, c), [c]) for c in lattice[0]}]
        for i in range(1, len(words)):
            step = {}
            for c in lattice[i]:
                e = emit(c, words[i]) + bonus(i, c)
                prev, (score, path) = max(
                    best[-1].items(), key=lambda kv: kv[1][0] + move(kv[0], c)
                )
                step[c] = (score + move(prev, c) + e, path + [c])
            best.append(step)
        return " ".join(max(best[-1].values(), key=lambda v: v[0])[1])
