"""What a listing offers or needs, as resource-taxonomy nodes, and the rules of law.

``corpora/resources.tsv`` (documented in ``corpora/README.md``) is a tree of
materials and streams in the format of the capability taxonomy: scrap, by-products,
reusable packaging, regulated waste (with its code in Circular 02/2022/TT-BTNMT where
one was read in a source, and its hazard class), energy, water, spare capacity and
shared services. :func:`classify` reads the nodes a listing names; :func:`hazard_of`
says whether what it offers is hazardous waste, which Vietnamese law lets only a
licensed hazardous-waste handler receive (Law on Environmental Protection 2020 and
Decree 08/2022/ND-CP; :func:`licensed_handler` reads that from the licence a need
states).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..resources import corpus_file
from ..taxonomy import Taxonomy, read_taxonomy
from ..text import fold, has_diacritics
from ..text.negation import clauses, negation_start

STREAMS_FILE = "resources.tsv"
STREAM_KINDS = ("group", "material", "waste", "energy", "water", "capacity", "service")
LOCAL_KINDS = frozenset({"energy", "water"})
"""Streams that do not travel: steam, heat, hot water, compressed air, surplus power and
water go by pipe or cable, so only to a neighbour (the same park or one beside it)."""
MATERIAL_KINDS = frozenset({"material", "waste"})
"""Streams whose tonnes an exchange keeps out of landfill (not steam, water, capacity or
a service)."""
HAZARDOUS, CONTROLLED, ORDINARY = "hazardous", "controlled", "ordinary"

_HAZARD_WORDS = re.compile(
    r"\b(ctnh|chat thai nguy hai|hazardous waste|hazardous|nguy hai|haz waste|"
    r"licensed (handler|collector|recycler)|(phai|can) (don vi )?co giay phep (xu ly|thu gom)|"
    r"(thu gom|ben nhan|ben mua) phai co giay phep(?! kinh doanh))\b")
_NOT_HAZARDOUS = re.compile(
    r"\b(khong (phai )?(la )?(ctnh|chat thai nguy hai|nguy hai)|non[- ]hazardous|"
    r"not hazardous|khong nguy hai|(duoi|khong vuot|chua vuot) nguong (ctnh|nguy hai)|"
    r"chat thai (ran )?(cong nghiep )?thong thuong|ordinary (industrial )?(solid )?waste|"
    r"below (the )?(hazardous[- ]waste |hazardous |ctnh )?thresholds?)\b")
_HANDLER_LICENCE = re.compile(
    r"\b(ctnh|qlctnh|chat thai nguy hai|hazardous waste|haz waste|"
    r"\d(-\d){4,}\.\d+\.vx)\b")
_MINISTRY_PERMIT = re.compile(r"gpmt[- ]?(btnmt|bnnmt)|gpmt\s*[-/]\s*(btnmt|bnnmt)")


@functools.lru_cache(maxsize=1)
def load_streams() -> Taxonomy:
    """The resource taxonomy (``corpora/resources.tsv``), read once."""
    return read_taxonomy(corpus_file(STREAMS_FILE), exact_kinds=STREAM_KINDS)


@dataclass(frozen=True)
class StreamFacts:
    """What is known of the resource a listing names."""

    keys: tuple[str, ...]
    """Resource-taxonomy nodes named in it, most specific first."""
    hazard: str | None
    """:data:`HAZARDOUS` or :data:`CONTROLLED` when it is regulated waste that only a
    licensed handler may receive, :data:`ORDINARY` for ordinary waste, None otherwise."""
    local: bool
    """Steam, heat, water...: only for a neighbour (:data:`LOCAL_KINDS`)."""


SCRAP_FORMS = (
    "phoi", "mạt", "ba via", "bavia", "ba dớ", "vụn", "phế liệu", "phế phẩm", "phế", "rẻo",
    "đầu mẩu", "mẩu", "cắt thừa", "xay", "nghiền", "xương dập", "đậu rót", "biên",
    "scrap", "scraps", "chips", "swarf", "turnings", "borings", "shavings", "off-cuts",
    "offcuts", "off cuts", "cut-offs", "cutoffs", "cuttings", "trimmings", "trim", "ends",
    "flash", "regrind", "reground", "skeleton", "sprue", "sprues", "runner", "runners",
    "cuống keo", "đuôi keo", "granulated", "ground", "purging", "gãy", "hư", "hỏng",
    "broken", "damaged", "cắt dư", "xương đột dập", "đột dập", "thừa", "dư thừa", "vỡ", "bể",
    "tháo dỡ", "dismantled")
"""Words that make a material a scrap or an off-cut ("phoi" + "nhôm 6061", "stainless"
+ "sheet scrap"), in the trade's Vietnamese and English."""
SPARE_FORMS = (
    "dư", "trống", "còn trống", "rảnh", "nhàn rỗi", "thừa", "chạy rỗng", "nhận gia công",
    "cho thuê", "thuê", "ghép", "idle", "spare", "available", "free", "unused", "surplus",
    "for rent", "to let", "rent", "hire", "outsourced", "outsource", "capacity", "giờ máy",
    "machine hours", "machine time", "ca đêm", "night shift", "night-shift", "đặt gia công",
    "nhận",
    "thuê gia công", "gia công ngoài", "line time", "spare hours")
