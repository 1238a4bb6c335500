"""Retrieval latency, approximate-search recall, build time and memory, measured in-process.

Run from the repository root::

    python benchmarks/bench_retrieval.py --json /tmp/bench_retrieval.json

Three measurements, all on the machine that runs the script:

1. Hybrid query latency over a collection of supplier profiles (default
   10,000): ``HybridIndex.search(query, 10)`` with query encoding included,
   beside its parts measured alone (query encoding, BM25, dense FAISS search)
   and the time of each stage of the real search (its collaborators are
   wrapped with timers in this process; ``recommender/`` is not changed).
2. Approximate search at 100,000 vectors: ``IVFIndex`` (library defaults)
   against exact ``FlatIndex`` on the same vectors: search latency, recall@10
   and build time. The vectors are the real profile window embeddings plus
   noisy copies of them (see ``make_ann_vectors``); the queries are real
   query embeddings.
3. Build time of the hybrid index and the process's resident memory
   (``VmRSS``, peak ``VmHWM``) after each stage.
4. The torch reference against the fast encoder backend (``--backends``, default
   ``torch,auto``): query-encoding CPU per query, hybrid top-10 agreement over
   the section 1 collection, the labelled buyer queries and the shared BEIR sets
   ALQAC and ViRHE4QA_v2, and hybrid nDCG@10 on the last three. Each runtime
   encodes the passages into an embedding cache of its own (they share a model
   id, so the shared cache cannot tell their vectors apart) and every query
   itself; "own" rankings use that runtime's passage vectors, "served" ones the
   reference's passage vectors with that runtime's queries.

Profile texts come from ``corpora/sample_suppliers.jsonl`` when it exists
(descriptions, varied to reach the requested count), otherwise they are
generated from a fixed seed. Passage embeddings are cached in SQLite under the
cache directory, so only the first run pays for encoding the collection.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import logging
import os
import platform
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from a checkout, without installing
    sys.path.insert(0, str(REPO))

log = logging.getLogger("bench_retrieval")

DEFAULT_CORPUS = REPO / "corpora" / "sample_suppliers.jsonl"
DEFAULT_BUYER_QUERIES = REPO / "corpora" / "buyer_queries.jsonl"

#: Targets printed beside the figures (milliseconds, recall as a fraction).
TARGETS = {
    "hybrid_p50_ms": 40.0,
    "hybrid_p95_ms": 80.0,
    "ivf_p50_ms": 5.0,
    "ivf_recall_at_10": 0.95,
}

#: Buyer queries as typed: Vietnamese with diacritics, without them, and English.
BUYER_QUERIES = [
    "ép nhựa PP cho linh kiện điện tử KCN Tân Tạo",
    "gia công CNC nhôm 6061 độ chính xác 0,01 mm",
    "xưởng dập kim loại tấm SPCC số lượng lớn",
    "bó dây điện ô tô đạt IATF 16949",
    "lắp ráp SMT bo mạch điều khiển",
    "in bao bì carton offset cho hàng xuất khẩu",
    "ép đế giày EVA phylon",
    "gioăng cao su chịu dầu theo bản vẽ",
    "nhà cung cấp khuôn mẫu ép nhựa ở KCX Tân Thuận",
    "cắt laser chấn tôn inox 304",
    "sơn tĩnh điện vỏ tủ điện",
    "mạ kẽm nhúng nóng kết cấu thép",
    "đúc nhôm áp lực vỏ motor",
    "may đồng phục công nhân số lượng 5.000 bộ",
    "túi PE thổi màng in ống đồng",
    "linh kiện nhựa đạt ISO 9001:2015 gần Bình Chánh",
    "doanh nghiệp vốn Nhật Bản gia công cơ khí chính xác",
    "tìm nhà cung cấp phớt, oring cao su silicone",
    "xưởng hàn khung thép băng tải",
    "in lụa tem nhãn decal",
    "nhà máy sản xuất thùng carton 5 lớp KCN Lê Minh Xuân",
    "gia công tiện phay chi tiết thủy lực SUS316",
    "lắp ráp cụm dây cáp USB cho thiết bị điện",
    "ép phun nhựa ABS vỏ thiết bị gia dụng",
    "nhà cung cấp đạt ISO 14001 và RoHS",
    "dịch vụ xi mạ niken crom",
    "khuôn dập liên hoàn cho linh kiện xe máy",
    "bao bì mềm màng ghép thực phẩm ISO 22000",
    "xưởng may túi xách da xuất khẩu Mỹ",
    "nhà thầu phụ điện tử EMS ở KCX Linh Trung",
    "đệm cao su giảm chấn cho máy công nghiệp",
    "nhiệt luyện tôi cao tần trục bánh răng",
    "ep nhua kcn tan tao",
    "gia cong cnc nhom",
    "dap kim loai tam",
    "bo day dien o to",
    "lap rap smt",
    "in bao bi carton",
    "de giay eva",
    "gioang cao su chiu dau",
    "cat laser chan ton inox",
    "son tinh dien",
    "duc nhom ap luc",
    "xuong may dong phuc",
    "khuon mau ep nhua kcx tan thuan",
    "nha cung cap dat iso 9001",
    "gia cong co khi chinh xac sus304",
    "plastic injection moulding supplier in Ho Chi Minh City",
    "CNC machining aluminium parts ISO 9001",
    "metal stamping for automotive brackets",
    "wire harness assembly IATF 16949",
    "SMT PCB assembly contract manufacturer",
    "offset printing corrugated boxes",
    "EVA shoe sole moulding",
    "rubber gasket and O-ring supplier",
    "laser cutting stainless steel sheet metal",
    "powder coating service Tan Tao industrial park",
    "aluminium die casting motor housing",
    "garment factory export to Japan",
    "flexible packaging laminated film food grade",
    "precision turning parts for hydraulic valves",
]

PARKS = [
    "KCN Tân Tạo", "KCX Tân Thuận", "KCN Lê Minh Xuân", "KCN Tây Bắc Củ Chi", "KCN Vĩnh Lộc",
    "KCN Tân Bình", "KCN Hiệp Phước", "KCN Cát Lái", "KCX Linh Trung I", "KCX Linh Trung II",
    "KCN Bình Chiểu", "KCN Tân Phú Trung",
]
CERTIFICATIONS = [
    "ISO 9001:2015", "ISO 14001:2015", "IATF 16949", "ISO 13485", "ISO 22000", "RoHS",
    "UL", "FSC", "BSCI", "SA8000",
]

# (Vietnamese process, English process, Vietnamese products, English products, materials)
_PROCESSES = [
    ("ép nhựa", "plastic injection moulding", ["vỏ nhựa", "bánh răng nhựa", "nắp chai"],
     ["plastic housings", "plastic gears", "caps"], ["PP", "ABS", "PC", "POM", "PA66"]),
    ("gia công CNC", "CNC machining", ["trục", "bạc lót", "chi tiết thủy lực", "đồ gá"],
     ["shafts", "bushings", "hydraulic parts", "jigs"], ["nhôm 6061", "SUS304", "S45C", "đồng"]),
    ("dập kim loại", "metal stamping", ["pát đỡ", "vỏ motor", "lá tiếp điểm"],
     ["brackets", "motor housings", "contact springs"], ["SPCC", "SECC", "đồng C1100", "SUS430"]),
    ("bó dây điện", "wire harness assembly", ["bó dây xe máy", "cáp USB", "dây nguồn"],
     ["motorbike harnesses", "USB cables", "power cords"], ["dây bọc PVC", "đầu cos", "lõi đồng"]),
    ("lắp ráp SMT", "SMT assembly", ["bo mạch điều khiển", "mạch sạc", "bo LED"],
     ["control boards", "charger boards", "LED boards"],
     ["FR-4", "thiếc hàn SAC305", "linh kiện 0402"]),
    ("in bao bì", "packaging printing", ["hộp giấy", "thùng carton", "nhãn mác"],
     ["paper boxes", "corrugated cartons", "labels"], ["giấy Ivory", "giấy kraft", "màng BOPP"]),
    ("ép đế giày", "shoe sole moulding", ["đế giày thể thao", "đế dép", "lót giày"],
     ["sports soles", "sandal soles", "insoles"], ["EVA", "phylon", "cao su TPR"]),
    ("sản xuất gioăng cao su", "rubber gasket moulding",
     ["gioăng", "phớt", "oring", "đệm chống rung"],
     ["gaskets", "oil seals", "O-rings", "anti-vibration pads"],
     ["NBR", "EPDM", "silicone", "FKM"]),
    ("sơn tĩnh điện", "powder coating", ["vỏ tủ điện", "khung kệ", "lan can"],
     ["electrical cabinets", "rack frames", "railings"], ["sơn Akzo Nobel", "sơn Jotun"]),
    ("đúc nhôm áp lực", "aluminium die casting", ["vỏ hộp số", "tản nhiệt", "vỏ đèn"],
     ["gearbox housings", "heat sinks", "lamp housings"], ["ADC12", "A380"]),
]
_INDUSTRIES = [("điện tử", "electronics"), ("ô tô", "automotive"), ("xe máy", "motorcycles"),
               ("thiết bị y tế", "medical devices"), ("giày dép", "footwear"),
               ("thực phẩm", "food"), ("điện gia dụng", "home appliances")]
_COMPANY_VI = ["Công ty TNHH", "Công ty Cổ phần", "Xưởng", "Cơ sở"]
_SYLLABLES = ["An", "Bảo", "Minh", "Phát", "Thịnh", "Hưng", "Tín", "Đạt", "Việt", "Nam",
              "Sao", "Mai", "Long", "Phú", "Thành", "Hòa", "Kim", "Tân", "Quang", "Huy"]


# -- collection and queries --------------------------------------------------
def synthetic_profiles(n: int, seed: int) -> list[str]:
    """``n`` distinct short supplier profiles (1-3 sentences, about 1 in 5 English)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        proc_vi, proc_en, prods_vi, prods_en, mats = rng.choice(_PROCESSES)
        ind_vi, ind_en = rng.choice(_INDUSTRIES)
        park = rng.choice(PARKS)
        cert = rng.choice(CERTIFICATIONS)
        name = " ".join(rng.sample(_SYLLABLES, 2))
        staff = rng.randrange(5, 1200)
        machines = rng.randrange(2, 80)
        if rng.random() < 0.2:
            head = (f"{name} Co., Ltd. provides {proc_en} of {rng.choice(prods_en)} for the "
                    f"{ind_en} industry at {park}.")
            extra = [f"Certified {cert}.",
                     f"{staff} employees and {machines} machines; materials: "
                     f"{', '.join(rng.sample(mats, min(2, len(mats))))}.",
                     "Build-to-print, small batches welcome, export to Japan and the EU."]
        else:
            head = (f"{rng.choice(_COMPANY_VI)} {name} chuyên {proc_vi} {rng.choice(prods_vi)} "
                    f"cho ngành {ind_vi} tại {park}.")
            extra = [f"Đạt chứng nhận {cert}.",
                     f"Có {machines} máy và {staff} công nhân, vật liệu "
                     f"{' và '.join(rng.sample(mats, min(2, len(mats))))}.",
                     "Nhận gia công theo bản vẽ, số lượng từ vài trăm đến hàng trăm nghìn."]
        text = " ".join([head, *rng.sample(extra, rng.randrange(0, 3))])
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    """Lines of a multi-line (bulleted) description, else its sentences."""
    parts = text.splitlines() if "\n" in text else _SENTENCE_BREAK.split(text)
    return [s.strip() for s in parts if s.strip()]


