"""What a text says is not done, offered or wanted: the part of a clause after a negation.

Firms and listings write what they exclude beside what they do: "Không có dây chuyền
sơn tĩnh điện", "không nhận anodize", "no powder coating line", "không lẫn poly". Read
naively, the excluded process is named like any other. A clause (text between commas,
semicolons, brackets, line ends and full stops) is read up to its first negation word
(:data:`NEGATION`); what follows is what it excludes.

Many words built on a negation name a thing rather than exclude one (:data:`NOT_NEGATION`):
"thép không gỉ" is stainless steel, "vải không dệt" non-woven fabric, "hàn không chì"
lead-free soldering, "kiểm tra không phá hủy" non-destructive testing, "không khí" air,
"lò chân không" a vacuum furnace, "ngành hàng không" aviation, "thụ động không crom"
chrome-free passivation,
"no-sew" a way of joining; typed without marks, "no luc" is nỗ lực (effort), so "no"
excludes only before a word Vietnamese does not have ("no powder coating"),
"không chỉ … mà còn" not only … but also, "chưa súc rửa" (not yet rinsed) says how a drum
is. Without diacritics "chua" is also chứa (holds) and "tru" trụ (pillar): neither is read
as a negation.
"""

from __future__ import annotations

import re

from .words import vietnamese_syllable

CLAUSE = re.compile(r"[,;()\[\]\n•]|\.(?:\s|$)")
"""What separates clauses: a negation reaches no further."""

NEGATION = re.compile(
    r"\b(không|chưa|ngoại trừ|trừ|khong|ngoai tru|no|not|except|without|free of|excluding|"
    r"excl|do not|does not|don't|doesn't|cannot|can't)\b")
"""Words after which a clause names what is excluded."""

NOT_NEGATION = re.compile(
    r"\b(?:(?:không|khong) (?:gỉ|rỉ|gi|ri|từ tính|tu tinh|dệt|det|chì|chi|halogen|bụi|bui|"
    r"khí|khi|gian|dây|day|phá hủy|phá huỷ|pha huy|chỉ|những|nhung|ngừng|ngung|giới hạn|"
    r"gioi han|đổi|tải|độc|mùi|mui|thấm|cháy|người lái|nguoi lai|tiếp xúc|tiep xuc|quá|"
    r"dưới|duoi|kể|mối nối|moi noi|đường may|duong may|bavia|ba via|ba-via|cong vênh|"
    r"cong venh|lỗi|sai sót|sai sot|bpa|ồn|crom|chrome|cadimi|cadmium|vết|vet)"
    r"|(?:chưa|chua) (?:súc rửa|rửa|vệ sinh|suc rua|rua|ve sinh|qua sử dụng|qua su dung|"
    r"sử dụng|su dung|qua xử lý|qua xu ly)"
    r"|not (?:washed|rinsed|only|just)|no\.|no \d|no-\w+)(?!\w)")
"""Words built on a negation that name a thing or a state, not what is excluded."""


def negation_start(clause: str) -> int | None:
    """Where ``clause`` starts naming what it excludes (its first negation word that is
    not part of a :data:`NOT_NEGATION`), or None."""
    lowered = clause.lower()
    for cue in NEGATION.finditer(lowered):
        if NOT_NEGATION.match(lowered, cue.start()) or _BEFORE.search(lowered, 0, cue.start()):
            continue
        if cue.group() == "no":  # typed without marks, "no" is also nỗ, nổ ("no luc")
            after = _WORD.match(lowered, cue.end())
            if after and vietnamese_syllable(after.group(1)):
                continue
        return cue.start()
    return None


_WORD = re.compile(r"\s+(\w+)")
_BEFORE = re.compile(r"\b(?:chân|chan|hàng|hang)\s+$")
"""Before "không": "chân không" is vacuum ("lò chân không"), "hàng không" aviation."""


def clauses(text: str) -> list[str]:
    """The clauses of ``text`` (:data:`CLAUSE`)."""
    return CLAUSE.split(text)


def affirmed(text: str) -> str:
    """``text`` without what its clauses exclude; clauses joined so that no phrase is read
    across two of them."""
    return " . ".join(c[:negation_start(c)] for c in clauses(text))


def denied(text: str) -> list[str]:
    """What the clauses of ``text`` exclude, one piece per negated clause."""
    return [c[start:] for c in clauses(text) if (start := negation_start(c)) is not None]
