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
from collections.abc import Sequence
from dataclasses import dataclass, field

from .text import fold

CERTIFICATIONS = (
    "ISO 9001", "ISO 14001", "IATF 16949", "ISO 13485", "ISO 45001", "ISO 22000",
    "HACCP", "AS9100", "OEKO-TEX", "FSC", "RoHS", "UL", "ISO 27001", "ISO 50001",
    "IPC-A-610", "FSSC 22000", "ISO 17025", "GRS", "BSCI", "GMP",
)

_CERT_PATTERNS = [
    (name, re.compile(r"(?<![\w-])" + r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", fold(
        name)))) + r"(?![\w-])"))
    for name in CERTIFICATIONS
]
_DOMESTIC = re.compile(
    r"100\s*% von (viet nam|vn|trong nuoc)|von (viet nam|vn|trong nuoc|noi dia)|"
    r"(doanh nghiep|cong ty|cty|dn|ncc|nha cung cap) (viet nam|noi dia|trong nuoc|vn)\b|"
    r"khong (phai|phai la) (fdi|doanh nghiep fdi)|\bnoi dia\b|"
    r"vietnamese[- ]owned|domestic(ally)?[- ]owned|\bdomestic (supplier|company|firm|vendor)s?|"
    r"local(ly)?[- ]owned|100\s*% vietnamese|\btrong nuoc\b|\btu nhan\b|\bdntn\b|"
    r"\bnha nuoc\b"
)
_ORIGINS = r"(?:nhat( ban)?|han( quoc)?|dai loan|trung quoc|singapore|my|duc|chau au)"
_FDI = re.compile(
    r"\bfdi\b|von (dau tu )?nuoc ngoai|foreign[- ]invested|foreign[- ]owned|"
    rf"\b(?:cong ty|cty|doanh nghiep|dn|nha cung cap|ncc|xuong|nha may|von) {_ORIGINS}\b|"
    r"\b(?:japanese|korean|taiwanese|chinese|singaporean|european)[- ](?:owned|invested|"
    r"company|companies|firm|firms|supplier|suppliers|vendor|vendors|manufacturer)s?\b")
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
    capabilities: tuple[str, ...] = ()
    """Taxonomy keys of the processes and products the query names (ranked on, not
    checked as requirements: :func:`recommender.rank.capability_score`)."""
    places: tuple = ()
    """:class:`recommender.places.PlaceMention` s other than an exact park: a former
    province or district, a ward, "near" a park ("ở Bình Dương", "gần VSIP")."""

    def __bool__(self) -> bool:
        return bool(self.certifications or self.parks or self.ownership or self.min_employees
                    or self.places)

    def place_text(self) -> str:
        """What the query was understood to ask for as a place, for the page."""
        return " / ".join([*self.parks, *(place_label(m) for m in self.places)])


def place_label(mention) -> str:
    """``gần KCN VSIP I``, ``Bình Dương (cũ)``, ``Thủ Đức``: a mention as understood."""
    place = mention.place
    name = place.park or place.ward or place.area or (
        f"{place.region} (cũ)" if place.region and place.region != "Hồ Chí Minh" else
        place.region) or mention.text
    return f"gần {name}" if mention.near else name


def ownership_in(text: str) -> list[str]:
    """The ownership kinds ``text`` names (``domestic``, ``fdi``, ``joint_venture``): a
    buyer's "doanh nghiệp 100% vốn Việt Nam" as much as a file's "100% vốn Hàn Quốc"."""
    text = re.sub(r"[^\w%+.,-]+", " ", fold(text).lower())
    found: list[str] = []
    if _DOMESTIC.search(text):
        found.append("domestic")
    if _FDI.search(text) and not _NOT_FDI.search(text):
        found.append("fdi")
    if _JV.search(text):
        found.append("joint_venture")
    return found


_EITHER = re.compile(r"\s*(?:/|hoac(?: la)?|hay|or|either)\s*")
ALTERNATIVES = " / "
"""Joins certificates a query accepts in place of each other ("ISO 22000 hoặc FSSC
22000" is the one requirement ``"ISO 22000 / FSSC 22000"``)."""


def _certificates_asked(text: str) -> tuple[str, ...]:
    """The listed certificates a folded query names, in its order; those joined by
    "hoặc", "hay", "or" or "/" are one requirement that either meets."""
    found = sorted((m.start(), m.end(), name) for name, pat in _CERT_PATTERNS
                   if (m := pat.search(text)))
    groups: list[list[str]] = []
    end = None
    for start, stop, name in found:
        if groups and end is not None and _EITHER.fullmatch(text[end:start]):
            groups[-1].append(name)
        else:
            groups.append([name])
        end = stop
    return tuple(ALTERNATIVES.join(g) for g in groups)


def certificates_in(text: str) -> frozenset[str]:
    """The listed certificates a free text (a profile's description) names."""
    folded = re.sub(r"[^\w%+.,-]+", " ", fold(text))
    return frozenset(name for name, pat in _CERT_PATTERNS if pat.search(folded))


def parse_requirements(query: str) -> BuyerRequirements:
    """The certifications, parks, ownership and minimum size a query asks for."""
    text = fold(query)
    certs = _certificates_asked(re.sub(r"[^\w%+.,/-]+", " ", text))
    text = re.sub(r"[^\w%+.,-]+", " ", text)
    from .places import find_in_query

    parks: list[str] = []
    places = []
    for mention in find_in_query(query):
        if mention.place.park and not mention.near:
            if mention.place.park not in parks:
                parks.append(mention.place.park)
        elif not mention.place.outside_hcmc:
            places.append(mention)
    ownership = ownership_in(text)
    minimum = None
    match = _EMPLOYEES.search(text) or _EMPLOYEES_AFTER.search(text)
    if match:
        digits = re.sub(r"[.,]", "", next(g for g in match.groups() if g))
        minimum = int(digits) if digits.isdigit() else None
    from .taxonomy import load_taxonomy

    capabilities = tuple(dict.fromkeys(load_taxonomy().find(query)))
    return BuyerRequirements(certifications=certs, parks=tuple(parks),
                             ownership=tuple(ownership), min_employees=minimum,
                             capabilities=capabilities, places=tuple(places))


RFQ_QUERY_CHARS = 1900
"""A request for quotation as a query stays within the search's query limit."""


def rfq_query(title: str, text: str, processes: Sequence[str] = (),
              certifications: Sequence[str] = (), park: str | None = None) -> str:
    """A request for quotation (RFQ) as one buyer query: its words, the names of the
    processes it asks for and its stated requirements in the wording
    :func:`parse_requirements` reads back. Matching a new RFQ and checking open RFQs
    against an edited profile both use this one form."""
    from .vocab import PROCESSES, label

    tail_parts = [label(p, PROCESSES, "vi") for p in processes]
    if certifications:
        tail_parts.append("phải có " + ", ".join(certifications))
    if park:
        tail_parts.append("trong " + park)
    tail = ". ".join(tail_parts)
    head = ". ".join(p.strip() for p in (title, text) if p and p.strip())
    head = head[: max(0, RFQ_QUERY_CHARS - len(tail) - 2)]
    return f"{head}. {tail}" if tail else head
