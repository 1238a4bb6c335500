"""Places of Ho Chi Minh City since the July 2025 merger: parks, wards and former districts.

Resolution 202/2025/QH15 merged Bình Dương and Bà Rịa–Vũng Tàu into Ho Chi Minh City and
abolished the district level: the city is 168 wards, communes and the Côn Đảo special zone.
Profiles and buyers still write former districts ("Quận 7", "Q.7", "Dĩ An"), old wards
("P. An Lạc, Q. Bình Tân") and park names in many spellings ("VSIP 1", "Tan Thuan EPZ").

* :func:`resolve` reads an address or a place name, with or without diacritics;
* :func:`find_in_query` finds the places a buyer's query names, with their spans;
* :func:`parks_in` lists the parks a search for a place should filter by or boost;
* :func:`matches` decides whether a supplier's stored location lies in the wanted place.

The 2025 wards, the pre-2025 wards and districts and the old→new ward table come from the
``vietnamadminunits`` package: its SQLite dataset and converter table are read from disk.
Its ``convert_address`` is not called, because it geocodes over the network when an old ward
was split between new ones. Parks come from ``corpora/parks.tsv``.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from recommender.resources import corpus_file
from recommender.text import fold, has_diacritics, normalize

HCMC = "Hồ Chí Minh"
BINH_DUONG = "Bình Dương"
BA_RIA_VUNG_TAU = "Bà Rịa–Vũng Tàu"
REGIONS = (HCMC, BINH_DUONG, BA_RIA_VUNG_TAU)
OUTSIDE = "ngoài TP.HCM"
"""Stored as the region of a location in another province (Đồng Nai, Long An, ...)."""
"""The former provinces that make up today's city, as :attr:`Place.region` spells them."""

PARKS_FILE = "parks.tsv"
LIBRARY = "vietnamadminunits"
_LIBRARY_REGION = {
    "Hồ Chí Minh": HCMC, "Bình Dương": BINH_DUONG, "Bà Rịa - Vũng Tàu": BA_RIA_VUNG_TAU,
}


@dataclass(frozen=True)
class Park:
    """An industrial park (KCN) or export processing zone (KCX) of the merged city."""

    name: str
    """Canonical name, as stored in profiles: ``KCN Sóng Thần 2``."""
    kind: str
    """``KCN`` or ``KCX``."""
    aliases: tuple[str, ...]
    """Other spellings people use: ``Sóng Thần II``, ``Tan Thuan EPZ``."""
    former_province: str
    """One of :data:`REGIONS`."""
    former_district: str
    """Pre-2025 district/town/city; ``"Tân Phú; Bình Tân"`` when the park straddles two."""
    ward: str | None
    """2025 ward or commune (``Phường Bình Dương``) where verified, else None."""
    planned: bool
    pilot_green: bool
    """One of the five zones piloting conversion to a high-tech, green model."""
    source: str

    @property
    def key(self) -> str:
        return self.name

    @property
    def areas(self) -> tuple[str, ...]:
        """The former district(s) as a tuple: ``("Tân Phú", "Bình Tân")``."""
        return tuple(a.strip() for a in self.former_district.split(";") if a.strip())


@dataclass(frozen=True)
class Place:
    """Where a text says something is; every field None when nothing was recognised."""

    park: str | None = None
    """Canonical park name."""
    ward: str | None = None
    """2025 ward/commune with its prefix, as the library spells it: ``Phường Tân Thuận``."""
    area: str | None = None
    """Former district/town/city people know: ``Quận 7``, ``Thủ Đức``, ``Dĩ An``."""
    region: str | None = None
    """Former province (one of :data:`REGIONS`); None when unknown or the whole city."""
    outside_hcmc: bool = False
    """The text names another province (Đồng Nai, Long An, Hà Nội, ...)."""
    notes: tuple[str, ...] = ()
    """What was normalised, in Vietnamese, for display."""
    parks: tuple[str, ...] = ()
    """Candidate parks: the park itself, or a group named without its number ("VSIP")."""


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a buyer's query; ``query[start:end] == text``."""

    text: str
    """The span as written, including a leading "ở"/"gần"/"near"-type word."""
    start: int
    end: int
    place: Place
    near: bool
    """The query asks for the surroundings ("gần", "near", "xung quanh", ...)."""


# ---------------------------------------------------------------------------
# parks.tsv
# ---------------------------------------------------------------------------


def _read_parks() -> tuple[Park, ...]:
    """Parse and check parks.tsv (comment lines start with '#')."""
    text = corpus_file(PARKS_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    parks: list[Park] = []
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        park = Park(
            name=normalize(row["name"]),
            kind=row["kind"].strip(),
            aliases=tuple(normalize(a) for a in row["aliases"].split(";") if a.strip()),
            former_province=normalize(row["former_province"]),
            former_district=normalize(row["former_district"]),
            ward=normalize(row["ward"]) or None,
            planned=row["status"].strip() == "planned",
            pilot_green=row["pilot_green"].strip() == "1",
            source=row["source"].strip(),
        )
        if park.kind not in ("KCN", "KCX") or row["status"].strip() not in ("operating", "planned"):
            raise ValueError(f"{PARKS_FILE}: bad kind or status in row {park.name!r}")
        if park.former_province not in REGIONS or not park.areas or not park.source:
            raise ValueError(f"{PARKS_FILE}: province, district, source needed: {park.name!r}")
        parks.append(park)
    names = [p.name for p in parks]
    if len(set(names)) != len(names):
        raise ValueError(f"{PARKS_FILE}: duplicate park names")
    return tuple(parks)


@functools.lru_cache(maxsize=1)
def parks() -> tuple[Park, ...]:
    """All parks of the merged city, in file order (the 19 HCMC zones first)."""
    return _read_parks()


PARKS: tuple[Park, ...] = parks()
PARK_BY_NAME: dict[str, Park] = {p.name: p for p in PARKS}


# ---------------------------------------------------------------------------
# tokens: folded keys with offsets
# ---------------------------------------------------------------------------

_RUN = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_PART = re.compile(r"\d+|\D+")
_JOINERS = re.compile(r"[\s.\-–—_/']*")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "iia": "2a", "iib": "2b", "iiia": "3a"}
_MAX_TOKENS = 9


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    key: str
    """Folded, roman numerals and leading zeros normalised: ``quan``, ``7``."""
    word: str
    """Lower-case NFC with diacritics: ``quận``."""
    joined: bool
    """Only spaces, dots or dashes since the previous token (the two may be one name)."""


