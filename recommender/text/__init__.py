"""Vietnamese text, one home for every step before encoding: normalise, fold, segment, restore.

* :mod:`.normalise`: NFC and one tone-mark style (:func:`normalize`), query
  checks, accent folding (:func:`fold`, :func:`has_diacritics`);
* :mod:`.segment`: pyvi word segmentation, tokens, the lexical views BM25
  scores, and phrases compared by their folded syllables (:func:`fold_phrase`);
* :mod:`.restore`: diacritics put back on unmarked queries from a
  collection's own syllable statistics.
"""

from __future__ import annotations

from .normalise import (
    MAX_QUERY_CHARS,
    TextError,
    check_query,
    decode_text,
    fold,
    has_diacritics,
    normalize,
    plain_text,
)
from .restore import DiacriticRestorer
from .segment import AnalyzedText, analyze, fold_phrase, segment, syllables, tokens

__all__ = [
    "MAX_QUERY_CHARS", "AnalyzedText", "DiacriticRestorer", "TextError", "analyze",
    "check_query", "decode_text", "fold", "fold_phrase", "has_diacritics", "normalize",
    "plain_text", "segment", "syllables", "tokens",
]