"""Words that make a machine, a line or a space spare capacity, or a service on offer
("Dư 6 máy ép phun", "spare SMT line", "cần thuê kho"); a need asks for them too."""
WASTE_FORMS = (
    "thải", "thải ra", "cũ", "đã qua sử dụng", "đã sử dụng", "đã dùng", "bẩn", "hỏng", "hư",
    "lỗi", "hết hạn", "thay ra", "vớt", "cặn", "bùn", "dính dầu", "nhiễm dầu", "nhiễm", "dính",
    "waste", "spent", "used", "dirty", "old", "expired", "residue", "residues", "sludge",
    "contaminated", "oily", "rejected", "ng", "defective", "broken", "obsolete", "drained",
    "xả")
"""Words that make a substance or an article a waste stream ("dầu thủy lực cũ", "spent
non-halogenated solvents", "linh kiện điện tử lỗi"): for waste rows (and their groups),
with "scrap" and "phế liệu" (not off-cut words: "rẻo vải ... làm giẻ lau" is no oily
rag)."""
REUSE_FORMS = (
    "cũ", "đã qua sử dụng", "đã sử dụng", "đã dùng", "dùng 1 lần", "dùng một lần",
    "thanh lý", "tân trang", "còn tốt", "còn dùng được", "còn chắc", "rỗng", "used", "empty",
    "second-hand", "secondhand", "one-way", "reconditioned", "returnable", "reusable", "ex",
    "đã rửa", "đã súc rửa", "rinsed", "washed", "đựng", "từng chứa", "held")
CONTAMINATED_FORMS = (
    "chưa súc rửa", "chưa rửa", "chưa vệ sinh", "không súc rửa", "dính hóa chất", "dính sơn",
    "dính dầu", "dính keo", "dính mực", "dính bột hóa chất", "đựng hóa chất", "chứa hóa chất",
    "hóa chất", "dính", "nhiễm", "not washed", "not rinsed", "unwashed", "unrinsed",
    "residue", "residues", "contaminated", "chemical", "chemicals", "ex-chemical", "solvent",
    "xylene", "resin")
"""Words that make packaging hazardous-contaminated packaging ("Phuy sắt 200L, can nhựa
đựng hóa chất nhuộm (chưa súc rửa)", "Empty IBC (resin, solvent) not washed"), unless
the listing says it was cleaned (:data:`_CLEANED`)."""
_CLEANED = re.compile(r"(?<!not )(?<!chua )(?<!khong )\b(da suc rua|da rua sach|suc rua sach|"
                      r"triple[- ]rinsed|rinsed|washed|cleaned|da ve sinh)\b")
"""A listing that says its packaging was rinsed or washed ("đã súc rửa 3 lần", "triple
rinsed", "washed with certificate"): not contaminated packaging."""
"""Words that make packaging reusable packaging on offer ("Pa-let thông đã qua sử dụng",
"Empty 200 L steel barrels", "One-way skids")."""
_FOLDED_AMBIGUOUS_MATERIALS = frozenset({"dau"})
"""Materials that, without their diacritics, are other words: "dau" is dầu (oil), đầu
(end) and đậu (a casting's riser, "đậu rót")."""
NOT_FORMS = ("nước thải", "wastewater", "waste water")
"""Phrases whose form word is not one: the wastewater of a paint shop is not waste
paint."""
_FOLDED_AMBIGUOUS = frozenset({"trong", "thua", "du", "can", "loi", "hu", "dinh"})
"""Forms that, without their diacritics, are everyday words ("trong": in)."""
FORM_WINDOW = 4
"""How many words apart a material and a form may be and still name one thing."""
LEADING_WINDOW = {"scrap": 4, "spare": 4, "waste": 2, "reuse": 2, "contaminated": 2}
"""How many words may stand between a form written before its material and the
material: "phoi ... nhôm 6061", "dư 6 máy ép phun" reach far; a waste or reuse word
comes after its noun in Vietnamese ("dầu thải", "bo mạch hỏng") and just before it in
English ("spent non-halogenated solvents", "empty 200 L steel barrels")."""
_TOKEN = re.compile(r"[\w/.-]+")


def _tokens(text: str, folded: bool) -> list[str]:
    return [t.strip(".-") for t in _TOKEN.findall(fold(text).lower() if folded
                                                 else text.lower()) if t.strip(".-")]


