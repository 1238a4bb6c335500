"""Controlled vocabularies: sectors, processes and HCMC parks.

Profiles store keys (``cnc_machining``) and exact park names
(``KCN Tân Tạo``); labels are for people. Sector keys follow the Decree
111/2015/ND-CP product groups and the HCMC supporting-industry programme's key
and traditional industries; process keys are the processes buyers ask for;
parks are the HCMC parks and export processing zones named in
``shared/CONTEXT.md``, planned ones flagged. The same keys are used by the
sample corpus (``corpora/README.md``).

:func:`lookup` maps what a person typed (a key, a label or a park name, with or
without diacritics) to the canonical value; :func:`suggest` proposes the
closest one when nothing matches.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from recommender.embed.text import fold


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: the stored key and its labels."""

    key: str
    vi: str
    en: str


@dataclass(frozen=True)
class Park:
    """An industrial park (KCN) or export processing zone (KCX) in HCMC."""

    name: str
    """Exact name as used locally and stored in profiles."""
    planned: bool = False
    """Announced but not yet operating."""
    pilot_green: bool = False
    """One of the five zones piloting conversion to a high-tech, green model."""

    @property
    def key(self) -> str:
        return self.name


SECTORS: tuple[Term, ...] = (
    Term("mechanical", "cơ khí", "mechanical engineering"),
    Term("electronics", "điện tử", "electronics"),
    Term("rubber_plastics", "cao su – nhựa", "rubber and plastics"),
    Term("textile_garment", "dệt may", "textile and garment"),
    Term("leather_footwear", "da giày", "leather and footwear"),
    Term("packaging_printing", "bao bì – in ấn", "packaging and printing"),
    Term("automotive_parts", "linh kiện ô tô", "automotive parts"),
    Term("food_processing", "chế biến thực phẩm", "food processing"),
)

PROCESSES: tuple[Term, ...] = (
    Term("cnc_machining", "gia công CNC", "CNC machining"),
    Term("mold_making", "chế tạo khuôn mẫu", "mould making"),
    Term("plastic_injection", "ép phun nhựa", "plastic injection moulding"),
    Term("die_casting", "đúc áp lực", "die casting"),
    Term("sheet_metal_stamping", "dập kim loại tấm", "sheet-metal stamping"),
    Term("forging", "rèn dập", "forging"),
    Term("heat_treatment", "nhiệt luyện", "heat treatment"),
    Term("electroplating", "xi mạ", "electroplating"),
    Term("powder_coating", "sơn tĩnh điện", "powder coating"),
    Term("welding", "hàn", "welding"),
    Term("pcb_assembly_smt", "lắp ráp mạch điện tử SMT", "PCB assembly (SMT)"),
    Term("wire_harness", "bó dây điện", "wire harness"),
    Term("rubber_molding", "ép cao su kỹ thuật", "rubber moulding"),
    Term("silicone_molding", "ép silicone", "silicone moulding"),
    Term("carton_packaging", "bao bì carton", "carton packaging"),
    Term("offset_printing", "in offset", "offset printing"),
    Term("label_printing", "in nhãn mác", "label printing"),
    Term("dyeing", "nhuộm", "dyeing"),
    Term("technical_textiles", "vải kỹ thuật", "technical textiles"),
    Term("sole_molding", "ép đế giày", "sole moulding"),
    Term("garment_sewing", "may gia công", "garment sewing"),
    Term("plastic_bag_film", "túi và màng nhựa", "plastic bags and film"),
    Term("spring_making", "sản xuất lò xo", "spring making"),
    Term("fasteners", "bulông ốc vít", "fasteners"),
)

OWNERSHIPS: tuple[Term, ...] = (
    Term("domestic", "doanh nghiệp trong nước", "domestic"),
    Term("fdi", "doanh nghiệp FDI", "foreign-invested (FDI)"),
    Term("joint_venture", "liên doanh", "joint venture"),
)