def corpus_profiles(path: Path, n: int, seed: int) -> list[str]:
    """``n`` distinct profile texts: the corpus descriptions, then varied copies of them.

    A copy keeps its profile's first sentence, shuffles the rest, may drop one,
    may borrow one sentence from another profile of the same sector, and moves
    the company to another industrial park, so copies read like further
    suppliers of the same trades rather than duplicates.
    """
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [r for r in rows if isinstance(r.get("description"), str) and r["description"].strip()]
    if not rows:
        raise ValueError(f"{path} has no rows with a description")
    parks = sorted({r.get("location", {}).get("park") for r in rows} - {None} | set(PARKS))
    by_sector: dict[str, list[list[str]]] = {}
    for r in rows:
        by_sector.setdefault(str(r.get("sector")), []).append(_sentences(r["description"]))
    rng = random.Random(seed)
    out = [r["description"] for r in rows[:n]]
    seen = set(out)
    i = 0
    while len(out) < n:
        row = rows[i % len(rows)]
        i += 1
        parts = _sentences(row["description"])
        for _ in range(5):
            head, rest = parts[0], parts[1:]
            rng.shuffle(rest)
            if len(rest) >= 2 and rng.random() < 0.5:
                rest.pop()
            donor = rng.choice(by_sector[str(row.get("sector"))])
            joiner = "\n" if "\n" in row["description"] else " "
            if len(donor) > 1 and rng.random() < 0.6:
                borrowed = rng.choice(donor[1:])
                if joiner == " ":  # a bullet line borrowed into prose becomes a sentence
                    borrowed = borrowed.lstrip("+-•* ").rstrip(".;") + "."
                rest.insert(rng.randrange(len(rest) + 1), borrowed)
            text = joiner.join([head, *rest])
            for park in parks:
                if park in text:
                    text = text.replace(park, rng.choice([p for p in parks if p != park]))
                    break
            if text not in seen:
                break
        else:
            text = f"{text} Mã hồ sơ NCC-{len(out):06d}."
        seen.add(text)
        out.append(text)
    return out


def ann_query_texts(n: int, seed: int) -> tuple[list[str], dict[str, int]]:
    """At least ``n`` distinct buyer queries for the recall measurement, and their sources.

    The hand-written queries, then the labelled buyer queries of
    ``corpora/buyer_queries.jsonl`` if present, then process x modifier
    combinations (accented, folded and English) from a fixed seed.
    """
    from recommender.text import fold

    out = list(dict.fromkeys(BUYER_QUERIES))
    sources = {"hand_written": len(out)}
    if DEFAULT_BUYER_QUERIES.is_file() and len(out) < n:
        before = len(out)
        for line in DEFAULT_BUYER_QUERIES.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str) and text.strip() and text not in out:
                out.append(text)
        sources["corpora/buyer_queries.jsonl"] = len(out) - before
    rng = random.Random(seed)
    before = len(out)
    seen = set(out)
    while len(out) < n:
        proc_vi, proc_en, prods_vi, prods_en, mats = rng.choice(_PROCESSES)
        style = rng.random()
        if style < 0.2:
            text = f"{proc_en} {rng.choice(prods_en)} {rng.choice(CERTIFICATIONS)}"
        else:
            mod = rng.choice([rng.choice(PARKS), rng.choice(CERTIFICATIONS), rng.choice(mats),
                              "số lượng nhỏ", "xuất khẩu Nhật Bản", "giao hàng nhanh"])
            text = f"{proc_vi} {rng.choice(prods_vi)} {mod}"
            if style > 0.65:
                text = fold(text)
        if text not in seen:
            seen.add(text)
            out.append(text)
    sources["templated"] = len(out) - before
    return out, sources


