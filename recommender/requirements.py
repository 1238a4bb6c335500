"""Requirements a buyer states in words, parsed out of the query.

Buyers write conditions into their queries: "phải có IATF 16949", "ưu tiên
trong KCX Tân Thuận", "doanh nghiệp 100% vốn Việt Nam", "at least 200
workers". Text similarity cannot check those (a certificate may have expired;
"100% vốn Việt Nam" is not in a profile's description), so they are parsed
into a :class:`BuyerRequirements` that ranking and explanations check against
each profile's structured facts.

Matching works on accent-folded lower-case text, so the three ways buyers
type (Vietnamese with or without marks, English) are handled alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .embed.text import fold

PARKS = (
    "KCX Tân Thuận", "KCX Linh Trung I", "KCX Linh Trung II", "KCN Hiệp Phước",
    "KCN Tân Bình", "KCN Cát Lái", "KCN Bình Chiểu", "KCN Vĩnh Lộc", "KCN Tân Tạo",
    "KCN Lê Minh Xuân", "KCN Tây Bắc Củ Chi", "KCN Tân Phú Trung", "KCN Đông Nam",
    "KCN Tân Thới Hiệp", "KCN An Hạ", "KCN Phong Phú", "KCN Phạm Văn Hai",
    "KCN Vĩnh Lộc 3", "KCN Nhị Xuân",
)
"""HCMC parks and zones by their local names (``../shared/CONTEXT.md``)."""

CERTIFICATIONS = (
    "ISO 9001", "ISO 14001", "IATF 16949", "ISO 13485", "ISO 45001", "ISO 22000",
    "HACCP", "AS9100", "OEKO-TEX", "FSC", "RoHS", "UL", "ISO 27001", "ISO 50001",
)

_CERT_PATTERNS = [
    (name, re.compile(r"(?<![\w-])" + r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", fold(
        name)))) + r"(?![\w-])"))
    for name in CERTIFICATIONS
]
_PARK_WORDS = {
    "kcx": ("kcx", "khu che xuat", "epz", "export processing zone"),
    "kcn": ("kcn", "khu cong nghiep", "industrial park", "industrial zone", "ip"),
}
_ROMAN = {"i": "1", "ii": "2", "iii": "3"}

_DOMESTIC = re.compile(
    r"100\s*% von (viet nam|vn|trong nuoc)|von (viet nam|vn|trong nuoc|noi dia)|"
    r"(doanh nghiep|cong ty|cty|dn|ncc|nha cung cap) (viet nam|noi dia|trong nuoc|vn)\b|"
    r"khong (phai|phai la) (fdi|doanh nghiep fdi)|\bnoi dia\b|"
    r"vietnamese[- ]owned|domestic(ally)?[- ]owned|\bdomestic (supplier|company|firm|vendor)s?|"
    r"local(ly)?[- ]owned|100\s*% vietnamese"
)
_FDI = re.compile(r"\bfdi\b|von (dau tu )?nuoc ngoai|foreign[- ]invested|foreign[- ]owned")
_JV = re.compile(r"lien doanh|joint[- ]venture|\bjv\b")
_NOT_FDI = re.compile(r"khong (phai|phai la) (fdi|doanh nghiep fdi)|not (an )?fdi|non[- ]fdi")
_EMPLOYEES = re.compile(
    r"(?:it nhat|toi thieu|tu|tren|hon|at least|over|more than|min(?:imum)?\.?)\s*"
    r"(\d[\d.,]*)\s*\+?\s*(?:nguoi|cong nhan|lao dong|nhan su|nhan vien|employees|workers|"
    r"staff|people)"
)
_EMPLOYEES_AFTER = re.compile(
    r"(\d[\d.,]*)\s*(?:nguoi|cong nhan|lao dong|nhan su|employees|workers|staff)\s*"
    r"(?:tro len|or more|\+|and above)"
    r"|(?:workforce|headcount|staff|team) of (\d[\d.,]*)\s*\+"
)


@dataclass(frozen=True)
class BuyerRequirements:
    """Conditions stated in a query; empty fields were not stated."""

    certifications: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    ownership: tuple[str, ...] = ()
    min_employees: int | None = None
    extras: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.certifications or self.parks or self.ownership or self.min_employees)


def _park_pattern(park: str) -> re.Pattern[str]:
    kind, _, name = fold(park).partition(" ")
    words = name.split()
    if words and words[-1] in _ROMAN:
        words[-1] = f"(?:{words[-1]}|{_ROMAN[words[-1]]})"
    body = r"\s+".join(words)
    prefix = "|".join(re.escape(w) for w in _PARK_WORDS[kind])
    suffix = "|".join(re.escape(w) for w in _PARK_WORDS[kind] if " " in w or w == "epz")
    # "KCX Tân Thuận", "khu chế xuất Tân Thuận", "Tan Thuan EPZ"; a bare name
    # ("ở Tân Thuận") counts too, but not one that is part of a longer name.
    return re.compile(rf"(?:(?:{prefix})\s+)?\b{body}\b(?!\s+(?:\d|i\b|ii\b))"
                      rf"(?:\s+(?:{suffix}))?")


_PARK_PATTERNS = [(p, _park_pattern(p)) for p in PARKS]


def parse_requirements(query: str) -> BuyerRequirements:
    """The certifications, parks, ownership and minimum size a query asks for."""
    text = fold(query)
    text = re.sub(r"[^\w%+.,-]+", " ", text)
    certs = tuple(name for name, pat in _CERT_PATTERNS if pat.search(text))
    parks = []
    for park, pat in sorted(_PARK_PATTERNS, key=lambda pp: -len(pp[0])):
        if pat.search(text) and not any(fold(park) in fold(p) for p in parks):
            parks.append(park)
    ownership: list[str] = []
    if _DOMESTIC.search(text):
        ownership.append("domestic")
    if _FDI.search(text) and not _NOT_FDI.search(text):
        ownership.append("fdi")
    if _JV.search(text):
        ownership.append("joint_venture")
    minimum = None
    match = _EMPLOYEES.search(text) or _EMPLOYEES_AFTER.search(text)
    if match:
        digits = re.sub(r"[.,]", "", next(g for g in match.groups() if g))
        minimum = int(digits) if digits.isdigit() else None
    return BuyerRequirements(certifications=certs, parks=tuple(parks),
                             ownership=tuple(ownership), min_employees=minimum)