def _tokens(text: str) -> list[_Token]:
    """Letter and digit runs of ``text`` ("Q7" is ``q``, ``7``), with their offsets."""
    out: list[_Token] = []
    prev_end: int | None = None
    for run in _RUN.finditer(text):
        for part in _PART.finditer(run.group()):
            start, end = run.start() + part.start(), run.start() + part.end()
            word = normalize(text[start:end]).lower()
            key = fold(word)
            key = str(int(key)) if key.isdecimal() else _ROMAN.get(key, key)
            joined = prev_end is not None and bool(_JOINERS.fullmatch(text, prev_end, start))
            out.append(_Token(start, end, key, word, joined))
            prev_end = end
    return out


def _key(text: str) -> str:
    return "".join(t.key for t in _tokens(text))


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.word for t in _tokens(text))


# ---------------------------------------------------------------------------
# administrative units from vietnamadminunits
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _District:
    region: str
    short: str
    """``Quận 7``, ``Thủ Đức``, ``Dĩ An`` (the name people know)."""
    name: str
    """``Thành phố Thủ Đức``."""
    kind: str
    key: str


@dataclass(frozen=True)
class _OldWard:
    district: _District
    name: str
    short: str
    kind: str
    key: str

    @property
    def region(self) -> str:
        return self.district.region


@dataclass(frozen=True)
class _NewWard:
    name: str
    short: str
    kind: str
    key: str


@dataclass(frozen=True)
class _Admin:
    new_wards: dict[str, _NewWard]
    districts: tuple[_District, ...]
    old_wards: tuple[_OldWard, ...]
    old_to_new: dict[_OldWard, tuple[tuple[str, bool], ...]]
    """Old ward → (new ward key, the library's default for split wards)."""
    sources: dict[str, tuple[_OldWard, ...]]
    """New ward key → the old wards it was made from."""
    outside: dict[str, tuple[str, ...]]
    """Province outside the city (pre- and post-2025 names) → its library keywords."""
    keywords: dict[object, tuple[str, ...]]
    alias_keywords: dict[object, tuple[str, ...]]


def _library_data() -> Path:
    """The library's data folder, found without importing it.

    Importing ``vietnamadminunits`` loads its address parser, geopy and shapely; only its
    data files are needed here.
    """
    spec = importlib.util.find_spec(LIBRARY)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"recommender.places needs {LIBRARY!r}: pip install {LIBRARY}==1.0.4")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _json_list(value: str | None) -> tuple[str, ...]:
    return tuple(json.loads(value)) if value else ()


