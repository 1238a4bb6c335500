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
are left out first, and Vietnamese naming its trade in English ("ep nhua insert
molding") stays Vietnamese when a third of its words, two at least, are syllables
English does not have. Numbers, codes and standards (ISO 9001, SUS304) count for
neither.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .places import without_places
from .text import has_diacritics
from .text.words import vietnamese_syllable

LANGUAGES = ("vi", "vi_nodiac", "en")
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH_SHAPED = frozenset(
    "an at be by do go he in is it me my no of on so to up us we can may ban bay long hang "
    "tin tan con die pin bin dip tip top hot cut put pot net set get let bit fit kit hit "
    "mix tie toy boy guy key buy day pay way say lay ray due hue ton one cap tap map chip "
    "shop ship then than thin that this hi ha oh".split())
"""English words that have the shape of a Vietnamese syllable ("can", "tin", "chip")."""


@lru_cache(maxsize=4096)
def query_language(text: str) -> str:
    """``vi`` (marked Vietnamese), ``vi_nodiac`` (Vietnamese without marks) or ``en``."""
    rest = without_places(text)
    if has_diacritics(rest):  # marks outside place names: Vietnamese, loanwords and all
        return "vi"
    words = [w for w in _WORD.findall(rest) if len(w) > 1 and not w.isupper()]
    foreign = sum(not vietnamese_syllable(w) for w in words)
    # Vietnamese that names its trade in English ("ep nhua insert molding / overmolding")
    # still has words English cannot have: a third of them, two at least, make it Vietnamese
    vietnamese = sum(vietnamese_syllable(w) and w.lower() not in _ENGLISH_SHAPED for w in words)
    mixed = vietnamese >= 2 and vietnamese * 3 >= len(words)
    if words and foreign * 2 > len(words) and not mixed:
        return "en"
    return "vi" if has_diacritics(text) else "vi_nodiac"