# -- measurement helpers -----------------------------------------------------
def memory() -> dict[str, float]:
    """Resident set size now and at its peak, in MiB (Linux /proc)."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return {"rss_mib": round(found.get("VmRSS", float("nan")), 1),
            "peak_rss_mib": round(found.get("VmHWM", float("nan")), 1)}


def summarise(ms: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(ms, dtype=np.float64)
    return {"n": int(arr.size), "p50_ms": round(float(np.percentile(arr, 50)), 3),
            "p95_ms": round(float(np.percentile(arr, 95)), 3),
            "mean_ms": round(float(arr.mean()), 3), "max_ms": round(float(arr.max()), 3)}


def time_calls(fn: Callable[[Any], object], items: Sequence[Any], n: int,
               warmup: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn`` over ``items`` (cycled), after ``warmup`` calls."""
    for i in range(warmup):
        fn(items[i % len(items)])
    out = []
    for i in range(n):
        item = items[(warmup + i) % len(items)]
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def set_torch_threads(n: int) -> None:
    import torch

    if n:
        torch.set_num_threads(n)


# -- section 1: collection, encoding, hybrid index ---------------------------
def encode_collection(encoder: Any, texts: list[str], chunk: int) -> dict[str, Any]:
    """Encode the passages missing from the embedding cache, in chunks, timing it."""
    from tqdm import tqdm

    from recommender.embed.encoder import EmbeddingCache
    from recommender.text import normalize, segment

    # The key the encoder caches under: its text preparation, then sha256.
    seg = encoder.config.segment_for_model
    keys = [EmbeddingCache.key(segment(normalize(t)) if seg else normalize(t)) for t in texts]
    t0 = time.perf_counter()
    cached = encoder.cache.get_many(encoder.model_id, list(set(keys)))
    lookup_s = time.perf_counter() - t0
    todo, seen = [], set(cached)
    for key, text in zip(keys, texts, strict=True):
        if key not in seen:
            seen.add(key)
            todo.append(text)
    from_cache = len(texts) - len(todo)
    log.info("%d of %d profiles already in the embedding cache; encoding %d",
             from_cache, len(texts), len(todo))
    windows = 0
    t0 = time.perf_counter()
    bar = tqdm(total=len(todo), unit="profile", disable=not sys.stderr.isatty(),
               desc="encoding profiles")
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        mats = encoder.encode_passages(part, show_progress=False)
        windows += sum(len(m) for m in mats)
        bar.update(len(part))
        done, spent = start + len(part), time.perf_counter() - t0
        if not bar.disable:
            continue
        log.info("encoded %d/%d profiles (%d windows) in %.0f s, %.1f profiles/s",
                 done, len(todo), windows, spent, done / spent)
    bar.close()
    encode_s = time.perf_counter() - t0
    return {
        "profiles": len(texts),
        "from_cache": from_cache,
        "encoded": len(todo),
        "encoded_windows": windows,
        "encode_s": round(encode_s, 2),
        "passages_per_s": round(len(todo) / encode_s, 2) if todo else None,
        "windows_per_s": round(windows / encode_s, 2) if todo else None,
        "cache_lookup_s": round(lookup_s, 3),
    }


_ABSENT = object()


class StageTimer:
    """Times the collaborators ``HybridIndex.search`` calls, without editing it.

    The index's encoder, vector index and lexical index methods (and the
    ``check_query``/``fuse`` names in ``recommender.search``) are replaced on
    the instances, for this process only, by wrappers that add up their time;
    whatever is left of a search's time is the search's own Python code.
    Collaborators that a version of ``search.py`` does not have are skipped.
    """

    def __init__(self, index: Any) -> None:
        import recommender.search as search_module

        self.ms: dict[str, float] = {}
        self.counts: dict[str, float] = {}
        self._saved: list[tuple[Any, str, Any]] = []

        def vector_label(args: tuple, kwargs: dict) -> str:
            allowed = kwargs.get("allowed_ids", args[2] if len(args) > 2 else None)
            if allowed is None:
                k = kwargs.get("k", args[1] if len(args) > 1 else "?")
                return f"vector search: dense candidates (k={k})"
            self.counts["bm25-only candidate windows"] = float(len(allowed))
            return "vector search: bm25-only candidates (filtered)"

        self._wrap(search_module, "check_query", "check_query (normalise)")
        self._wrap(index, "dense_query", "dense_query (diacritic restoration)")
        self._wrap(index, "_expansion", "glossary expansion")
        self._wrap(index.encoder, "encode_queries", "encode_queries")
        self._wrap(index.vectors, "search", vector_label)
        self._wrap(index.lexical, "score_all", "bm25 score_all (analysis + BM25 matrix)")
        self._wrap(index.lexical, "positions", "lexical positions()")
        self._wrap(search_module, "fuse", "fuse")

    def _wrap(self, owner: Any, attr: str, label: str | Callable[[tuple, dict], str]) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                name = label if isinstance(label, str) else label(args, kwargs)
                self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - t0) * 1e3

        self._saved.append((owner, attr, vars(owner).get(attr, _ABSENT)))
        setattr(owner, attr, timed)

    def restore(self) -> None:
        for owner, attr, before in reversed(self._saved):
            if before is _ABSENT:
                delattr(owner, attr)
            else:
                setattr(owner, attr, before)
        self._saved.clear()

    def search(self, index: Any, query: str, k: int = 10) -> dict[str, float]:
        """One real ``index.search``; milliseconds per stage, the rest, and the total."""
        self.ms, self.counts = {}, {"bm25-only candidate windows": 0.0}
        t0 = time.perf_counter()
        index.search(query, k)
        total = (time.perf_counter() - t0) * 1e3
        out = dict(self.ms)
        out["rest: search.py's own Python code"] = total - sum(self.ms.values())
        out["total"] = total
        out.update(self.counts)
        return out


def hybrid_stages(index: Any, queries: Sequence[str], n: int) -> dict[str, Any]:
    """Mean and p95 per stage over ``n`` hybrid searches (queries cycled)."""
    timer = StageTimer(index)
    try:
        runs = [timer.search(index, queries[i % len(queries)]) for i in range(n)]
    finally:
        timer.restore()
    names = list(dict.fromkeys(name for run in runs for name in run))
    for run in runs:
        for name in names:
            run.setdefault(name, 0.0)
    return {
        "n": n,
        "mean_ms": {name: round(float(np.mean([r[name] for r in runs])), 3) for name in names},
        "p95_ms": {name: round(float(np.percentile([r[name] for r in runs], 95)), 3)
                   for name in names},
    }


def first_searches(index: Any, queries: Sequence[str]) -> dict[str, float]:
    """Seconds of the first hybrid search, then of the first one typed without marks.

    Both pay for work the index defers to its first search after a change.
    """
    from recommender.text import fold

    marked = next(q for q in queries if fold(q) != q.lower())
    unmarked = next(q for q in queries if fold(q) == q.lower())
    out = {}
    for name, query in (("first_search_s", marked), ("first_unmarked_search_s", unmarked)):
        t0 = time.perf_counter()
        index.search(query, 10)
        out[name] = round(time.perf_counter() - t0, 3)
    return out


def collection_texts(args: argparse.Namespace) -> tuple[list[str], str]:
    """The profile texts of the collection, and where they come from."""
    if args.synthetic or not args.corpus.is_file():
        return synthetic_profiles(args.profiles, args.seed), f"synthetic (seed {args.seed})"
    return (corpus_profiles(args.corpus, args.profiles, args.seed),
            f"{args.corpus} descriptions, varied copies (seed {args.seed})")


