"""Words: whether one can be a Vietnamese syllable, and English words reduced to a stem.

A Vietnamese syllable is an optional initial consonant from a closed list, a vowel
nucleus and an optional final from ``c ch m n ng nh p t`` (or a glide ``i y o u``), so
"assembly", "parts" or "stamping" cannot be one while "linh kien nhua" can
(:func:`vietnamese_syllable`). English words that cannot be Vietnamese syllables are
reduced to a rough stem (:func:`english_stem`) where glossary terms are compared, so
that "forged gear blanks" finds *forging* and "moulded parts" *injection moulding*:
British spellings become American ones ("mould" → "mold", "galvanised" →
"galvanized"), then a plural, "-ing", "-ed" or a final "e" goes, and a doubled final
consonant is undoubled ("cutting" → "cut").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalise import fold

_INITIALS = ("ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu",
             "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_FINALS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "i", "y", "o", "u", "")
_NUCLEUS = re.compile(r"^(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uai|uoc|"
                      r"ie|ye|uo|ua|ia|ya|oa|oe|ue|uy|ao|au|ay|eo|eu|ai|oi|ui|ei|ou|"
                      r"a|e|i|o|u|y)$")
_SPELLINGS = (("mould", "mold"), ("colour", "color"), ("aluminium", "aluminum"),
              ("fibre", "fiber"), ("centre", "center"), ("metre", "meter"),
              ("isation", "ization"), ("ising", "izing"), ("ised", "ized"),
              ("ises", "izes"), ("yse", "yze"))


@lru_cache(maxsize=16384)
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


@lru_cache(maxsize=16384)
def english_stem(word: str) -> str:
    """A rough stem of a lower-case English word; a word that could be a Vietnamese
    syllable, a short word or one with digits is returned as it is."""
    if len(word) < 4 or not word.isalpha() or not word.isascii() or vietnamese_syllable(word):
        return word
    w = word
    for british, american in _SPELLINGS:
        if british in w:
            w = w.replace(british, american)
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]  # cutting -> cut, but drilling -> drill, pressing -> press
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


REQUEST_WORDS = frozenset("""
a an and are as at be by can for from have in is it of on or our the to we with need
needs looking supplier suppliers vendor vendors company companies factory must should
please want find any who which that this per
can tim nha cung cap cong ty xuong doanh nghiep co cho va cac cua phai dat chung chi uu
tien o tai trong voi la mot nhung duoc don vi gap nho gioi thieu toi chung ben ve theo
hoac khong can thiet yeu cau it nhat thieu tu tren hon nguoi lao dong nhan su vien
von viet nam vn fdi nuoc ngoai lien doanh noi dia san pham hang lam so luong
local maker makers manufacturer manufacturers producer producers introduce recommend
source sourcing able capable do does provide offer partner contact quote quotation us you
your some certificate certificates certified certification required require requires
requirement requirements mandatory domestic vietnamese japanese korean taiwanese owned
capital ownership plant workshop located based near around area district province city
location than more least over under bat buoc gan khu vuc
""".split())
"""Words of a query that say nothing about the capability asked for (folded, lower
case): how buyers phrase a request, conditions and their names."""