_GREEN_PILOT = {"KCX Tân Thuận", "KCN Tân Bình", "KCN Hiệp Phước", "KCN Cát Lái", "KCN Bình Chiểu"}
_OPERATING = (
    "KCX Tân Thuận", "KCX Linh Trung I", "KCX Linh Trung II", "KCN Hiệp Phước", "KCN Tân Bình",
    "KCN Cát Lái", "KCN Bình Chiểu", "KCN Vĩnh Lộc", "KCN Tân Tạo", "KCN Lê Minh Xuân",
    "KCN Tây Bắc Củ Chi", "KCN Tân Phú Trung", "KCN Đông Nam", "KCN Tân Thới Hiệp", "KCN An Hạ",
    "KCN Phong Phú",
)
# CONTEXT.md lists the planned parks as "KCN Phạm Văn Hai ..., Vĩnh Lộc 3, Nhị Xuân";
# the last two are given the same "KCN" prefix here.
_PLANNED = ("KCN Phạm Văn Hai", "KCN Vĩnh Lộc 3", "KCN Nhị Xuân")

PARKS: tuple[Park, ...] = tuple(
    [Park(name, pilot_green=name in _GREEN_PILOT) for name in _OPERATING]
    + [Park(name, planned=True) for name in _PLANNED]
)
"""HCMC parks as listed in ``shared/CONTEXT.md``. The parks of former Bình Dương
and Bà Rịa–Vũng Tàu that HEPZA took over in July 2025 are not listed yet."""

Vocabulary = Iterable[Term] | Iterable[Park]


def _folded(text: str) -> str:
    return " ".join(fold(text).replace("_", " ").replace("-", " ").replace("–", " ").split())


def _spellings(entry: Term | Park) -> list[str]:
    if isinstance(entry, Park):
        # "KCN Tân Tạo" is also written "Tân Tạo"
        bare = entry.name.split(" ", 1)[1]
        return [entry.name, bare]
    return [entry.key, entry.vi, entry.en]


def lookup(value: str, vocabulary: Vocabulary) -> str | None:
    """The canonical key for ``value`` (a key, a label or a park name), or None.

    Matching ignores case, diacritics, ``_``/``-`` and repeated spaces, so
    ``"Cao su - nhựa"``, ``"rubber_plastics"`` and ``"kcn tan tao"`` all match.
    """
    return _index(tuple(vocabulary)).get(_folded(value))


@functools.lru_cache(maxsize=16)
def _index(vocabulary: tuple[Term | Park, ...]) -> dict[str, str]:
    """Folded spelling → key; the first entry wins if two share a spelling."""
    index: dict[str, str] = {}
    for entry in vocabulary:
        for spelling in _spellings(entry):
            index.setdefault(_folded(spelling), entry.key)
    return index


def suggest(value: str, vocabulary: Vocabulary) -> str | None:
    """The canonical key closest to ``value`` (difflib on folded text), or None.

    Used for "did you mean …" hints: the entry with a spelling at least 0.6
    similar, else the first whose spelling contains ``value`` as whole words.
    """
    wanted = _folded(value)
    if not wanted:
        return None
    best, best_ratio, containing = None, 0.0, None
    for entry in vocabulary:
        for spelling in _spellings(entry):
            folded = _folded(spelling)
            ratio = difflib.SequenceMatcher(None, wanted, folded).ratio()
            if ratio > best_ratio:
                best, best_ratio = entry.key, ratio
            if containing is None and len(wanted) >= 3 and f" {wanted} " in f" {folded} ":
                containing = entry.key  # "cnc" -> "cnc machining"
    return best if best_ratio >= 0.6 else containing


def label(key: str, vocabulary: Iterable[Term], lang: str = "vi") -> str:
    """The label of ``key`` in ``lang`` (``vi`` or ``en``); the key itself if unknown."""
    for term in vocabulary:
        if term.key == key:
            return term.vi if lang == "vi" else term.en
    return key


SECTOR_KEYS = frozenset(t.key for t in SECTORS)
PROCESS_KEYS = frozenset(t.key for t in PROCESSES)
PARK_NAMES = frozenset(p.name for p in PARKS)