def bench_hybrid(args: argparse.Namespace, config: Any, result: dict[str, Any]) -> Any:
    from recommender.embed.encoder import SentenceTransformerEncoder
    from recommender.index import set_threads
    from recommender.search import HybridIndex
    from recommender.text import check_query

    # -- collection
    texts, source = collection_texts(args)
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    result["collection"] = {
        "profiles": len(texts), "source": source, "texts_sha256_16": digest,
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
    }
    log.info("collection: %d profiles from %s", len(texts), source)

    # -- model
    t0 = time.perf_counter()
    encoder = SentenceTransformerEncoder(config)
    set_torch_threads(args.threads)
    result["model"] = {"model_id": encoder.model_id, "dim": encoder.dim,
                       "backend": encoder.backend,
                       "load_s": round(time.perf_counter() - t0, 2)}
    result["memory"]["after model load"] = memory()

    # -- encoding and build
    enc = encode_collection(encoder, texts, args.encode_chunk)
    result["encoding"] = enc
    ids = list(range(len(texts)))
    t0 = time.perf_counter()
    index = HybridIndex.build(encoder, ids, texts, config, show_progress=False)
    build_s = time.perf_counter() - t0
    queries = [check_query(q) for q in BUYER_QUERIES]
    first = first_searches(index, queries)
    windows = sum(index.windows.values())
    result["build"] = {
        "profiles": len(index), "windows": windows,
        "vector_index": type(index.vectors).__name__,
        "build_from_cache_s": round(build_s, 2),
        "cold_build_s": round(enc["encode_s"] + build_s, 2) if enc["encoded"] else None,
        **first,
        "note": "HybridIndex.build reads every embedding from the cache (filled just "
                "before, timed as encoding); cold_build_s = encoding + build. Work done "
                "lazily by the first searches (BM25 matrices; the diacritic restorer, "
                "for the first query typed without marks) is timed separately.",
    }
    result["memory"]["after building the hybrid index"] = memory()
    log.info("built the hybrid index: %d profiles, %d windows, %.1f s", len(index), windows,
             build_s)

    # -- latency
    n, warm = args.queries, args.warmup
    qvecs = encoder.encode_queries(queries)
    pairs = list(zip(queries, qvecs, strict=True))
    k_dense = min(len(index.vectors), index.config.candidates * 3)
    rows: dict[str, dict[str, float]] = {}

    def run(name: str, fn: Callable[[Any], object], items: Sequence[Any]) -> None:
        log.info("timing: %s", name)
        rows[name] = summarise(time_calls(fn, items, n, warm))

    run("hybrid search(q, 10), query encoding included",
        lambda q: index.search(q, 10), queries)
    run("hybrid search(q, 10), precomputed query vector",
        lambda p: index.search(p[0], 10, query_vector=p[1]), pairs)
    run("query encoding alone (encode_queries, 1 query)",
        lambda q: encoder.encode_queries([q]), queries)
    run("BM25 alone (LexicalIndex.search, k=10)",
        lambda q: index.lexical.search(q, 10), queries)
    run("dense alone (search method=dense, query_vector)",
        lambda p: index.search(p[0], 10, method="dense", query_vector=p[1]), pairs)
    kind = type(index.vectors).__name__
    run(f"raw {kind}.search, k=10", lambda v: index.vectors.search(v[None, :], 10), qvecs)
    run(f"raw {kind}.search, k={k_dense} (as hybrid asks)",
        lambda v: index.vectors.search(v[None, :], k_dense), qvecs)
    if args.threads != 1:
        set_torch_threads(1)
        run("diagnostic: query encoding alone, 1 torch thread",
            lambda q: encoder.encode_queries([q]), queries)
        run("diagnostic: hybrid search(q, 10), 1 torch thread",
            lambda q: index.search(q, 10), queries)
        set_torch_threads(args.threads)
    # torch and faiss-cpu each bring their own OpenMP runtime; the other FAISS
    # setting is shown for comparison (the default is one thread per query).
    other = 2 if args.faiss_threads == 1 else 1
    set_threads(other)
    run(f"diagnostic: hybrid search(q, 10), {other} FAISS thread(s)",
        lambda q: index.search(q, 10), queries)
    set_threads(args.faiss_threads)
    result["latency"] = {"queries": len(queries), "n": n, "warmup": warm, "rows": rows}

    # -- a live edit: the next search rebuilds the BM25 matrices
    t0 = time.perf_counter()
    index.upsert([0], [texts[0] + " Cập nhật năng lực sản xuất."])
    upsert_s = time.perf_counter() - t0
    result["build"]["upsert_1_profile_s"] = round(upsert_s, 3)
    result["build"]["after_upsert"] = first_searches(index, queries)

    # -- stages
    result["stages"] = hybrid_stages(index, queries, args.stage_queries)
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.stage_queries):
            index.search(queries[i % len(queries)], 10)
        prof.disable()
        prof.dump_stats(args.cprofile)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        result["cprofile"] = {"file": str(args.cprofile), "top": buf.getvalue()}
    return index


