"""The capability taxonomy: sectors, processes and product groups of supporting industry.

One file, ``corpora/taxonomy.tsv`` (documented in ``corpora/README.md``), holds a
tree of nodes: sectors at the roots, then groups, processes and product groups
(``cơ khí › gia công cắt gọt › tiện CNC``), each with Vietnamese and English
labels, the synonyms and trade jargon people write, and ISIC Rev.4 / VSIC 2018
class codes where a class corresponds. Materials, customer industries and
"ignore" phrases (a domain word inside a name that means something else, such
as "hàn" in "Hàn Quốc") live in the same file outside the tree.

Everything that reads capabilities uses this one module: the importer and the
profile form map what a firm wrote to nodes (:meth:`Taxonomy.map_phrase`), the
search expands queries through :meth:`Taxonomy.glossary` (:func:`load_glossary`
also reads a plain concept file), requirement parsing and ranking read the
nodes a query names (:meth:`Taxonomy.find`), and filters include a parent's
children (:meth:`Taxonomy.descendants`).
"""

from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .expand import Concept, Glossary
from .resources import corpus_file
from .text import fold_phrase
from .text.negation import affirmed

KINDS = ("sector", "group", "process", "product", "material", "industry", "ignore",
         "waste", "energy", "water", "capacity", "service")
"""Kinds a row may have: the capability taxonomy's, and the resource taxonomy's
(``corpora/resources.tsv``: ``group``, ``material``, ``waste``, ``energy``, ``water``,
``capacity``, ``service``), so that either file also reads as a glossary."""
CAPABILITY_KINDS = frozenset({"sector", "group", "process", "product"})
"""Kinds a supplier can hold (and a buyer can ask for)."""
INDUSTRY_SECTORS = {"automotive": "automotive_parts", "food": "food_processing",
                    "apparel_fashion": "textile_garment", "footwear": "leather_footwear"}
"""Customer industries whose name staff use for the supporting sector ("Ô tô - xe máy")."""
MIN_CONFIDENCE = 0.5
"""Below this a phrase is kept as free text instead of being mapped."""


