"""Query words marked in a profile text: spans compared without diacritics, and the
escaped snippet with ``<mark>`` around them (result lists, supplier pages, the API's
``highlights``)."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from recommender.text import fold

# function words that match everywhere: not worth a highlight (API terms keep them)
_NO_HIGHLIGHT = frozenset(
    "va voi cho co cac la cua tai trong o can tim nha cung cap cong ty chung toi mot "
    "nhung duoc the and or of for with to in a an the we need supplier suppliers "
    "company".split())
_WORD = re.compile(r"\w+")



@lru_cache(maxsize=256)
def _folded_words(text: str) -> tuple[tuple[int, int, str], ...]:
    """Each word of a text whose folding changes its length (decomposed marks), with its
    span, accent-folded."""
    # folding drops every mark, so the tone-mark placement normalize() unifies cannot matter
    return tuple((m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text))


def _whole_words(folded: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of ``folded`` where one of ``words`` stands as a whole word (``\\w`` runs)."""
    spans = []
    for word in words:
        at = folded.find(word)
        while at != -1:
            end = at + len(word)
            if (at == 0 or not _WORD.match(folded, at - 1)) and \
                    (end == len(folded) or not _WORD.match(folded, end)):
                spans.append((at, end))
            at = folded.find(word, end)
    return sorted(spans)


def highlight_spans(text: str, terms) -> list[tuple[int, int]]:
    """Character spans of ``text`` whose word (accent-folded) is one of ``terms``."""
    wanted = frozenset(w for w in (fold(t) for t in terms)
                       if w not in _NO_HIGHLIGHT and _WORD.fullmatch(w))
    if not wanted:
        return []
    folded = fold(text)
    if len(folded) == len(text):  # one character for one (precomposed text): search the
        return _whole_words(folded, wanted)                # folded copy
    return [(start, end) for start, end, word in _folded_words(text) if word in wanted]


def highlight(text: str, terms, limit: int | None = None) -> Markup:
    """``text`` escaped, matched words wrapped in ``<mark>``; cut near the first match
    to about ``limit`` characters when given.

    Built from escaped pieces: the text between and inside matches is escaped
    before the tags are added, so profile text can never inject markup.
    """
    spans = highlight_spans(text, terms)
    start, end = 0, len(text)
    if limit is not None and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = 0 if first < limit // 2 else text.rfind(" ", 0, first - limit // 4) + 1
        end = min(len(text), start + limit)
        if end < len(text):
            end = max(text.rfind(" ", start, end), start + limit // 2)
    out = [Markup("…") if start > 0 else Markup("")]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
