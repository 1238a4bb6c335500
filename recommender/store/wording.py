"""Profile values as people write them, normalised with a note of what was done.

The importer, the enterprise profile form and the API all accept the same
free wording through these functions: process and product phrases in a
firm's own words (mapped to the taxonomy, unmapped ones kept as text), a
headcount written "khoảng 80 người" or "200-250", ownership written "100%
vốn Hàn Quốc", certificates written "ISO 9001:2015, IATF16949 – hiệu lực đến
12/2027", and any address or park name (:mod:`recommender.places`). Each
function returns the value plus notes (what was mapped, assumed or kept as
text) for the caller's report; a value is refused only when nothing usable
can be read from it.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from recommender.requirements import CERTIFICATIONS, ownership_in
from recommender.taxonomy import MIN_CONFIDENCE, PhraseMapping, Taxonomy, load_taxonomy
from recommender.text import fold
from recommender.text.negation import affirmed

from .notes import Note


@dataclass
class Normalised:
    """A value read from free wording, with notes on what was done to it."""

    value: object = None
    notes: list[str] = field(default_factory=list)
    kept: str | None = None
    """Original text no field holds (stored in the profile's ``source_values``)."""


# --- processes and products ---------------------------------------------------------

# "/" separates only between spaces: "inox/nhôm/đồng" and "PCB/PCBA" are one phrase
_SEPARATORS = re.compile(r"\s*(?:[;,|•\n\r]+|\s/\s|\s-\s|\s–\s|\s\+\s)\s*")
_BULLET = re.compile(r"^[\s\-–*•·+>\d.)]+")


def split_phrases(text: str) -> list[str]:
    """``"Tiện CNC; phay, EDM / mài"`` → ``["Tiện CNC", "phay", "EDM", "mài"]``."""
    out: list[str] = []
    for part in _SEPARATORS.split(text):
        part = _BULLET.sub("", part).strip(" .:")
        if part and part not in out:
            out.append(part)
    return out


@dataclass
class CapabilityReading:
    """Processes and products read from a firm's phrases (and, failing those, its text)."""

    processes: list[str] = field(default_factory=list)
    """Taxonomy keys, in the order written."""
    capabilities: list[dict] = field(default_factory=list)
    """One :meth:`PhraseMapping.as_dict` per phrase (unmapped ones too)."""
    notes: list[str] = field(default_factory=list)

    @property
    def unmapped(self) -> list[str]:
        return [c["text"] for c in self.capabilities if not c["keys"]]


def read_capabilities(phrases: list[str], description: str | None = None, *,
                      confirmed: dict[str, str | None] | None = None,
                      taxonomy: Taxonomy | None = None) -> CapabilityReading:
    """Map each phrase to taxonomy nodes; when none maps, read nodes off the description."""
    taxonomy = taxonomy or load_taxonomy()
    reading = CapabilityReading()
    for phrase in phrases:
        mapping = taxonomy.map_phrase(phrase, confirmed)
        if mapping.keys and mapping.confidence < MIN_CONFIDENCE:
            mapping = PhraseMapping(phrase, (), mapping.confidence, "none")
        reading.capabilities.append(mapping.as_dict())
        if not mapping.keys:
            reading.notes.append(Note("phrase_unmapped", phrase=phrase))
            continue
        for key in mapping.keys:
            if key not in reading.processes:
                reading.processes.append(key)
        if mapping.how not in ("exact", "staff"):
            names = ", ".join(f"{taxonomy.label(k)} ({k})" for k in mapping.keys)
            reading.notes.append(Note("phrase_read_as", phrase=phrase, names=names,
                                      confidence=f"{mapping.confidence:.2f}"))
    if not reading.processes and description:
        # what the description says the firm does not do is not read as a process
        found = [k for k in dict.fromkeys(taxonomy.find(affirmed(description)))
                 if taxonomy.nodes[k].kind != "sector"]
        if found:
            reading.processes = found[:8]
            reading.notes.append(Note("processes_from_description", labels=", ".join(
                taxonomy.label(k) for k in reading.processes)))
    return reading


def infer_sector(processes: list[str], taxonomy: Taxonomy | None = None) -> str | None:
    """The sector of the first process that has one."""
    taxonomy = taxonomy or load_taxonomy()
    for key in processes:
        sector = taxonomy.sector_of(key)
        if sector:
            return sector
    return None


# --- headcount ------------------------------------------------------------------------

_HEADCOUNT = re.compile(r"(\d[\d.,\s]*\d|\d)")
_APPROX = re.compile(r"~|khoang|gan|xap xi|hon|tren|approx|about|around|over|\+")


def read_headcount(text: str) -> Normalised:
    """``"~150"``, ``"khoảng 80 người"``, ``"200-250"``, ``"1.200 CN"`` → an integer.

    A range keeps its lower bound (what a buyer's "at least N" can rely on).
    """
    numbers = []
    for m in _HEADCOUNT.finditer(text):
        digits = re.sub(r"[.,\s]", "", m.group(1))
        if digits.isdigit():
            numbers.append(int(digits))
    if not numbers:
        return Normalised(None, [Note("no_headcount", value=text)], kept=text)
    value = numbers[0]
    notes = []
    if len(numbers) > 1:
        notes.append(Note("headcount_lower_bound", value=text, number=value))
    elif _APPROX.search(fold(text).lower()) or not text.strip().isdigit():
        notes.append(Note("headcount_read_as", value=text, number=value))
    return Normalised(value, notes)


# --- ownership ------------------------------------------------------------------------

_LEGAL_FORM = re.compile(r"^(cong ty )?(tnhh|co phan|cp|mtv|tnhh mtv|tnhh 2 tv|jsc|co ltd|"
                         r"ltd|llc|corporation|hop tac xa|htx)\b")


def read_ownership(text: str) -> Normalised:
    """``domestic``, ``fdi`` or ``joint_venture`` from how people write it."""
    folded = fold(text).lower().strip()
    if folded in ("domestic", "fdi", "joint_venture", "joint venture"):
        return Normalised(folded.replace(" ", "_"))
    found = ownership_in(text)
    # "liên doanh" names a foreign partner too; a joint venture is what the firm is
    for key in ("joint_venture", "fdi", "domestic"):
        if key in found:
            return Normalised(key, [Note("ownership_read_as", value=text, key=key)])
    if _LEGAL_FORM.match(folded):
        return Normalised(None, [Note("ownership_legal_form", value=text)], kept=text)
    return Normalised(None, [Note("ownership_unknown", value=text)], kept=text)


# --- certificates -----------------------------------------------------------------------

_CERT_PATTERNS = [
    (name, re.compile(r"(?<![a-z0-9])" + r"[\s\-:]*".join(
        re.escape(p) for p in re.split(r"[\s-]+", fold(name).lower())) + r"(?![0-9])"))
    for name in sorted(CERTIFICATIONS, key=len, reverse=True)
]
_NOT_HELD = re.compile(r"dang (xay dung|trien khai|ap dung|lam)|chuan bi|du kien|"
                       r"working towards|in progress|planned|under (way|implementation)")
_UNTIL = re.compile(r"(?:den|het han|hieu luc|valid|exp\w*|until|to)\D{0,12}"
                    r"(?:(\d{1,2})[/.-])?(\d{1,2})[/.-](\d{4})|(\d{4})-(\d{2})-(\d{2})")
_PAREN = re.compile(r"\(([^()]*)\)")


def _top_level_split(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if depth == 0 and ch in ";,\n":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _until(text: str) -> date | None:
    m = _UNTIL.search(fold(text).lower())
    if not m:
        return None
    if m.group(4):
        return date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    day, month, year = m.group(1), int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(int(day), last) if day else last)


_DAY = re.compile(r"^\s*(?:(\d{1,2})[/.-])?(\d{1,2})[/.-](\d{4})\s*$")
_DATE_WORDS = re.compile(r"^(?:(?:từ|tu|trước|truoc|đến|den|ngày|ngay|tháng|thang|from|by|"
                         r"before|until)\s+)+", re.IGNORECASE)
"""Words written before a date ("từ ngày 1/3/2027", "tháng 3/2027", "by 30/06/2027")."""


def read_date(text: str) -> date | None:
    """``2027-12-31``, ``31/12/2027``, ``31.12.2027`` or ``12/2027`` (the month's last day),
    also after "ngày", "tháng", "từ", "trước", "by"...; None when it is no date."""
    text = _DATE_WORDS.sub("", text.strip())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = _DAY.match(text)
    if not m:
        return None
    day, month, year = m.group(1), int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day and not 1 <= int(day) <= last:
        return None
    return date(year, month, int(day) if day else last)


def read_certificates(text: str) -> tuple[list[dict], list[str]]:
    """Certificates from free text: ``ISO 9001:2015, ISO 14001 (TÜV) – hiệu lực đến
    12/2027``. Names are put in their usual form ("IATF16949" → "IATF 16949"), the
    edition kept as the scope; "đang xây dựng ISO 9001" is noted, not held."""
    certs: list[dict] = []
    notes: list[str] = []
    for part in _top_level_split(text):
        folded = fold(part).lower()
        if _NOT_HELD.search(folded):
            notes.append(Note("certificate_not_held", value=part))
            continue
        names = [n for n, p in _CERT_PATTERNS if p.search(folded)]
        names = [n for n in names if not any(n != o and n in o for o in names)]
        issuer = None
        inner = _PAREN.search(part)
        if inner and not _until(inner.group(1)) and not any(
                p.search(fold(inner.group(1)).lower()) for _, p in _CERT_PATTERNS):
            issuer = inner.group(1).strip() or None
        until = _until(part)
        if not names:
            name = _PAREN.sub("", part).strip(" -–:")
            if not name:
                continue
            names = [name[:120]]
            notes.append(Note("certificate_unusual", name=name))
        for name in names:
            edition = re.search(r":\s*((?:19|20)\d\d)", part)
            scope = f"{name}:{edition.group(1)}" if edition and len(names) == 1 else None
            certs.append({"name": name, "issuer": issuer, "scope": scope,
                          "valid_until": until})
    return certs, notes


# --- identity -----------------------------------------------------------------------

def derived_external_id(name: str, tax_code: str | None) -> str:
    """A stable id for a row that has none: from the tax code, else from the name."""
    if tax_code:
        return f"MST-{tax_code}"
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name).lower()).strip("-")[:40]
    digest = hashlib.sha1(fold(name).lower().encode()).hexdigest()[:8]
    return f"DN-{slug}-{digest}"