@functools.lru_cache(maxsize=1)
def _admin() -> _Admin:
    """Load the city's 2025 wards, its pre-2025 wards and districts and the mapping."""
    data = _library_data()
    con = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        new_rows = con.execute(
            "SELECT * FROM admin_units WHERE provinceShort = ?", ("Hồ Chí Minh",)
        ).fetchall()
        old_rows = con.execute(
            "SELECT * FROM admin_units_legacy "
            "WHERE provinceShort IN (?, ?, ?) AND ward IS NOT NULL",
            tuple(_LIBRARY_REGION),
        ).fetchall()
        province_rows = con.execute(
            "SELECT DISTINCT provinceShort, provinceKeywords FROM admin_units_legacy "
            "UNION SELECT DISTINCT provinceShort, provinceKeywords FROM admin_units"
        ).fetchall()
        # Côn Đảo had no ward level: the district itself became the special zone.
        island_rows = con.execute(
            "SELECT * FROM admin_units_legacy WHERE provinceShort IN (?, ?, ?) AND ward IS NULL",
            tuple(_LIBRARY_REGION),
        ).fetchall()
    finally:
        con.close()
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))

    keywords: dict[object, tuple[str, ...]] = {}
    alias_keywords: dict[object, tuple[str, ...]] = {}
    new_wards: dict[str, _NewWard] = {}
    for r in new_rows:
        ward = _NewWard(" ".join(r["ward"].split()), r["wardShort"], r["wardType"], r["wardKey"])
        new_wards[ward.key] = ward
        keywords[ward] = _json_list(r["wardKeywords"])
        alias_keywords[ward] = _json_list(r["wardAlias"])

    districts: dict[tuple[str, str], _District] = {}
    old_by_key: dict[str, _OldWard] = {}
    for r in [*old_rows, *island_rows]:
        dkey = (r["provinceKey"], r["districtKey"])
        if dkey not in districts:
            districts[dkey] = district = _District(
                _LIBRARY_REGION[r["provinceShort"]], r["districtShort"], r["district"],
                r["districtType"], r["districtKey"],
            )
            keywords[district] = _json_list(r["districtKeywords"])
            alias_keywords[district] = _json_list(r["districtAlias"])
        if r["ward"] is None:  # Côn Đảo: the district is its own unit, keyed with no ward
            d = districts[dkey]
            old_by_key[f"{r['provinceKey']}_{r['districtKey']}_"] = _OldWard(
                d, d.name, d.short, d.kind, "")
            continue
        old = _OldWard(districts[dkey], r["ward"], r["wardShort"], r["wardType"], r["wardKey"])
        old_by_key[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"] = old
        keywords[old] = _json_list(r["wardKeywords"])
        alias_keywords[old] = _json_list(r["wardAlias"])

    old_to_new: dict[_OldWard, list[tuple[str, bool]]] = defaultdict(list)
    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohochiminh"]
    split = converter["DICT_PROVINCE_WARD_DIVIDED"]["thanhphohochiminh"]
    for new_key, olds in whole.items():
        for old_key in olds:
            if old_key in old_by_key:
                old_to_new[old_by_key[old_key]].append((new_key, True))
    for old_key, targets in split.items():
        if old_key in old_by_key:
            for t in targets:
                target = (t["newWardKey"], bool(t["isDefaultNewWard"]))
                old_to_new[old_by_key[old_key]].append(target)
    sources: dict[str, list[_OldWard]] = defaultdict(list)
    for old, targets in old_to_new.items():
        for new_key, _ in targets:
            sources[new_key].append(old)

    outside: dict[str, set[str]] = defaultdict(set)
    for r in province_rows:
        if r["provinceShort"] not in _LIBRARY_REGION:
            outside[r["provinceShort"]].update(_json_list(r["provinceKeywords"]))
    return _Admin(
        new_wards=new_wards,
        districts=tuple(districts.values()),
        old_wards=tuple(old_by_key.values()),
        old_to_new={k: tuple(v) for k, v in old_to_new.items()},
        sources={k: tuple(v) for k, v in sources.items()},
        outside={k: tuple(sorted(v)) for k, v in outside.items()},
        keywords=keywords,
        alias_keywords=alias_keywords,
    )


def ward_names() -> tuple[str, ...]:
    """The 2025 wards, communes and special zone of the city, as the library spells them."""
    return tuple(w.name for w in _admin().new_wards.values())


def former_districts(region: str | None = None) -> tuple[str, ...]:
    """Pre-2025 districts/towns/cities (``Quận 7``, ``Dĩ An``), optionally of one region."""
    return tuple(d.short for d in _admin().districts if region in (None, d.region))


def _ward_areas(new_key: str) -> tuple[tuple[str, str], ...]:
    """(region, former district) pairs a 2025 ward was made from, most wards first."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for old in _admin().sources.get(new_key, ()):
        counts[(old.region, old.district.short)] += 1
    return tuple(sorted(counts, key=lambda k: -counts[k]))


def _new_ward(name: str | None) -> _NewWard | None:
    if not name:
        return None
    return _new_ward_index().get(_key(name))


@functools.lru_cache(maxsize=1)
def _new_ward_index() -> dict[str, _NewWard]:
    index: dict[str, _NewWard] = {}
    for ward in _admin().new_wards.values():
        index[_key(ward.name)] = ward
        index.setdefault(_key(ward.short), ward)
    return index


# ---------------------------------------------------------------------------
# spelling index
# ---------------------------------------------------------------------------

# Spelling of the unit types before (or after, in English) a name.
_TypeSpellings = dict[str, tuple[str, ...]]
_WARD_PREFIXES: _TypeSpellings = {
    "Phường": ("phường", "p", "f", "ward"),
    "Xã": ("xã", "x", "commune"),
    "Thị trấn": ("thị trấn", "tt", "town"),
    "Đặc khu": ("đặc khu", "special zone"),
}
_WARD_SUFFIXES = {"Phường": ("ward",), "Xã": ("commune",), "Thị trấn": ("town",)}
_DISTRICT_PREFIXES = {
    "Quận": ("quận", "q", "district", "dist"),
    "Huyện": ("huyện", "h", "district"),
    "Thành phố": ("thành phố", "tp", "thị xã", "tx", "city of"),
    "Thị xã": ("thị xã", "tx", "thành phố", "tp"),
}
_DISTRICT_SUFFIXES = {"Quận": ("district",), "Huyện": ("district",),
                      "Thành phố": ("city",), "Thị xã": ("town",)}
_PARK_PREFIXES = ("kcn", "kcx", "khu công nghiệp", "khu chế xuất", "kcn kcx", "khu cn")
_PARK_SUFFIXES = ("industrial park", "industrial zone", "ip", "iz", "epz",
                  "export processing zone", "kcn")
_CITY = ("hồ chí minh", "thành phố hồ chí minh", "tp hồ chí minh", "tp hcm", "tphcm", "hcm",
         "hcmc", "ho chi minh city", "thành phố hcm", "sài gòn", "saigon", "tp sài gòn")
_REGION_SPELLINGS = {
    BINH_DUONG: ("bình dương", "tỉnh bình dương", "binh duong province", "bd"),
    BA_RIA_VUNG_TAU: ("bà rịa vũng tàu", "tỉnh bà rịa vũng tàu", "ba ria vung tau province",
                      "brvt", "br vt"),
}
# Single-token spellings that are safe to match on their own.
_SINGLE_TOKEN_OK = {"hcm", "hcmc", "tphcm", "saigon", "bd", "brvt", "vsip", "mapletree", "protrade"}
# Two-syllable place names that are also everyday words; in queries they need "ở", "gần"...
_COMMON_WORDS = {"dongnam", "phongphu", "hoabinh", "thaibinh", "binhan", "thongnhat", "tantien",
                 "haiduong", "anphu", "binhminh", "phuloi", "thanhcong", "antoan", "tanphat"}
_CODE = re.compile(r"^(?:\d+[a-z]?|[a-z]\d*)$")


@dataclass(frozen=True)
class _Entry:
    kind: str
    """park, family, new, old, district, region, city or outside."""
    ref: object
    marked: bool
    """Spelled with its unit type ("P. Tân Thuận", "KCN ...") or distinctive enough alone."""
    words: tuple[str, ...] | None = None
    """Accented tokens of the spelling, to reject "bình chứa" for a "Bình Chữa"."""
    accents_required: bool = False
    """An unaccented text cannot be this entry (folds like another name: Bình Đường)."""
    alias: bool = False
    """A historical name the library lists (Quận 9 → Thủ Đức)."""


def _library_keyword_marked(keyword: str, prefixes: _TypeSpellings) -> bool:
    """Whether a library keyword ("quan9", "thixadian", "p08") carries a unit type."""
    full = {_key(p) for group in prefixes.values() for p in group if len(_key(p)) > 2}
    return any(keyword.startswith(f) for f in full) or bool(
        re.fullmatch(r"[pfqx]\d+|tx\w+|tt\w+", keyword))


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, tuple[_Entry, ...]]:
    """Folded, space-free spelling → what it may mean."""
    admin = _admin()
    index: dict[str, list[_Entry]] = defaultdict(list)

    def add(spelling: str, kind: str, ref: object, marked: bool,
            accents_required: bool = False) -> None:
        tokens = _tokens(spelling)
        key = "".join(t.key for t in tokens)
        if not tokens or (not marked and len(tokens) < 2 and key not in _SINGLE_TOKEN_OK):
            return  # a bare single syllable ("Mỹ", "Huế") is too often an ordinary word
        entry = _Entry(kind, ref, marked, tuple(t.word for t in tokens), accents_required)
        if entry not in index[key]:
            index[key].append(entry)

    def add_keyword(keyword: str, kind: str, ref: object, marked: bool, alias: bool) -> None:
        if not marked and (len(keyword) < 5 or keyword in index and any(
                e.ref == ref for e in index[keyword])):
            return
        entry = _Entry(kind, ref, marked, None, alias=alias)
        if not any(e.ref == ref and e.kind == kind for e in index[keyword]):
            index[keyword].append(entry)

    def add_unit(kind: str, unit: _NewWard | _OldWard | _District,
                 prefixes: _TypeSpellings, suffixes: _TypeSpellings) -> None:
        numbered = unit.short.split()[-1].isdigit() and unit.short.startswith(unit.kind)
        name = unit.short.split()[-1] if numbered else unit.short
        if not numbered:
            add(name, kind, unit, False)
        for prefix in prefixes.get(unit.kind, ()):
            add(f"{prefix} {name}", kind, unit, True)
        for suffix in suffixes.get(unit.kind, ()):
            if not numbered:
                add(f"{name} {suffix}", kind, unit, True)
        add(unit.name, kind, unit, True)
        aliases = set(admin.alias_keywords.get(unit, ()))
        for kw in admin.keywords.get(unit, ()):
            marked = _library_keyword_marked(kw, prefixes)
            add_keyword(kw, kind, unit, marked, alias=kw in aliases)

    for ward in admin.new_wards.values():
        add_unit("new", ward, _WARD_PREFIXES, _WARD_SUFFIXES)
    for old in admin.old_wards:
        add_unit("old", old, _WARD_PREFIXES, _WARD_SUFFIXES)
    for district in admin.districts:
        add_unit("district", district, _DISTRICT_PREFIXES, _DISTRICT_SUFFIXES)
    for spelling in _CITY:
        add(spelling, "city", HCMC, spelling.startswith(("tp", "thành phố", "ho chi minh c")))
    for region, spellings in _REGION_SPELLINGS.items():
        for spelling in spellings:
            add(spelling, "region", region, spelling.startswith("tỉnh") or "province" in spelling)
    for province, kws in admin.outside.items():
        add(province, "outside", province, False)
        for prefix in ("tỉnh", "tp", "thành phố", "province of"):
            add(f"{prefix} {province}", "outside", province, True)
        add(f"{province} province", "outside", province, True)
        for kw in kws:
            add_keyword(kw, "outside", province, kw.startswith(("tinh", "thanhpho")), False)

    admin_words = {k: [e.words for e in v if e.words] for k, v in index.items()}
    for park in PARKS:
        base = park.name.split(" ", 1)[1]
        bases = {base, re.sub(r"\s*\(.*?\)", "", base).strip()}
        # "Bình Đường" folds like "Bình Dương": only accented text can mean the park.
        required = any(w != _words(b) and len(w) == len(_words(b))
                       for b in bases for w in admin_words.get(_key(b), ()))
        for b in bases:
            distinctive = _CODE.match(_tokens(b)[-1].key) is not None
            add(b, "park", park.name, distinctive, accents_required=required)
            for prefix in _PARK_PREFIXES:
                add(f"{prefix} {b}", "park", park.name, True, accents_required=required)
            for suffix in _PARK_SUFFIXES:
                add(f"{b} {suffix}", "park", park.name, True, accents_required=required)
        add(park.name, "park", park.name, True, accents_required=required)
        for alias in park.aliases:
            add(alias, "park", park.name, True, accents_required=required)
    for family_base, members in _park_families().items():
        for prefix in _PARK_PREFIXES:
            add(f"{prefix} {family_base}", "family", members, True)
        add(family_base, "family", members, False)
    return {k: tuple(v) for k, v in index.items()}


def _park_families() -> dict[str, tuple[str, ...]]:
    """Names that cover several parks when written without a number: VSIP, KCN Sóng Thần..."""
    bases = {p.name: re.sub(r"\s*\(.*?\)", "", p.name.split(" ", 1)[1]) for p in PARKS}
    own = {_key(b) for b in bases.values()}
    families: dict[str, list[str]] = defaultdict(list)
    spelled: dict[str, str] = {}
    for name, base in bases.items():
        prefixes: set[str] = set()
        text = base.split(" – ")[0]
        if text != base:
            prefixes.add(text)
        words = text.split()
        while len(words) > 1:
            last = _tokens(words[-1])
            if not last or not all(_CODE.match(t.key) for t in last):
                break
            words = words[:-1]
            prefixes.add(" ".join(words))
        for prefix in prefixes:
            key = _key(prefix)
            if key not in own:
                families[key].append(name)
                spelled.setdefault(key, prefix)
    return {spelled[k]: tuple(v) for k, v in families.items() if len(v) > 1}


# ---------------------------------------------------------------------------
# scanning a text
# ---------------------------------------------------------------------------

_STREET_BEFORE = {"duong", "d", "dl", "ql", "tl", "dt", "dh", "hem", "ngo", "pho", "street", "st",
                  "road", "rd", "avenue", "ave"}
_STREET_BEFORE_2 = {("dai", "lo"), ("quoc", "lo"), ("tinh", "lo"), ("huong", "lo")}
_STREET_AFTER = {"street", "st", "road", "rd", "boulevard", "blvd", "avenue", "ave"}
_SEGMENT = re.compile(r"[,;:()\[\]\n|]")
_NEAR_BEFORE = (("xung", "quanh"), ("close", "to"), ("lan", "can"), ("gan",), ("near",),
                ("quanh",), ("around",), ("nearby",))
_NEAR_AFTER = (("nearby",), ("lan", "can"), ("va", "lan", "can"), ("and", "nearby"))
_PREP_BEFORE = (("khu", "vuc"), ("based", "in"), ("located", "in"), ("o",), ("tai",), ("in",),
                ("at",), ("trong",), ("thuoc",), ("from",))


@dataclass(frozen=True)
class _Mention:
    first: int
    last: int
    """Token indices, ``last`` exclusive."""
    start: int
    end: int
    text: str
    entries: tuple[_Entry, ...]

    @property
    def marked(self) -> bool:
        return any(e.marked for e in self.entries)

    def kinds(self) -> set[str]:
        return {e.kind for e in self.entries}

    def of(self, *kinds: str) -> list[_Entry]:
        return [e for e in self.entries if e.kind in kinds]

    def names(self, kind: str) -> list[str]:
        """Names read as ``kind`` (region, outside): ``["Bình Dương"]``."""
        return [e.ref for e in self.of(kind) if isinstance(e.ref, str)]

    def districts(self) -> list[tuple[_District, bool]]:
        """Former districts this may be, each with whether it was a historical alias."""
        return [(e.ref, e.alias) for e in self.entries if isinstance(e.ref, _District)]

    def wards(self) -> tuple[list[_OldWard], list[_NewWard]]:
        """Old and 2025 wards this may be."""
        return ([e.ref for e in self.entries if isinstance(e.ref, _OldWard)],
                [e.ref for e in self.entries if isinstance(e.ref, _NewWard)])


def _fits_accents(entry: _Entry, span: Sequence[_Token]) -> bool:
    """Whether the accents typed agree with the spelling (unaccented text always agrees)."""
    if entry.words is None or len(entry.words) != len(span):
        return not entry.accents_required
    for token, word in zip(span, entry.words, strict=True):
        if has_diacritics(token.word) and token.word != word:
            return False
        if entry.accents_required and has_diacritics(word) and not has_diacritics(token.word):
            return False
    return True


def _segment_start(text: str, tokens: Sequence[_Token], i: int) -> bool:
    if i == 0:
        return True
    return bool(_SEGMENT.search(text, tokens[i - 1].end, tokens[i].start))


def _is_street(text: str, tokens: Sequence[_Token], first: int, last: int) -> bool:
    """Whether a bare name is a street ("đường Bình Dương", "123 Kinh Dương Vương")."""
    if first > 0 and tokens[first].joined:
        if tokens[first - 1].key in _STREET_BEFORE:
            return True
        if first > 1 and tokens[first - 1].joined and \
                (tokens[first - 2].key, tokens[first - 1].key) in _STREET_BEFORE_2:
            return True
        # a house number opening the address part: "123 Kinh Dương Vương", "45/2 ..."
        j = first - 1
        while j >= 0 and _CODE.match(tokens[j].key) and (j == first - 1 or tokens[j + 1].joined):
            if _segment_start(text, tokens, j) and any(t.key.isdecimal() for t in tokens[j:first]):
                return True
            j -= 1
    if last < len(tokens) and tokens[last].joined and tokens[last].key in _STREET_AFTER:
        return True
    return False


def _scan(text: str, tokens: Sequence[_Token]) -> list[_Mention]:
    """Longest non-overlapping names in ``text``, marked spellings before bare ones."""
    index = _index()
    found: list[tuple[int, int, tuple[_Entry, ...]]] = []
    for i in range(len(tokens)):
        key = ""
        for j in range(i, min(len(tokens), i + _MAX_TOKENS)):
            if j > i and not tokens[j].joined:
                break
            key += tokens[j].key
            entries = index.get(key)
            if not entries:
                continue
            span = tokens[i:j + 1]
            entries = tuple(e for e in entries if _fits_accents(e, span))
            if entries:
                found.append((i, j + 1, entries))
    found.sort(key=lambda f: (-(f[1] - f[0]), -any(e.marked for e in f[2]), f[0]))
    taken: set[int] = set()
    mentions: list[_Mention] = []
    for first, last, entries in found:
        if taken.intersection(range(first, last)):
            continue
        if any(e.marked for e in entries):
            entries = tuple(e for e in entries if e.marked)
        elif _is_street(text, tokens, first, last):
            continue
        taken.update(range(first, last))
        start, end = tokens[first].start, tokens[last - 1].end
        mentions.append(_Mention(first, last, start, end, text[start:end], entries))
    mentions.sort(key=lambda m: m.first)
    return mentions


# ---------------------------------------------------------------------------
# from mentions to a Place
# ---------------------------------------------------------------------------


@dataclass
class _Reading:
    """What one text says, level by level, before it becomes a :class:`Place`."""

    notes: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    """Mentions already read at a higher level."""
    city: bool = False
    regions: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    park_names: list[str] = field(default_factory=list)
    family: bool = False
    district: _District | None = None
    district_text: str = ""
    district_alias: bool = False
    ward: _NewWard | None = None
    old_ward: _OldWard | None = None


def _read_provinces(mentions: Sequence[_Mention], r: _Reading) -> None:
    """The city, a former province ("Bình Dương", "BRVT"), another province."""
    for n, m in enumerate(mentions):
        kinds = m.kinds()
        if kinds & {"city", "region"}:
            r.used.add(n)
            r.city |= "city" in kinds
            r.regions += m.names("region")
        elif kinds == {"outside"}:
            r.used.add(n)
            r.outside += m.names("outside")


def _read_parks(mentions: Sequence[_Mention], r: _Reading) -> None:
    """A park, or a group of parks named without its number ("VSIP", "KCN Mỹ Phước")."""
    for n, m in enumerate(mentions):
        if n in r.used:
            continue
        strong = [e for e in m.of("park", "family") if e.marked]
        # a bare name that is also a ward or district ("Tân Tạo") is read as the place
        weak = m.of("park", "family") if m.kinds() <= {"park", "family"} else []
        chosen = strong or weak
        if not chosen:
            continue
        r.used.add(n)
        if r.park_names:
            continue
        for e in chosen:
            r.park_names += [e.ref] if isinstance(e.ref, str) else list(e.ref)  # type: ignore
        r.family = all(e.kind == "family" for e in chosen)
        if r.family:
            members = ", ".join(r.park_names)
            r.notes.append(f"{normalize(m.text)}: gồm {members}; chưa rõ khu nào")


def _read_district(mentions: Sequence[_Mention], r: _Reading) -> None:
    """A marked former district ("Q.7", "TX. Bến Cát"), else the last one named."""
    candidates = [(n, m) for n, m in enumerate(mentions) if n not in r.used and m.districts()]
    # addresses run from specific to general, so the last bare name is the district
    for n, m in sorted(candidates, key=lambda c: (not c[1].marked, -c[0])):
        options = [(d, alias) for d, alias in m.districts()
                   if not r.regions or d.region in r.regions]
        if options:
            r.used.add(n)
            (r.district, r.district_alias), r.district_text = options[0], normalize(m.text)
            return


def _read_ward(mentions: Sequence[_Mention], r: _Reading) -> None:
    """A 2025 ward, or an old ward mapped to its 2025 ward through the library's table."""
    ward_mentions = [m for n, m in enumerate(mentions) if n not in r.used and m.wards()]
    if not ward_mentions:
        return
    m = min(ward_mentions, key=lambda m: not m.marked)  # the first marked one, else the first
    olds, news = m.wards()
    if r.district is not None:
        in_district = [o for o in olds if o.district == r.district]
        if in_district:
            r.old_ward = in_district[0]
        else:
            inside = [w for w in news if r.district.short in {a for _, a in _ward_areas(w.key)}]
            r.ward = (inside or news or [None])[0]
    elif news:
        r.ward = news[0]
    else:
        olds = [o for o in olds if not r.regions or o.region in r.regions]
        if len(olds) == 1:
            r.old_ward = olds[0]
        elif olds:
            r.notes.append(f"{normalize(m.text)}: {len(olds)} phường/xã cũ cùng tên; "
                           "chưa xác định")
    if r.old_ward is not None:
        admin = _admin()
        targets = admin.old_to_new.get(r.old_ward, ())
        default = next((k for k, d in targets if d), targets[0][0] if targets else None)
        if default:
            r.ward = admin.new_wards[default]
            note = f"{r.old_ward.name}, {r.old_ward.district.short} (cũ) → {r.ward.name}"
            if len(targets) > 1:
                note += " (phường cũ đã bị chia; lấy phường mặc định)"
            r.notes.append(note)
    elif r.ward is not None and _key(m.text) != _key(r.ward.name):
        r.notes.append(f"{normalize(m.text)} → {r.ward.name}")


def _choose_park(r: _Reading) -> Park | None:
    """The park named; of two sharing a name (KCN Tân Bình), the one the text places."""
    if not r.park_names or r.family:
        return None
    parks_named = [PARK_BY_NAME[n] for n in r.park_names]
    regions = set(r.regions) | ({r.district.region} if r.district else set())
    areas = {r.district.short} if r.district else set()
    park = next((p for p in parks_named
                 if p.former_province in regions or areas & set(p.areas)), parks_named[0])
    r.park_names = [park.name]
    return park


def _interpret(mentions: Sequence[_Mention]) -> Place:
    """Combine the names found in one text (an address, or a group in a query)."""
    r = _Reading()
    _read_provinces(mentions, r)
    _read_parks(mentions, r)
    _read_district(mentions, r)
    _read_ward(mentions, r)
    park = _choose_park(r)
    notes = r.notes

    # each level from the most specific source that states it
    area: str | None = None
    region: str | None = None
    if r.district is not None:
        area, region = r.district.short, r.district.region
    elif r.old_ward is not None:
        area, region = r.old_ward.district.short, r.old_ward.region
    elif r.ward is not None:
        ward_areas = _ward_areas(r.ward.key)
        region = ward_areas[0][0] if len({g for g, _ in ward_areas}) == 1 else None
        area = ward_areas[0][1] if len(ward_areas) == 1 else None
    ward = r.ward
    if park is not None:
        if area is None and region in (None, park.former_province):
            area = park.areas[0]
        region = region or park.former_province
        if ward is None and park.ward and (r.district is None or r.district.short in park.areas):
            ward = _new_ward(park.ward)
        if area not in park.areas:
            notes.append(f"{park.name} ghi trong danh mục ở {park.former_district} (cũ)")
        notes.append(f"{park.name}: khu vực {', '.join(park.areas)} ({park.former_province} cũ)")
    elif r.park_names:
        members = [PARK_BY_NAME[n] for n in r.park_names]
        if len({p.former_province for p in members}) == 1:
            region = region or members[0].former_province
        if area is None and len({p.areas[0] for p in members}) == 1:
            area = members[0].areas[0]
    if region is None and len(set(r.regions)) == 1:
        region = r.regions[0]

    if r.district is not None:
        note = f"{r.district_text} (cũ) → khu vực {r.district.short}"
        if r.district_alias:
            note += f" ({r.district.name})"
        if ward is None and park is None:
            note += "; phường mới chưa xác định"
        notes.insert(0, note)
    if r.regions and region is not None and region not in r.regions:
        notes.append(f"{', '.join(r.regions)} không khớp {area or region}; dùng {region}")
    if region in (BINH_DUONG, BA_RIA_VUNG_TAU):
        notes.append(f"{region} (cũ) nay thuộc TP.HCM")
    if r.outside:
        if not (r.park_names or r.district or r.regions or r.city):
            return Place(outside_hcmc=True, notes=tuple(f"{p} nằm ngoài TP.HCM" for p in r.outside))
        notes.append(f"có nhắc {', '.join(r.outside)} (ngoài TP.HCM)")
    if r.city and not (r.park_names or ward or area or region):
        notes.append("TP.HCM: từ 1/7/2025 gồm cả Bình Dương và Bà Rịa–Vũng Tàu cũ")
    return Place(
        park=park.name if park else None,
        ward=ward.name if ward else None,
        area=area,
        region=region,
        notes=tuple(dict.fromkeys(notes)),
        parks=tuple(r.park_names),
    )


def resolve(text: str) -> Place:
    """Where an address, a ward (old or new), a former district or a park name points.

    Accepts diacritics or none, abbreviations ("P.", "Q.", "TX.", "TP.", "KCN", "H.",
    "TPHCM", "BD", "BRVT") and extra words ("Lô C5, KCN Sóng Thần 2, Dĩ An, Bình Dương").
    An old ward with its district maps to its 2025 ward; a park fills its area and region.
    Nothing recognised gives ``Place()`` (all None); ordinary text never raises.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    return _resolve(text)


@functools.lru_cache(maxsize=4096)
def _resolve(text: str) -> Place:
    return _interpret(_scan(text, _tokens(text)))


# ---------------------------------------------------------------------------
# buyer queries
# ---------------------------------------------------------------------------


def _phrase_before(tokens: Sequence[_Token], i: int, phrases: Iterable[tuple[str, ...]]) -> int:
    """Index where one of ``phrases`` ends right before token ``i`` starts, else ``i``."""
    for phrase in phrases:
        n = len(phrase)
        if i >= n and tuple(t.key for t in tokens[i - n:i]) == phrase and tokens[i].joined \
                and all(t.joined for t in tokens[i - n + 1:i]):
            return i - n
    return i


def _phrase_after(tokens: Sequence[_Token], i: int, phrases: Iterable[tuple[str, ...]]) -> int:
    """Index after one of ``phrases`` starting at token ``i``, else ``i``."""
    for phrase in phrases:
        n = len(phrase)
        if i + n <= len(tokens) and tuple(t.key for t in tokens[i:i + n]) == phrase \
                and all(t.joined for t in tokens[i:i + n]):
            return i + n
    return i


_LEVELS = {"park": 1, "family": 1, "new": 1, "old": 1, "district": 2, "region": 3, "city": 3,
           "outside": 3}


def _level(m: _Mention) -> int:
    """1 park or ward, 2 former district, 3 province or city."""
    return max(_LEVELS[e.kind] for e in m.entries)


def _query_entries(m: _Mention, tokens: Sequence[_Token], query: str,
                   introduced: bool) -> tuple[_Entry, ...]:
    """Drop readings a query does not support: bare ward names, everyday words, "Q1/2026"."""
    after = query[m.end:m.end + 3]
    if re.fullmatch(r"[pfq]\d+", _key(m.text)) and re.match(r"\s*[/-]\s*\d", after):
        return ()  # "giao hàng Q1/2026" is a quarter, not Quận 1
    if _key(m.text) == "bd" and not (introduced or m.text == "BD" and (
            m.last == len(tokens) or _segment_start(query, tokens, m.first))):
        return ()  # "BD" is also "bảo dưỡng": only "BD" at the end or after a comma or "ở"
    if m.marked:
        return m.entries
    keep = []
    for e in m.entries:
        if e.kind in ("new", "old") and not introduced:
            continue
        if _key(m.text) in _COMMON_WORDS and not introduced:
            continue
        keep.append(e)
    return tuple(keep)


def find_in_query(query: str) -> list[PlaceMention]:
    """Places named in a buyer's query, with spans the caller can strip.

    "ép nhựa ISO 9001 Bình Dương" names Bình Dương; "gia công CNC gần VSIP" names the VSIP
    parks with ``near=True``. Capability words are not places: "bình chứa", "đường" alone,
    "Mỹ" alone (the USA: "xuất khẩu sang Mỹ"); bare ward names count only after "ở", "tại",
    "gần", "in", "near"... Adjacent names ("Dĩ An, Bình Dương") form one mention.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be str, not {type(query).__name__}")
    return list(_find_in_query(query))


@functools.lru_cache(maxsize=1024)
def _find_in_query(query: str) -> tuple[PlaceMention, ...]:
    """:func:`find_in_query`, kept per query: a search asks twice (requirements and
    explanations) and the next page or filter asks again."""
    tokens = _tokens(query)
    kept: list[tuple[_Mention, int, bool]] = []
    for m in _scan(query, tokens):
        # up to two opening phrases: "gần X", "ở X", "ở gần X", "xung quanh khu vực X"
        opener, near = m.first, False
        for _ in range(2):
            at = _phrase_before(tokens, opener, _NEAR_BEFORE)
            if at < opener:
                opener, near = at, True
                continue
            at = _phrase_before(tokens, opener, _PREP_BEFORE)
            if at == opener:
                break
            opener = at
        entries = _query_entries(m, tokens, query, introduced=opener < m.first)
        if entries:
            m = _Mention(m.first, m.last, m.start, m.end, m.text, entries)
            kept.append((m, opener, near))
    groups: list[list[tuple[_Mention, int, bool]]] = []
    for item in kept:
        if groups:
            prev = groups[-1][-1][0]
            between = query[prev.end:tokens[item[1]].start]
            # "KCN Sóng Thần 2, Dĩ An, Bình Dương" is one place; "Thuận An, Dĩ An" are two
            if item[1] == item[0].first and re.fullmatch(r"[\s,;/\-–]*", between) \
                    and _level(item[0]) > _level(prev):
                groups[-1].append(item)
                continue
        groups.append([item])
    found: list[PlaceMention] = []
    for group in groups:
        mentions = [g[0] for g in group]
        place = _interpret(mentions)
        if not (place.parks or place.ward or place.area or place.region or place.outside_hcmc
                or any(m.names("city") for m in mentions)):
            continue  # e.g. "P3" alone: a dozen old wards, no place
        first_tok = group[0][1]
        last_tok = _phrase_after(tokens, mentions[-1].last, _NEAR_AFTER)
        near = any(g[2] for g in group) or last_tok > mentions[-1].last
        start, end = tokens[first_tok].start, tokens[last_tok - 1].end
        found.append(PlaceMention(query[start:end], start, end, place, near))
    return tuple(found)


# ---------------------------------------------------------------------------
# using a place in search
# ---------------------------------------------------------------------------


def _region_parks(region: str) -> list[Park]:
    return [p for p in PARKS if p.former_province == region]


def _area_parks(area: str, region: str | None = None) -> list[Park]:
    return [p for p in PARKS if area in p.areas and region in (None, p.former_province)]


def parks_in(place: Place, near: bool = False) -> tuple[str, ...]:
    """Park names a search for ``place`` should filter by or boost, the named park first.

    A park (or a group such as "VSIP") gives itself; ``near=True`` adds the parks of its
    former district, or of its former province when the district has no other. A 2025 ward
    gives the parks verified in it (with ``near``, also those of its former districts); a
    district or province gives every park in it. The whole city, an unrecognised place and
    a place outside the city give ``()``: no park filter.
    """
    if place.outside_hcmc:
        return ()
    named = place.parks or ((place.park,) if place.park else ())
    chosen = [PARK_BY_NAME[n] for n in named if n in PARK_BY_NAME]
    if chosen:
        if near:
            around = [q for p in chosen for a in p.areas for q in _area_parks(a, p.former_province)]
            if not {q.name for q in around} - set(named):
                around = [q for p in chosen for q in _region_parks(p.former_province)]
            chosen += around
    elif place.ward:
        chosen = [p for p in PARKS if p.ward == place.ward]
        if near:
            ward = _new_ward(place.ward)
            areas = [a for _, a in _ward_areas(ward.key)] if ward else []
            chosen += [p for a in areas or [place.area] if a for p in _area_parks(a, place.region)]
    elif place.area:
        chosen = _area_parks(place.area, place.region)
        if near and not chosen and place.region:
            chosen = _region_parks(place.region)
    elif place.region:
        chosen = _region_parks(place.region)
    return tuple(dict.fromkeys(p.name for p in chosen))


def _as_region(value: str | None) -> str | None:
    if not value:
        return None
    key = _key(value)
    for region in REGIONS:
        if key == _key(region):
            return region
    return resolve(value).region


def _as_park(value: str | None) -> str | None:
    if not value:
        return None
    if value in PARK_BY_NAME:
        return value
    place = resolve(value)
    return place.park


def matches(place_wanted: Place, park: str | None, ward: str | None, area: str | None,
            region: str | None) -> bool:
    """Whether a supplier's stored location lies in the wanted place.

    Compared at the level the wanted place was stated: same park (or one of a named group),
    else same 2025 ward, else same former district, else same former province. Missing
    supplier fields are derived from the park or the ward where possible. A wanted place
    with nothing in it (the whole city, or nothing recognised) matches everything; one
    outside the city matches nothing.
    """
    if place_wanted.outside_hcmc:
        return False
    park_name = _as_park(park)
    stored_park = PARK_BY_NAME.get(park_name) if park_name else None
    wanted_parks = place_wanted.parks or ((place_wanted.park,) if place_wanted.park else ())
    if wanted_parks:
        return park_name in wanted_parks
    new_ward = _new_ward(ward) or (_new_ward(resolve(ward).ward) if ward else None)
    if new_ward is None and stored_park is not None and stored_park.ward:
        new_ward = _new_ward(stored_park.ward)
    if place_wanted.ward:
        wanted = _new_ward(place_wanted.ward)
        return new_ward is not None and wanted is not None and new_ward.key == wanted.key
    areas: set[tuple[str | None, str]] = set()
    if area:
        resolved = resolve(area)
        areas.add((resolved.region, resolved.area or normalize(area)))
    if stored_park is not None:
        areas.update((stored_park.former_province, a) for a in stored_park.areas)
    if new_ward is not None:
        areas.update(_ward_areas(new_ward.key))
    if place_wanted.area:
        return any(a == place_wanted.area and r in (None, place_wanted.region or r)
                   for r, a in areas)
    if place_wanted.region:
        regions = {r for r, _ in areas if r} | ({_as_region(region)} - {None})
        return place_wanted.region in regions
    return True


__all__ = [
    "BA_RIA_VUNG_TAU", "BINH_DUONG", "HCMC", "PARKS", "PARK_BY_NAME", "REGIONS", "Park", "Place",
    "PlaceMention", "find_in_query", "former_districts", "matches", "parks", "parks_in",
    "resolve", "ward_names",
]


def stored_location(text: str) -> tuple[dict[str, str | None], Place]:
    """The location fields a profile stores for ``text`` (park, ward, former district,
    former province, or ``OUTSIDE`` for another province; the address unless ``text`` is just
    the park's name), with the :class:`Place` for its notes. The importer and the profile
    form both store locations through this."""
    place = resolve(text)
    fields = {"park": place.park, "ward": place.ward, "area": place.area,
              "region": OUTSIDE if place.outside_hcmc else place.region,
              "address": None if place.park == text else text}
    return fields, place


@functools.lru_cache(maxsize=256)
def without_places(query: str) -> str:
    """``query`` with the places it names cut out."""
    for mention in sorted(find_in_query(query), key=lambda m: -m.start):
        query = query[:mention.start] + " " + query[mention.end:]
    return query
