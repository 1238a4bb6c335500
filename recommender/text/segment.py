"""Word segmentation and the lexical views of a text.

:func:`segment` joins multi-syllable words with ``_`` using pyvi
("linh_kiện điện_tử"). pyvi cannot segment text typed without diacritics, so
lexical search also indexes :func:`~.normalise.fold`-ed syllables, and a
phrase is compared with another by its folded syllables (:func:`fold_phrase`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .normalise import fold, normalize

_TOKEN = re.compile(r"[^\W_]+(?:_[^\W_]+)*")


@functools.lru_cache(maxsize=1)
def _pyvi():
    from pyvi import ViTokenizer

    return ViTokenizer


def segment(text: str) -> str:
    """pyvi word segmentation of normalised text ("linh_kiện điện_tử")."""
    if not text:
        return ""
    return _pyvi().tokenize(text)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of a text (underscores inside words are kept)."""
    return _TOKEN.findall(text.lower())


def _fold_each(parts: list[str]) -> list[str]:
    """``[fold(p) for p in parts]`` in one pass (folding is per character, parts hold no
    space)."""
    return fold(" ".join(parts)).split(" ") if parts else []


def fold_phrase(text: str) -> str:
    """A phrase as the taxonomy compares it: syllables folded, lower case, ``_`` as space."""
    return fold(" ".join(tokens(text.replace("_", " "))))


@dataclass(frozen=True)
class AnalyzedText:
    """The lexical views of one text that the BM25 index scores."""

    words: list[str]
    """pyvi words, lower-cased: ``linh_kiện``."""
    syllables: list[str]
    """single syllables, lower-cased: ``linh``, ``kiện``."""
    folded: list[str]
    """syllables without diacritics: ``linh``, ``kien``."""


def syllables(text: str) -> AnalyzedText:
    """Normalise and fold one text into syllables, without word segmentation.

    BM25 and explanations need only syllables (bigrams stand in for words),
    and skipping pyvi makes indexing about 15 times faster; ``words`` holds
    the syllables here.
    """
    sylls = tokens(normalize(text).replace("_", " "))
    return AnalyzedText(words=sylls, syllables=sylls, folded=_fold_each(sylls))


def analyze(text: str) -> AnalyzedText:
    """Normalise, segment and fold one text into its lexical views."""
    norm = normalize(text)
    words = tokens(segment(norm))
    syllables = [s for w in words for s in w.split("_")]
    return AnalyzedText(words=words, syllables=syllables, folded=_fold_each(syllables))