def _positions(tokens: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n]) == phrase]


@functools.lru_cache(maxsize=2)
def _forms(folded: bool) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each family's form phrases as words (``not``: :data:`NOT_FORMS`); without
    diacritics, forms that are then everyday words are left out."""
    families = {"scrap": SCRAP_FORMS + ("waste", "thải"), "spare": SPARE_FORMS,
                "waste": WASTE_FORMS + ("scrap", "phế liệu"), "reuse": REUSE_FORMS,
                "contaminated": CONTAMINATED_FORMS, "not": NOT_FORMS}
    return {kind: tuple(tuple(_tokens(form, folded)) for form in words
                        if not (folded and fold(form) in _FOLDED_AMBIGUOUS))
            for kind, words in families.items()}


@functools.lru_cache(maxsize=2)
def _materials(folded: bool) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Each material phrase of the file's ``materials`` column, as words, with its node:
    longest first."""
    streams = load_streams()
    pairs = {(tuple(_tokens(word, folded)), key) for key, node in streams.nodes.items()
             for word in node.attr("materials").split(";") if word.strip()
             and not (folded and fold(word.strip()).lower() in _FOLDED_AMBIGUOUS_MATERIALS)}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


@functools.lru_cache(maxsize=256)
def _form_family(key: str) -> str:
    """Which forms make ``key`` what is offered: reusable packaging the reuse forms, a
    waste row or a group of them the waste forms, another material or group the scrap
    forms, capacity and services the spare forms."""
    streams = load_streams()
    node = streams.nodes[key]
    if key == "reusable_packaging" or "reusable_packaging" in streams.ancestors(key):
        return "reuse"
    if "contaminated_packaging" in streams.ancestors(key):
        return "contaminated"
    if node.kind == "waste" or (node.kind == "group" and any(
            n.kind == "waste" and n.parent == key for n in streams.nodes.values())):
        return "waste"
    return "scrap" if node.kind in MATERIAL_KINDS | {"group"} else "spare"


def composed(text: str) -> list[str]:
    """Nodes a text names by a material (the file's ``materials`` column) and a form near
    each other that no phrase of the file names whole: scrap ("Aluminium 7075 and 6061
    chips", "Stainless 316L sheet scrap", "Phoi đồng đỏ C1100") and spare capacity
    ("Dư 6 máy ép phun", "cần thuê kho"). Written with diacritics, the words must carry them
    ("đóng kiện" is not "đồng"); written without, both sides are folded."""
    streams = load_streams()
    folded = not has_diacritics(text)
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        kept = " ".join(c[:negation_start(c)] for c in clauses(sentence))
        tokens = _tokens(kept, folded)
        forms = {kind: [i for phrase in phrases for i in _positions(tokens, phrase)]
                 for kind, phrases in _forms(folded).items()}
        blocked = {i + n for phrase in _forms(folded)["not"]
                   for i in _positions(tokens, phrase) for n in range(len(phrase))}
        forms = {k: [i for i in v if i not in blocked] for k, v in forms.items() if k != "not"}
        if not any(forms.values()):
            continue
        spans: list[tuple[int, int, str]] = []
        for phrase, key in _materials(folded):  # longest first: "pallet wrap" is no pallet
            for i in _positions(tokens, phrase):
                end = i + len(phrase)
                if not any(s < end and i < e and (s, e) != (i, end) for s, e, _ in spans):
                    spans.append((i, end, key))  # one word may name several nodes

        def between(start: int, end: int, f: int) -> tuple[int, int]:
            return (f + 1, start) if f < start else (end, f)

        for start, end, key in spans:
            family = _form_family(key)
            for f in forms[family]:
                lo, hi = between(start, end, f)
                if hi - lo > (LEADING_WINDOW[family] if f < start else FORM_WINDOW - 1):
                    continue  # too far apart
                if any(lo <= s and e <= hi and streams.nodes[k].kind != "group"
                       for s, e, k in spans):
                    continue  # another material between the two: the form is that one's
                    # (not a generic word: "cotton knit fabric ends" are cotton)
                out.append(key)
                break
    return list(dict.fromkeys(out))


_SENTENCE = re.compile(r"\.(?:\s|$)|\n")


def _named(text: str) -> list[str]:
    """Nodes the file's phrases name in ``text``, clause by clause, each clause read up
    to a word that excludes what follows (:mod:`recommender.text.negation`)."""
    streams = load_streams()
    found: list[str] = []
    for clause in clauses(text):
        found.extend(streams.find(clause[:negation_start(clause)], kinds=STREAM_KINDS))
    return found