@dataclass(frozen=True)
class Node:
    """One row of the taxonomy."""

    key: str
    parent: str | None
    kind: str
    vi: str
    en: str
    vi_terms: tuple[str, ...] = ()
    en_terms: tuple[str, ...] = ()
    cell_terms: tuple[str, ...] = ()
    """Names of this node only as the whole of a phrase a firm lists ("dập", "phay",
    "mài"): bare words that, folded, are common words in running text ("đáp", "phẩy",
    "mai"), so search and descriptions never read them."""
    isic: tuple[str, ...] = ()
    note: str = ""
    attrs: tuple[tuple[str, str], ...] = ()
    """The file's other columns, as written (the resource taxonomy's ``hazard``, ...)."""

    def attr(self, name: str) -> str:
        """The value of another column of this node's row ("" when absent)."""
        return dict(self.attrs).get(name, "")

    def label(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi

    @property
    def terms(self) -> tuple[str, ...]:
        """Every spelling that names this node: labels, synonyms and the key as words."""
        return (self.vi, *self.vi_terms, self.en, *self.en_terms, self.key.replace("_", " "))


@dataclass(frozen=True)
class PhraseMapping:
    """What one phrase a firm wrote was mapped to."""

    text: str
    """The phrase as written."""
    keys: tuple[str, ...]
    """Taxonomy keys; empty when nothing matched well enough (kept as free text)."""
    confidence: float
    """1.0 for an exact name, the share of the phrase matched for a partial match,
    lower for a spelling only close to a name."""
    how: str
    """``exact``, ``partial``, ``close``, ``staff`` (a mapping staff confirmed) or ``none``."""

    def as_dict(self) -> dict:
        return {"text": self.text, "keys": list(self.keys),
                "confidence": round(self.confidence, 3), "how": self.how}


class Taxonomy:
    """The taxonomy tree with lookups by key, by name and by text."""

    def __init__(self, nodes: Iterable[Node],
                 exact_kinds: Iterable[str] = CAPABILITY_KINDS) -> None:
        self.exact_kinds = frozenset(exact_kinds)
        self.nodes: dict[str, Node] = {}
        for node in nodes:
            if node.key in self.nodes:
                raise ValueError(f"taxonomy key {node.key!r} appears twice")
            self.nodes[node.key] = node
        self.children: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.parent is not None:
                if node.parent not in self.nodes:
                    raise ValueError(f"taxonomy node {node.key!r}: unknown parent {node.parent!r}")
                self.children.setdefault(node.parent, []).append(node.key)
        for key in self.nodes:
            self.ancestors(key)  # raises on a cycle
        self._glossary = Glossary([Concept(n.key, (n.vi, *n.vi_terms),
                                           (n.en, *n.en_terms, n.key.replace("_", " ")),
                                           kind=n.kind) for n in self.nodes.values()])
        self._exact: dict[str, str] = {}
        for node in self.nodes.values():
            if node.kind in self.exact_kinds:
                for term in (*node.terms, *node.cell_terms):
                    self._exact.setdefault(fold_phrase(term), node.key)
        self._codes: dict[str, list[str]] = {}
        for node in self.nodes.values():
            for code in node.isic:
                self._codes.setdefault(code, []).append(node.key)

    # --- the tree -------------------------------------------------------------------

    def __contains__(self, key: object) -> bool:
        return key in self.nodes

    def ancestors(self, key: str) -> list[str]:
        """The keys above ``key``, nearest first."""
        out: list[str] = []
        node = self.nodes[key]
        while node.parent is not None:
            if node.parent in out or node.parent == key:
                raise ValueError(f"taxonomy has a cycle through {key!r}")
            out.append(node.parent)
            node = self.nodes[node.parent]
        return out

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the taxonomy lives as long as the process
    def descendants(self, key: str) -> frozenset[str]:
        """``key`` and every node below it (choosing a parent includes its children)."""
        out = {key}
        for child in self.children.get(key, ()):
            out |= self.descendants(child)
        return frozenset(out)

    def sector_of(self, key: str) -> str | None:
        """The sector root a capability node sits under."""
        node = self.nodes.get(key)
        if node is None or node.kind not in CAPABILITY_KINDS:
            return None
        chain = [key, *self.ancestors(key)]
        root = self.nodes[chain[-1]]
        return root.key if root.kind == "sector" else None

    def path(self, key: str, lang: str = "vi") -> str:
        """``cơ khí › gia công cắt gọt › tiện CNC``."""
        chain = [key, *self.ancestors(key)]
        return " › ".join(self.nodes[k].label(lang) for k in reversed(chain))

    def label(self, key: str, lang: str = "vi") -> str:
        node = self.nodes.get(key)
        return node.label(lang) if node else key

    def of_kind(self, *kinds: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind in kinds]

    @property
    def sectors(self) -> list[Node]:
        return self.of_kind("sector")

    @property
    def capabilities(self) -> list[Node]:
        """Groups, processes and product groups, in file order."""
        return self.of_kind("group", "process", "product")

    # --- from text ------------------------------------------------------------------

    def glossary(self) -> Glossary:
        """Every node as a glossary concept (query expansion, concepts in explanations)."""
        return self._glossary

    def find(self, text: str, kinds: Iterable[str] | None = None) -> list[str]:
        """Keys of the nodes named in ``text`` (longest match first, left to right), of
        ``kinds`` (default: the taxonomy's :attr:`exact_kinds`)."""
        wanted = self.exact_kinds if kinds is None else frozenset(kinds)
        return [c.key for c, _ in self._glossary.find(text) if c.kind in wanted]

    def lookup(self, value: str, kinds: Iterable[str] | None = None) -> str | None:
        """The key whose key, label or synonym is exactly ``value`` (folded), or None."""
        key = self._exact.get(fold_phrase(value))
        wanted = self.exact_kinds if kinds is None else frozenset(kinds)
        if key is not None and self.nodes[key].kind in wanted:
            return key
        return None

    def sector(self, value: str) -> str | None:
        """The sector ``value`` names: a key, a name in either language with or without
        diacritics, a slug (``nhua_cao_su``), an ISIC/VSIC code, or a capability
        whose sector is meant ("ép nhựa" → rubber and plastics)."""
        text = value.strip()
        digits = text.replace(".", "").replace(" ", "")
        if digits.isdigit() and len(digits) >= 2:
            code = digits[:4]
            for candidate in (code, code[:3], code[:2]):
                keys = self._codes.get(candidate) or [
                    k for c, ks in self._codes.items() if c.startswith(candidate) for k in ks]
                sectors = {self.sector_of(k) for k in keys} - {None}
                if len(sectors) == 1:
                    return sectors.pop()
            return None
        key = self.lookup(text)
        if key is not None:
            return self.sector_of(key)
        found = self.find(text)
        # Vietnamese puts the head first: "bao bì nhựa" is packaging, "cơ khí chế tạo"
        # mechanical; a customer industry names the sector that supplies it ("Ô tô - xe máy")
        for k in found:
            if self.sector_of(k):
                return self.sector_of(k)
        for k in self.find(text, kinds=("industry",)):
            if INDUSTRY_SECTORS.get(k) in self.nodes:
                return INDUSTRY_SECTORS[k]
        return None

    def map_phrase(self, phrase: str, confirmed: dict[str, str | None] | None = None
                   ) -> PhraseMapping:
        """Map one phrase a firm wrote ("gc tiện CNC inox", "ron cao su") to nodes.

        ``confirmed`` holds staff decisions by folded phrase (a key, or None for
        "keep as free text"); they win over everything else.
        """
        folded = fold_phrase(phrase)
        if confirmed is not None and folded in confirmed:
            key = confirmed[folded]
            if key is None or key not in self.nodes:
                return PhraseMapping(phrase, (), 0.0, "staff")
            return PhraseMapping(phrase, (key,), 1.0, "staff")
        if not folded:
            return PhraseMapping(phrase, (), 0.0, "none")
        exact = self.lookup(phrase)
        if exact is not None:
            return PhraseMapping(phrase, (exact,), 1.0, "exact")
        syllables = folded.split()
        # what the phrase excludes ('không nhận anodize') is not what the firm does
        matches = [(c, span) for c, span in self._glossary.find(affirmed(phrase))]
        keys = [c.key for c, _ in matches if c.kind in self.exact_kinds]
        if keys:
            covered = sum(len(span) for c, span in matches)
            confidence = min(0.95, 0.4 + 0.6 * covered / max(1, len(syllables)))
            # a phrase naming a child and its parent ("CNC, tiện CNC") keeps the child
            keys = [k for k in dict.fromkeys(keys)
                    if not any(k in self.ancestors(o) for o in keys if o != k)]
            return PhraseMapping(phrase, tuple(keys), confidence, "partial")
        close = difflib.get_close_matches(folded, self._exact, n=1, cutoff=0.85)
        if close and len(folded) >= 4:
            ratio = difflib.SequenceMatcher(None, folded, close[0]).ratio()
            return PhraseMapping(phrase, (self._exact[close[0]],), 0.6 * ratio, "close")
        return PhraseMapping(phrase, (), 0.0, "none")

    def suggest(self, text: str, lang: str = "vi", limit: int = 10) -> list[Node]:
        """Capability nodes for a picker: names starting with, then containing, ``text``."""
        wanted = fold_phrase(text)
        if not wanted:
            return []
        starts, contains, seen = [], [], set()
        for node in self.capabilities + self.sectors:
            names = [fold_phrase(t) for t in node.terms]
            if any(n.startswith(wanted) for n in names):
                starts.append(node)
            elif any(wanted in n for n in names):
                contains.append(node)
        out = []
        for node in starts + contains:
            if node.key not in seen:
                seen.add(node.key)
                out.append(node)
        return out[:limit]


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (cell or "").split(";") if t.strip())


