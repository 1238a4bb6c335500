"""Which language a buyer's query is in: Vietnamese, Vietnamese typed without marks, or
English.

Vietnamese with its marks is told by the marks. Without them, by the shape of
its syllables: a Vietnamese syllable is an optional initial consonant from a
closed list, a vowel nucleus and an optional final from ``c ch m n ng nh p t``
(or a glide ``i y o u``), so English words such as "assembly", "parts",
"stamping" or "supplier" cannot be Vietnamese syllables while "linh kien nhua"
can. A query with marks outside the place names it names is Vietnamese ("cắt laser
fiber inox"); otherwise it is English when most of its alphabetic words are not
Vietnamese syllables, whatever marks the Vietnamese place names in it carry ("stamped
brackets, preferably in KCX Tân Thuận" is English): the places the query names
are left out first. Numbers, codes and standards (ISO 9001, SUS304) count for
neither.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .places import without_places
from .text import fold, has_diacritics

LANGUAGES = ("vi", "vi_nodiac", "en")
_INITIALS = ("ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu",
             "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_FINALS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "i", "y", "o", "u", "")
_NUCLEUS = re.compile(r"^(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uai|uoc|"
                      r"ie|ye|uo|ua|ia|ya|oa|oe|ue|uy|ao|au|ay|eo|eu|ai|oi|ui|ei|ou|"
                      r"a|e|i|o|u|y)$")
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=8192)
def vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` (any case, marks or none) could be one Vietnamese syllable."""
    w = fold(word).lower()
    if not w or len(w) > 7 or not w.isalpha() or not w.isascii():
        return False
    for initial in _INITIALS:
        if not w.startswith(initial):
            continue
        rest = w[len(initial):]
        for final in _FINALS:
            if rest.endswith(final) and rest[:len(rest) - len(final)] and \
                    _NUCLEUS.match(rest[:len(rest) - len(final)]):
                return True
    return False


@lru_cache(maxsize=4096)
def query_language(text: str) -> str:
    """``vi`` (marked Vietnamese), ``vi_nodiac`` (Vietnamese without marks) or ``en``."""
    rest = without_places(text)
    if has_diacritics(rest):  # marks outside place names: Vietnamese, loanwords and all
        return "vi"
    words = [w for w in _WORD.findall(rest) if len(w) > 1 and not w.isupper()]
    foreign = sum(not vietnamese_syllable(w) for w in words)
    if words and foreign * 2 > len(words):
        return "en"
    return "vi" if has_diacritics(text) else "vi_nodiac"