def classify(what: str | None, *details: str | None) -> tuple[str, ...]:
    """Resource-taxonomy keys a listing names, a parent dropped when a node below it is
    named. What is offered or needed is read first: the file's phrases (:func:`_named`)
    and a material with a form near it (:func:`composed`). The details add only nodes
    below those (what is offered says "phế liệu kim loại", the details "chủ yếu nhôm"),
    or, by their first sentence, stand in when what is offered names none: the rest of
    the details say how a thing is packed, stored and handled and what is not wanted
    ("đóng bao jumbo", "súc nước nóng trước khi giao")."""
    streams = load_streams()
    found = [*_named(what), *composed(what)] if what else []
    if what and not found:  # one clause, negated: what it is, all the same
        found = streams.find(what, kinds=STREAM_KINDS)
    more = [k for text in details if text for k in _named(text)]
    if found:
        more = [k for k in more if any(f in streams.ancestors(k) for f in found)]
    else:  # the details' first sentence says what it is; the rest how it is handled
        more = [k for text in details if text for k in _named(_SENTENCE.split(text)[0])]
    keys = list(dict.fromkeys([*found, *more]))
    if _CLEANED.search(fold(" ".join(t for t in (what, *details) if t)).lower()):
        keys = [k for k in keys if _form_family(k) != "contaminated"]
    return tuple(k for k in keys
                 if not any(k in streams.ancestors(o) for o in keys if o != k))


@functools.lru_cache(maxsize=512)
def _node_hazard(key: str) -> str | None:
    streams = load_streams()
    node = streams.nodes[key]
    hazard = node.attr("hazard")
    if hazard in (HAZARDOUS, CONTROLLED, ORDINARY):
        return hazard
    # a regulated stream not yet classified counts as hazardous (the file's rule)
    if node.kind == "waste":
        return HAZARDOUS
    # a group of waste streams only ("dầu thải các loại"): as hazardous as its worst
    children = [k for k, n in streams.nodes.items() if n.parent == key]
    found = {_node_hazard(k) for k in children}
    if node.kind == "group" and children and None not in found:
        return next((h for h in (HAZARDOUS, CONTROLLED, ORDINARY) if h in found), None)
    return None


def facts_of(what: str, details: str | None = None) -> StreamFacts:
    """The resource facts of a listing: its nodes, its hazard and whether it travels.

    A listing is hazardous when a node it names is (in the details too: drums that held
    used oil), or when it says so itself ("CTNH", "chất thải nguy hại", "hazardous"),
    unless it says it is not ("không phải CTNH", "non-hazardous", "dưới ngưỡng nguy
    hại": an analysis below the thresholds).
    """
    streams = load_streams()
    keys = classify(what, details)
    text = fold(f"{what} {details or ''}").lower()
    named = {*keys, *(_named(details) if details else ())}
    hazards = [h for h in (_node_hazard(k) for k in named) if h]
    hazard = next((h for h in (HAZARDOUS, CONTROLLED, ORDINARY) if h in hazards), None)
    says_not = bool(_NOT_HAZARDOUS.search(text))
    if says_not and hazard in (HAZARDOUS, CONTROLLED):
        hazard = ORDINARY
    elif not says_not and _HAZARD_WORDS.search(text):
        hazard = HAZARDOUS
    local = bool(keys) and all(streams.nodes[k].kind in LOCAL_KINDS for k in keys)
    return StreamFacts(keys, hazard, local)


def restricted(facts: StreamFacts) -> bool:
    """Only a licensed hazardous-waste handler may receive it."""
    return facts.hazard in (HAZARDOUS, CONTROLLED)


def licensed_handler(licence: str | None) -> bool:
    """Whether a stated licence lets a firm receive hazardous waste: a hazardous-waste
    management licence (its "QLCTNH 1-2-3-4-5-6.xxx.VX" number, or one that says CTNH)
    or an environmental permit issued by the Ministry, which is where treating
    hazardous waste as a service is licensed (Law on Environmental Protection 2020,
    art. 41). A permit from a provincial people's committee (``GPMT-UBND``) for an
    ordinary plant is not enough."""
    text = fold(licence or "").lower()
    return bool(text) and bool(_HANDLER_LICENCE.search(text) or _MINISTRY_PERMIT.search(text))


def co2e_factor(key: str) -> float | None:
    """kg CO2e avoided per tonne diverted from landfill, where the file cites one for the
    node or the nearest node above it; None otherwise."""
    streams = load_streams()
    for k in (key, *streams.ancestors(key)):
        value = streams.nodes[k].attr("co2e_kg_per_t")
        if value:
            return float(value)
    return None


def diverts_material(keys: tuple[str, ...]) -> bool:
    """Whether a listing naming ``keys`` is a material or waste (its tonnes count as kept
    out of landfill when exchanged), rather than energy, water, capacity or a service."""
    streams = load_streams()
    return any(streams.nodes[k].kind in MATERIAL_KINDS for k in keys)