# -- section 2: approximate search at scale ------------------------------------
def make_ann_vectors(base: np.ndarray, n: int, noise: float | None,
                     seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """``n`` unit vectors: ``base`` itself, then noisy renormalised copies of it.

    With ``noise`` None, the per-dimension sigma is set so that a copy's cosine
    to its original equals the median cosine between a real vector and its
    nearest other real vector: copies sit as far from their source as real
    profiles sit from their nearest neighbour.
    """
    import faiss

    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    sample = base[rng.choice(len(base), min(2000, len(base)), replace=False)]
    flat = faiss.IndexFlatIP(dim)
    flat.add(base)
    sims, _ = flat.search(sample, 8)
    # nearest neighbour that is not the vector itself nor an identical window
    nn = np.array([next((s for s in row if s < 0.9999), row[-1]) for row in sims])
    nn_cos = float(np.median(nn))
    if noise is None:
        noise = float(np.sqrt(max(1.0 / nn_cos**2 - 1.0, 1e-6)) / np.sqrt(dim))
    out = np.empty((n, dim), dtype=np.float32)
    m = min(n, len(base))
    out[:m] = base[:m]
    for start in range(m, n, 20000):
        stop = min(n, start + 20000)
        src = base[np.arange(start, stop) % len(base)]
        block = src + rng.normal(0.0, noise, size=src.shape).astype(np.float32)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    copies = out[m:]
    cos = (np.einsum("ij,ij->i", copies, base[np.arange(m, n) % len(base)])
           if len(copies) else np.ones(1))
    return out, {
        "real_vectors": int(m), "noisy_copies": int(n - m), "noise_sigma": round(noise, 5),
        "median_nn_cosine_real": round(nn_cos, 4),
        "mean_cosine_copy_to_source": round(float(cos.mean()), 4),
    }


def bench_ann(args: argparse.Namespace, index: Any, result: dict[str, Any]) -> None:
    from recommender.index import FlatIndex, IVFIndex

    encoder = index.encoder
    doc_ids = sorted(index.windows)
    log.info("approximate search: gathering the %d profiles' window vectors", len(doc_ids))
    base = np.vstack([index.vectors.reconstruct((d << 8) | w)
                      for d in doc_ids for w in range(index.windows[d])]).astype(np.float32)
    vectors, how = make_ann_vectors(base, args.ann_vectors, args.noise, args.seed)
    ids = np.arange(len(vectors), dtype=np.int64)
    texts, sources = ann_query_texts(args.ann_queries, args.seed)
    t0 = time.perf_counter()
    qv = encoder.encode_queries(texts)
    query_encode_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    flat = FlatIndex(vectors.shape[1])
    flat.add(ids, vectors)
    flat_s = time.perf_counter() - t0
    log.info("flat add: %.1f s; training IVF on %d vectors", flat_s, len(vectors))
    t0 = time.perf_counter()
    ivf = IVFIndex.build(ids, vectors)
    ivf_s = time.perf_counter() - t0
    log.info("IVF build (train + add): %.1f s, nlist %s, nprobe %s", ivf_s, ivf.nlist,
             ivf.nprobe)
    result["memory"][f"after the {len(vectors):,}-vector flat + IVF indexes"] = memory()

    _, truth = flat.search(qv, 10)
    warm = min(args.warmup, len(qv))
    items = list(range(len(qv)))

    def measure(idx: Any) -> tuple[dict[str, float], float]:
        found: dict[int, np.ndarray] = {}

        def one(i: int) -> None:
            found[i] = idx.search(qv[i : i + 1], 10)[1][0]

        stats = summarise(time_calls(one, items, len(qv), warm))
        recall = float(np.mean([len(set(found[i].tolist()) & set(truth[i].tolist())) / 10
                                for i in items]))
        return stats, recall

    flat_stats, _ = measure(flat)
    default_nprobe = ivf.nprobe
    sweep = []
    for nprobe in sorted({max(1, default_nprobe // 4), max(1, default_nprobe // 2),
                          default_nprobe, min(ivf.nlist, default_nprobe * 2)}):
        ivf.nprobe = nprobe
        stats, recall = measure(ivf)
        sweep.append({"nprobe": nprobe, **stats, "recall_at_10": round(recall, 4)})
    ivf.nprobe = default_nprobe
    default_row = next(r for r in sweep if r["nprobe"] == default_nprobe)
    result["ann"] = {
        "vectors": len(vectors), "dim": int(vectors.shape[1]), "how": how,
        "queries": len(qv), "query_sources": sources,
        "query_encoding_s": round(query_encode_s, 2),
        "flat_add_s": round(flat_s, 2), "ivf_build_s": round(ivf_s, 2),
        "nlist": ivf.nlist, "nprobe": default_nprobe,
        "flat": flat_stats, "ivf": {k: v for k, v in default_row.items() if k != "nprobe"},
        "nprobe_sweep": sweep,
    }


# -- section 4: the torch reference against the fast encoder backends ----------------
COMPARE_SETS = ("collection", "buyer", "ALQAC", "ViRHE4QA_v2")
"""Sets of the backend comparison: the section 1 collection (agreement only), the
labelled buyer queries over the sample profiles, and the two shared BEIR sets."""
DEFAULT_BENCHMARKS = REPO.parent / "shared" / "benchmarks"
DEFAULT_QRELS = REPO / "corpora" / "buyer_qrels.tsv"
NDCG_TOLERANCE = 0.2
"""Bar of issue "Fast path": hybrid nDCG@10 with the fast backend within ±0.2 of torch's."""


def backend_encoder(config: Any, backend: str, threads: int, cache_root: Path) -> Any:
    """An encoder on ``backend`` whose passage vectors live in a cache of that runtime alone.

    Every backend but int8 shares torch's model id, so in the shared embedding cache
    the vectors of one could be read as the other's: here each runtime
    (``encoder.backend``) reads and writes ``cache_root/<runtime>/embeddings.sqlite``
    only. The query-vector cache is off, so every query is encoded.
    """
    from dataclasses import replace

    from recommender.embed.encoder import EmbeddingCache, SentenceTransformerEncoder

    encoder = SentenceTransformerEncoder(replace(config, encoder_backend=backend,
                                                 threads=threads, query_cache=0))
    encoder.cache = EmbeddingCache(cache_root / encoder.backend / "embeddings.sqlite")
    return encoder


def with_encoder(index: Any, encoder: Any) -> Any:
    """A view of ``index`` (its vectors and BM25) whose queries ``encoder`` encodes."""
    from recommender.search import HybridIndex

    view = HybridIndex(encoder, index.config, vectors=index.vectors, lexical=index.lexical)
    view.windows = index.windows
    view._lock = index._lock
    return view


def top_agreement(ref: dict[str, list], other: dict[str, list], k: int = 10) -> dict[str, Any]:
    """Share of queries whose top ``k`` is identical (same order), the same set, and the
    mean share of the reference's top ``k`` that is also in the other's."""
    same_order = same_set = 0
    overlap = []
    for q, ids in ref.items():
        a, b = ids[:k], other[q][:k]
        same_order += a == b
        same_set += set(a) == set(b)
        overlap.append(len(set(a) & set(b)) / max(len(a), len(b), 1))
    n = len(ref)
    return {"queries": n, "identical_top10": round(same_order / n, 4) if n else None,
            "same_set_top10": round(same_set / n, 4) if n else None,
            "mean_overlap_at_10": round(float(np.mean(overlap)), 4) if n else None}


def encode_each(encoder: Any, texts: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Each text encoded alone, as a search does; the vectors and the CPU and wall time."""
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    wall = []
    cpu0 = time.process_time()
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        out[i] = encoder.encode_queries([text])[0]
        wall.append((time.perf_counter() - t0) * 1e3)
    cpu = time.process_time() - cpu0
    return out, {"queries": len(texts), "cpu_ms_total": round(cpu * 1e3, 1),
                 "wall_ms": summarise(wall) if wall else None}


def buyer_set(limit: int) -> tuple[list[int], list[str], dict, dict, list, dict]:
    """The sample profiles as the web app indexes them (a temporary SQLite store), and
    the labelled buyer queries: ids, texts, facts, external ids, queries, qrels."""
    import tempfile

    from recommender.domain_eval import load_labelled
    from recommender.serving.profiles import read_profiles
    from recommender.store.db import make_engine, session_factory, sqlite_url, upgrade
    from recommender.store.sample import load_sample

    with tempfile.TemporaryDirectory(prefix="bench-buyer-") as tmp:
        engine = make_engine(sqlite_url(tmp, "sample.sqlite3"))
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            load_sample(session, DEFAULT_CORPUS)
        profiles = read_profiles(sessions)
        engine.dispose()
    if limit:
        profiles = profiles[:limit]
    queries, qrels = load_labelled(DEFAULT_BUYER_QUERIES, DEFAULT_QRELS)
    return ([p.doc_id for p in profiles], [p.search_text for p in profiles],
            {p.doc_id: p.facts() for p in profiles},
            {p.doc_id: p.external_id for p in profiles}, queries, qrels)


def bench_backends(args: argparse.Namespace, config: Any, result: dict[str, Any]) -> None:
    """Section 4: each backend's passages, queries, hybrid rankings and nDCG@10."""
    from datetime import date

    from recommender.domain_eval import LABELS_AS_OF
    from recommender.evaluation import load_beir, score_run
    from recommender.recommend import SupplierRecommender
    from recommender.search import HybridIndex
    from recommender.text import check_query

    cache_root = (args.backend_cache_dir or config.cache_dir / "bench-backends").expanduser()
    ref_name, *others = args.backends
    encoders: dict[str, Any] = {}
    section: dict[str, Any] = {
        "reference": ref_name, "threads": args.compare_threads, "cache_root": str(cache_root),
        "limit": args.compare_limit, "backends": {}, "sets": {},
        "note": "each runtime encodes passages into its own embedding cache (cache_root/"
                "<runtime>) and every query itself, one at a time, query cache off; 'own' = "
                "that runtime's passages and queries; 'served' = the reference's passage "
                "vectors with that runtime's queries (what a server on that runtime serves "
                "from an index version the reference built: they share the model id)",
    }
    result["backends"] = section
    for name in args.backends:
        t0 = time.perf_counter()
        encoders[name] = backend_encoder(config, name, args.compare_threads, cache_root)
        enc = encoders[name]
        section["backends"][name] = {"runtime": enc.backend, "model_id": enc.model_id,
                                     "load_s": round(time.perf_counter() - t0, 2),
                                     "query_cpu_ms_total": 0.0, "queries_encoded": 0,
                                     "passages_encoded": 0, "passage_encode_s": 0.0}
        log.info("backend comparison: %s loaded as %s", name, enc.backend)
    result["memory"]["after loading the compared encoders"] = memory()

    def encode_queries(name: str, texts: list[str]) -> tuple[np.ndarray, dict[str, Any]]:
        vecs, timing = encode_each(encoders[name], texts)
        b = section["backends"][name]
        b["query_cpu_ms_total"] += timing["cpu_ms_total"]
        b["queries_encoded"] += timing["queries"]
        return vecs, timing

    def build(name: str, ids: list[int], texts: list[str]) -> Any:
        enc = encoders[name]
        before = enc.cache.count(enc.model_id)
        t0 = time.perf_counter()
        index = HybridIndex.build(enc, ids, texts, config, show_progress=False)
        spent = time.perf_counter() - t0
        fresh = enc.cache.count(enc.model_id) - before
        if fresh:
            b = section["backends"][name]
            b["passages_encoded"] += fresh
            b["passage_encode_s"] = round(b["passage_encode_s"] + spent, 1)
        return index

    for set_name in args.compare_sets:
        log.info("backend comparison: %s", set_name)
        entry: dict[str, Any] = {}
        if set_name == "collection":
            texts, source = collection_texts(args)
            if args.compare_limit:
                texts = texts[:args.compare_limit]
            ids = list(range(len(texts)))
            queries = list(dict.fromkeys(check_query(q) for q in BUYER_QUERIES + [
                json.loads(line)["text"] for line in
                DEFAULT_BUYER_QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]))
            entry.update(docs=len(texts), source=source, ranking="HybridIndex.search(q, 10)")
            qrels = None
        elif set_name == "buyer":
            ids, texts, facts, external, labelled, judged = buyer_set(args.compare_limit)
            queries = [q.text for q in labelled]
            qrels = {q.query_id: judged[q.query_id] for q in labelled}
            entry.update(docs=len(texts), source=f"{DEFAULT_CORPUS.name} as the web app "
                         f"indexes it; {DEFAULT_BUYER_QUERIES.name}, {DEFAULT_QRELS.name}",
                         ranking="SupplierRecommender.recommend(q, 100, requirements on, "
                         f"today {LABELS_AS_OF}), as domain_eval's hybrid variant")
        else:
            folder = args.benchmarks_dir / set_name
            if not folder.is_dir():
                log.warning("%s is not there: skipped", folder)
                section["sets"][set_name] = {"skipped": f"{folder} not found"}
                continue
            data = load_beir(folder)
            ids = list(range(len(data.doc_ids)))
            texts = data.doc_texts
            if args.compare_limit:
                ids, texts = ids[:args.compare_limit], texts[:args.compare_limit]
            queries = data.query_texts
            qrels = {q: data.qrels[q] for q in data.query_ids}
            entry.update(docs=len(texts), source=str(folder),
                         ranking="HybridIndex.search(q, 100), as evaluation.evaluate_beir")
        entry["queries"] = len(queries)
        indexes = {name: build(name, ids, texts) for name in args.backends}
        ref_index = indexes[ref_name]
        dense = [ref_index.dense_query(q) for q in queries]  # BM25 is the same in every index
        vectors = {}
        timings = {}
        for name in args.backends:
            vectors[name], timings[name] = encode_queries(name, dense)
        entry["query_encoding"] = timings

        def run(index: Any, vecs: np.ndarray) -> tuple[dict[str, list], dict[str, dict]]:
            tops: dict[str, list] = {}
            scored: dict[str, dict[str, float]] = {}
            if set_name == "buyer":
                rec = SupplierRecommender(index, facts, dict(zip(ids, texts, strict=True)))
            for i, q in enumerate(queries):
                if set_name == "collection":
                    hits = [(h.doc_id, h.score) for h in index.search(q, 10, query_vector=vecs[i])]
                    key, names = str(i), None
                elif set_name == "buyer":
                    found = rec.recommend(q, 100, today=date.fromisoformat(LABELS_AS_OF),
                                          query_vector=vecs[i], explain=False)
                    hits = [(r.doc_id, r.score) for r in found.items]
                    key, names = labelled[i].query_id, external
                else:
                    hits = [(h.doc_id, h.score) for h in
                            index.search(q, 100, method="hybrid", query_vector=vecs[i])]
                    key, names = data.query_ids[i], dict(enumerate(data.doc_ids))
                tops[key] = [d for d, _ in hits[:10]]
                if names is not None:
                    scored[key] = {names[d]: float(s) for d, s in hits}
            return tops, scored

        runs: dict[str, tuple[dict, dict]] = {ref_name: run(ref_index, vectors[ref_name])}
        for name in others:
            runs[f"{name} own"] = run(indexes[name], vectors[name])
            runs[f"{name} served"] = run(with_encoder(ref_index, encoders[name]), vectors[name])
        ref_tops = runs[ref_name][0]
        entry["agreement"] = {variant: top_agreement(ref_tops, tops)
                              for variant, (tops, _) in runs.items() if variant != ref_name}
        if qrels is not None:
            entry["metrics"] = {variant: score_run(qrels, scored)
                                for variant, (_, scored) in runs.items()}
            base = entry["metrics"][ref_name]["nDCG@10"]
            entry["ndcg_delta"] = {v: round(m["nDCG@10"] - base, 2)
                                   for v, m in entry["metrics"].items() if v != ref_name}
        section["sets"][set_name] = entry
        del indexes, ref_index
    for b in section["backends"].values():
        n = b["queries_encoded"]
        b["query_cpu_ms_per_query"] = round(b["query_cpu_ms_total"] / n, 2) if n else None
        b["passages_per_s"] = (round(b["passages_encoded"] / b["passage_encode_s"], 2)
                               if b["passages_encoded"] and b["passage_encode_s"] else None)
    result["memory"]["after the backend comparison"] = memory()


# -- report ---------------------------------------------------------------------
def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def render_backends(sec: dict[str, Any]) -> list[str]:
    """Section 4 of the table."""
    lines: list[str] = []
    add = lines.append
    ref = sec["reference"]
    names = list(sec["backends"])
    label = {n: f"{n} ({b['runtime']})" if b["runtime"] != n else n
             for n, b in sec["backends"].items()}
    add("")
    add(f"4. Encoder backends: {label[ref]} is the reference; encoders at "
        f"{sec['threads']} thread(s), query cache off"
        + (f"; SMOKE RUN: each set cut to its first {sec['limit']} documents, nDCG not "
           "comparable to published figures" if sec["limit"] else ""))
    add(f"   passages: each runtime encodes them into its own embedding cache under "
        f"{sec['cache_root']}; 'own' = that runtime's passages and queries, 'served' = "
        f"{ref}'s passage vectors with that runtime's queries (a server switched to it "
        f"without a rebuild)")
    add(f"   {'':56}" + "".join(f"{label[n]:>20}" for n in names))
    b = sec["backends"]
    rows = [("query encoding CPU ms per query (one at a time)", "query_cpu_ms_per_query"),
            ("queries encoded", "queries_encoded"),
            ("passages encoded in this run (not cached)", "passages_encoded"),
            ("passages/s when encoding (incl. index build)", "passages_per_s")]
    for title, key in rows:
        add(f"   {title:56}" + "".join(f"{_cell(b[n][key]):>20}" for n in names))
    ref_cpu = b[ref]["query_cpu_ms_per_query"]
    for n in names[1:]:
        if ref_cpu and b[n]["query_cpu_ms_per_query"]:
            add(f"   {n}: {b[n]['query_cpu_ms_per_query'] / ref_cpu:.2f}× {ref}'s query "
                "encoding CPU")
    add("")
    add(f"   hybrid top-10 against {ref}'s: share of queries with the identical list and "
        "with the same set, mean share of the ten in both (overlap)")
    add(f"   {'':66} {'queries':>8} {'identical':>10} {'same set':>9} {'overlap':>8}")
    for set_name, entry in sec["sets"].items():
        if "skipped" in entry:
            add(f"   {set_name}: skipped ({entry['skipped']})")
            continue
        add(f"   {set_name} ({entry['docs']:,} docs; {entry['ranking']})")
        for variant, a in entry["agreement"].items():
            add(f"     {variant:64} {a['queries']:>8} {a['identical_top10']:>10.3f} "
                f"{a['same_set_top10']:>9.3f} {a['mean_overlap_at_10']:>8.3f}")
    judged = {s: e for s, e in sec["sets"].items() if "metrics" in e}
    if judged:
        add("")
        variants = list(next(iter(judged.values()))["metrics"])
        add(f"   hybrid nDCG@10 {'':24}" + "".join(f"{v:>18}" for v in variants)
            + f"   bar: |Δ| ≤ {NDCG_TOLERANCE} against {ref}")
        for set_name, entry in judged.items():
            cells = []
            for v in variants:
                value = f"{entry['metrics'][v]['nDCG@10']:.2f}"
                if v != ref:
                    delta = entry["ndcg_delta"][v]
                    value += f" ({delta:+.2f})"
                cells.append(f"{value:>18}")
            ok = all(abs(d) <= NDCG_TOLERANCE for d in entry["ndcg_delta"].values())
            add(f"   {set_name + ' (' + str(entry['queries']) + ' queries)':40}"
                + "".join(cells) + f"   {_mark(ok)}")
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def render(result: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    env, col = result["environment"], result["collection"]
    add(f"KếtNối retrieval benchmark  {env['started']}  ({env['machine']})")
    add(f"threads: torch {env['threads']}, FAISS {env['faiss_threads']}; cpus {env['cpus']}, "
        f"load average "
        f"{env['loadavg_start']} at start, {env.get('loadavg_end')} at end, "
        f"OMP_WAIT_POLICY={env['omp_wait_policy']}")
    add(f"model {result['model']['model_id']} (dim {result['model']['dim']}, "
        f"loaded in {result['model']['load_s']} s), encoder backend "
        f"{result['model'].get('backend', '?')}, query-vector cache "
        f"{env.get('query_cache', '?')}")
    add(f"collection: {col['profiles']:,} profiles, {col['source']}, mean "
        f"{col['mean_chars']} chars")
    enc = result["encoding"]
    if enc["encoded"]:
        add(f"encoding: {enc['encoded']:,} profiles encoded ({enc['encoded_windows']:,} windows) "
            f"in {enc['encode_s']} s = {enc['passages_per_s']} passages/s, "
            f"{enc['windows_per_s']} windows/s; {enc['from_cache']:,} from cache")
    else:
        add(f"encoding: all {enc['from_cache']:,} profiles from the embedding cache "
            f"(nothing encoded, lookup {enc['cache_lookup_s']} s)")
    b = result["build"]
    add(f"build: {b['profiles']:,} profiles, {b['windows']:,} windows in {b['vector_index']}; "
        f"HybridIndex.build {b['build_from_cache_s']} s from cache"
        + (f", cold (encoding + build) {b['cold_build_s']} s" if b["cold_build_s"] else ""))
    add(f"first searches after the build: {b['first_search_s']} s (BM25 matrices built "
        f"lazily), first query without diacritics {b['first_unmarked_search_s']} s")
    if "after_upsert" in b:
        up = b["after_upsert"]
        add(f"live edit: upsert of 1 profile {b['upsert_1_profile_s']} s; then the next search "
            f"{up['first_search_s']} s, the next query without diacritics "
            f"{up['first_unmarked_search_s']} s")

    lat = result["latency"]
    add("")
    add(f"1. Query latency at {col['profiles']:,} profiles: {lat['n']} queries after "
        f"{lat['warmup']} warm-up, {lat['queries']} distinct queries cycled")
    add(f"   {'':56} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}  target")
    for i, (name, r) in enumerate(lat["rows"].items()):
        target = ""
        if i == 0:
            ok = (r["p50_ms"] <= TARGETS["hybrid_p50_ms"]
                  and r["p95_ms"] <= TARGETS["hybrid_p95_ms"])
            target = (f"p50<={TARGETS['hybrid_p50_ms']:.0f} p95<={TARGETS['hybrid_p95_ms']:.0f}"
                      f"  {_mark(ok)}")
        add(f"   {name:56} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['mean_ms']:8.2f} "
            f"{r['max_ms']:8.2f}  {target}")
    st = result["stages"]
    add("")
    add(f"   Stages of HybridIndex.search(q, 10), encoding included ({st['n']} queries; "
        "collaborators timed in place)")
    add(f"   {'':56} {'mean':>8} {'p95':>8}")
    for name, mean in st["mean_ms"].items():
        unit = "" if name == "bm25-only candidate windows" else " ms"
        add(f"   {name + unit:56} {mean:8.2f} {st['p95_ms'][name]:8.2f}")

    if "ann" in result:
        a = result["ann"]
        how = a["how"]
        add("")
        add(f"2. Approximate search at {a['vectors']:,} vectors (dim {a['dim']}), "
            f"{a['queries']} real queries")
        add(f"   vectors: {how['real_vectors']:,} real profile-window embeddings + "
            f"{how['noisy_copies']:,} copies with gaussian noise (sigma {how['noise_sigma']}"
            f" per dim), renormalised; copy-to-source cosine {how['mean_cosine_copy_to_source']}"
            f", real nearest-neighbour cosine (median) {how['median_nn_cosine_real']}")
        add(f"   build: FlatIndex add {a['flat_add_s']} s; IVFIndex.build (train + add) "
            f"{a['ivf_build_s']} s, nlist {a['nlist']}, nprobe {a['nprobe']} (library default)")
        add(f"   {'':56} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'recall@10':>9}  target")
        f = a["flat"]
        add(f"   {'FlatIndex.search k=10 (exact)':56} {f['p50_ms']:8.2f} {f['p95_ms']:8.2f} "
            f"{f['mean_ms']:8.2f} {1.0:9.3f}")
        for r in a["nprobe_sweep"]:
            name = f"IVFIndex.search k=10, nprobe {r['nprobe']}"
            target = ""
            if r["nprobe"] == a["nprobe"]:
                name += " (default)"
                ok = (r["p50_ms"] <= TARGETS["ivf_p50_ms"]
                      and r["recall_at_10"] >= TARGETS["ivf_recall_at_10"])
                target = (f"p50<={TARGETS['ivf_p50_ms']:.0f} recall>="
                          f"{TARGETS['ivf_recall_at_10']}  {_mark(ok)}")
            add(f"   {name:56} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['mean_ms']:8.2f} "
                f"{r['recall_at_10']:9.3f}  {target}")

    add("")
    add("3. Resident memory (VmRSS now / VmHWM peak, MiB)")
    for stage, m in result["memory"].items():
        add(f"   {stage:56} {m['rss_mib']:8.0f} {m['peak_rss_mib']:8.0f}")
    if "backends" in result:
        lines.extend(render_backends(result["backends"]))
    if "cprofile" in result:
        add("")
        add(f"cProfile of hybrid searches (saved to {result['cprofile']['file']}):")
        add(result["cprofile"]["top"].rstrip())
    return "\n".join(lines)


# -- command line -----------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_retrieval.py",
        description=(
            "Measure, on this machine and in this process: hybrid search latency at "
            "--profiles supplier profiles with query encoding included (targets p50 <= 40 ms, "
            "p95 <= 80 ms) beside BM25, dense search and query encoding alone; IVF against "
            "exact FAISS search at --ann-vectors vectors (targets p50 <= 5 ms, recall@10 >= "
            "0.95); index build time and resident memory; the torch encoder against the "
            "fast backend (--backends): query-encoding CPU, hybrid top-10 agreement and "
            "nDCG@10 (bar: within 0.2 of torch). Prints a table; --json also writes "
            "every figure. The first run encodes the collection with the real model (tens of "
            "minutes for 10,000 profiles on 2 busy cores); embeddings are cached in "
            "--cache-dir, so later runs take a few minutes. Other settings (model, "
            "candidates, fusion) come from the KETNOI_* environment variables "
            "(recommender/config.py)."),
        epilog=(
            "Run it on an otherwise idle machine for figures you will quote: other "
            "processes on the same cores inflate every latency. Example: python "
            "benchmarks/bench_retrieval.py --json /tmp/bench.json"),
    )
    parser.add_argument("--profiles", type=int, default=10_000,
                        help="profiles in the hybrid index (default: 10000)")
    parser.add_argument("--queries", type=int, default=200,
                        help="timed searches per latency row, after --warmup (default: 200)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="untimed calls before each timed row (default: 20)")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads for encoding; 0 leaves the library default "
                             "(default: 2)")
    parser.add_argument("--faiss-threads", type=int, default=None,
                        help="FAISS threads (default: KETNOI_FAISS_THREADS, 1)")
    parser.add_argument("--query-cache", type=int, default=0,
                        help="query vectors kept by the encoder of sections 1-3 (default 0: "
                             "every query encoded, as the rows 'query encoding included' "
                             "mean; KETNOI_QUERY_CACHE is not used)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="model and embedding cache (default: KETNOI_CACHE_DIR, else "
                             "~/.cache/ketnoi)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="JSONL of supplier profiles whose 'description' is indexed; "
                             "used when it exists (default: corpora/sample_suppliers.jsonl)")
    parser.add_argument("--synthetic", action="store_true",
                        help="generate profiles from templates even if --corpus exists")
    parser.add_argument("--seed", type=int, default=20240,
                        help="seed of the profile variations, noise and queries (default: 20240)")
    parser.add_argument("--encode-chunk", type=int, default=500,
                        help="profiles encoded per batch while filling the cache; each batch "
                             "is saved, so an interrupted run resumes (default: 500)")
    parser.add_argument("--stage-queries", type=int, default=50,
                        help="hybrid searches timed stage by stage (default: 50)")
    parser.add_argument("--cprofile", type=Path, metavar="OUT.prof",
                        help="also cProfile --stage-queries hybrid searches, save the stats "
                             "here and print the top functions")
    parser.add_argument("--ann-vectors", type=int, default=100_000,
                        help="vectors in the IVF-vs-exact comparison; 0 skips it "
                             "(default: 100000)")
    parser.add_argument("--ann-queries", type=int, default=300,
                        help="queries for IVF latency and recall@10 (default: 300)")
    parser.add_argument("--noise", type=float, default=None,
                        help="per-dimension sigma of the noise added to copies (default: "
                             "matched to the real nearest-neighbour distance)")
    parser.add_argument("--backends", default="torch,auto",
                        help="section 4: encoder backends compared, the first the reference "
                             "(KETNOI_ENCODER_BACKEND values; default torch,auto; 'none' "
                             "skips the section)")
    parser.add_argument("--compare-sets", default=",".join(COMPARE_SETS),
                        help="section 4: sets compared, of " + ", ".join(COMPARE_SETS)
                             + " (default: all)")
    parser.add_argument("--compare-threads", type=int, default=1,
                        help="section 4: threads of each compared encoder, as a server worker "
                             "on 2 cores has (default: 1)")
    parser.add_argument("--compare-limit", type=int, default=0,
                        help="section 4: only the first N documents of each set (smoke runs; "
                             "nDCG is then not comparable; default 0: all)")
    parser.add_argument("--backend-cache-dir", type=Path, default=None,
                        help="section 4: per-runtime embedding caches go in subfolders here "
                             "(default: <cache dir>/bench-backends)")
    parser.add_argument("--benchmarks-dir", type=Path, default=DEFAULT_BENCHMARKS,
                        help="section 4: the shared BEIR sets, read in place (default: "
                             "../shared/benchmarks beside the checkout)")
    parser.add_argument("--json", type=Path, metavar="OUT",
                        help="write every figure to this JSON file")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress messages on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("profiles", "queries", "encode_chunk", "stage_queries", "ann_queries"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if min(args.threads, args.warmup, args.ann_vectors, args.compare_limit,
           args.query_cache) < 0:
        parser.error("--threads, --warmup, --ann-vectors, --compare-limit and --query-cache "
                     "must not be negative")
    if args.compare_threads < 1:
        parser.error("--compare-threads must be at least 1")
    from recommender.config import ENCODER_BACKENDS

    args.backends = [] if args.backends.strip().lower() in ("", "none") else \
        [b.strip().lower() for b in args.backends.split(",") if b.strip()]
    if args.backends and (len(args.backends) < 2 or len(set(args.backends)) < len(args.backends)
                          or not set(args.backends) <= set(ENCODER_BACKENDS)):
        parser.error(f"--backends: two or more distinct of {', '.join(ENCODER_BACKENDS)}, "
                     "the first the reference (or none)")
    args.compare_sets = [s.strip() for s in args.compare_sets.split(",") if s.strip()]
    if not set(args.compare_sets) <= set(COMPARE_SETS):
        parser.error(f"--compare-sets: some of {', '.join(COMPARE_SETS)}")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s",
                        datefmt="%H:%M:%S")
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)

    from recommender.config import RetrievalConfig
    from recommender.index import set_threads

    overrides: dict[str, Any] = {"threads": args.threads, "query_cache": args.query_cache}
    if args.faiss_threads is not None:
        overrides["faiss_threads"] = args.faiss_threads
    if args.cache_dir is not None:
        overrides["cache_dir"] = args.cache_dir.expanduser()
    config = RetrievalConfig.from_env(**overrides)
    set_torch_threads(args.threads)
    # HybridIndex applies config.faiss_threads too; set it here for the raw index rows
    set_threads(config.faiss_threads)
    args.faiss_threads = config.faiss_threads

    import faiss
    import torch

    result: dict[str, Any] = {
        "environment": {
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": f"{platform.node()}, {platform.processor() or platform.machine()}",
            "cpus": os.cpu_count(), "threads": args.threads, "faiss_threads": args.faiss_threads,
            "torch_threads": torch.get_num_threads(),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
            "python": platform.python_version(), "torch": torch.__version__,
            "faiss": faiss.__version__,
            "cache_dir": str(config.cache_dir), "candidates": config.candidates,
            "fusion": config.fusion, "query_cache": config.query_cache,
            "encoder_backend": config.encoder_backend, "argv": sys.argv[1:],
        },
        "targets": TARGETS,
        "memory": {"start (libraries imported)": memory()},
    }
    index = bench_hybrid(args, config, result)
    if args.ann_vectors:
        bench_ann(args, index, result)
    if args.backends:
        del index  # section 1's encoder and index: not needed any more
        gc.collect()
        bench_backends(args, config, result)
    result["environment"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["memory"]["end"] = memory()
    print(render(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