_COLUMNS = frozenset({"key", "parent", "kind", "vi", "en", "vi_terms", "en_terms",
                      "cell_terms", "isic", "note"})


def read_taxonomy(path: str | Path, kinds: Iterable[str] = KINDS,
                  exact_kinds: Iterable[str] = CAPABILITY_KINDS) -> Taxonomy:
    """Read a taxonomy TSV (columns ``key parent kind vi en vi_terms en_terms cell_terms
    isic note``; ``cell_terms`` may be absent, other columns are kept in
    :attr:`Node.attrs`); ``kinds``: the kinds a row may have; ``exact_kinds``: those
    :meth:`Taxonomy.lookup` and :meth:`Taxonomy.map_phrase` name."""
    kinds = tuple(kinds)
    path = Path(path)
    nodes = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader((line for line in fh if not line.startswith("#")),
                                delimiter="\t")
        missing = {"key", "parent", "kind", "vi", "en"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for n, row in enumerate(reader, 2):
            kind = (row.get("kind") or "").strip()
            key = (row.get("key") or "").strip()
            if not key or kind not in kinds:
                raise ValueError(f"{path}:{n}: a row needs a key and a kind in {kinds}")
            nodes.append(Node(
                key=key, parent=(row.get("parent") or "").strip() or None, kind=kind,
                vi=(row.get("vi") or "").strip() or key, en=(row.get("en") or "").strip() or key,
                vi_terms=_split(row.get("vi_terms")), en_terms=_split(row.get("en_terms")),
                cell_terms=_split(row.get("cell_terms")), isic=_split(row.get("isic")),
                note=(row.get("note") or "").strip(),
                attrs=tuple((k, (v or "").strip()) for k, v in row.items()
                            if k and k not in _COLUMNS)))
    return Taxonomy(nodes, exact_kinds)


@functools.lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """The taxonomy at ``path`` (default: the bundled ``corpora/taxonomy.tsv``), read once."""
    return read_taxonomy(path or corpus_file("taxonomy.tsv"))


@functools.lru_cache(maxsize=4)
def load_glossary(path: str | None = None) -> Glossary:
    """The glossary at ``path``, read once per process: a taxonomy file or a
    ``concept vi en`` TSV; by default the bundled taxonomy (``corpora/taxonomy.tsv``)."""
    if not path:
        return load_taxonomy().glossary()
    with open(path, encoding="utf-8") as fh:
        header = next((line for line in fh if not line.startswith("#")), "")
    if "parent" in header.rstrip("\n").split("\t"):
        return read_taxonomy(path).glossary()
    return Glossary.load(path)
