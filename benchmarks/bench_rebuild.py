"""Rebuild time and peak memory of an index version, cold and warm, at several sizes.

Run from the repository root::

    python benchmarks/bench_rebuild.py --sizes 2000 20000 --modes cold warm \\
        --workdir /tmp/ketnoi-bench-rebuild --json /tmp/bench_rebuild.json

For each ``--sizes`` value ``n`` the profiles are ``corpora/build_samples.make_suppliers``
(``--seed``), indexed as the web app indexes them (``name. description``). Each
measurement runs in a fresh Python process (so the peak memory is that of one
rebuild, not of this script), which loads the encoder and runs
:func:`recommender.versions.rebuild` (build, save, promote; no quality gate) into
an empty index directory:

- ``cold``: the embedding cache of that size is emptied first, every profile is encoded;
- ``warm``: the cache is kept (filled by an earlier ``cold`` run of the same size),
  so only the indexes are built and written.

Each size has its own embedding cache under ``--workdir`` (the first 2,000 of
20,000 generated profiles are the 2,000 ones, so a shared cache would make the
larger cold run partly warm). The bundled model is linked in from ``--model-cache``
(default ``KETNOI_CACHE_DIR``) instead of being materialised again.

Printed per measurement: wall time of the rebuild (model loading excluded, shown
apart), profiles and vector windows indexed, embeddings found in the cache before,
the FAISS index chosen (exact ``flat`` below ``KETNOI_ANN_THRESHOLD`` vectors, else
``ivf``), the peak resident memory (``VmHWM``) after loading the model and after the
rebuild, and the load average before and after. ``--json OUT`` writes every row
(rewritten after each measurement, so an interrupted run keeps what finished).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpora"))

MODES = ("cold", "warm")


def memory_kib(field: str) -> int | None:
    """A ``VmHWM``/``VmRSS`` line of ``/proc/self/status`` in KiB (None where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    if field == "VmHWM":  # not Linux: the resource module's high-water mark
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    return None


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def write_profiles(path: Path, n: int, seed: int) -> None:
    """The ``n`` generated profiles as ``{"id", "text"}`` lines (made once per size and seed)."""
    if path.exists():
        return
    from build_samples import make_suppliers

    rows = make_suppliers(random.Random(seed), n)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for doc_id, row in enumerate(rows, 1):
            fh.write(json.dumps({"id": doc_id, "text": f"{row['name']}. {row['description']}"},
                                ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def link_model(model_cache: Path, cache_dir: Path) -> None:
    """Give ``cache_dir`` the materialised model of ``model_cache`` (a symlink, no copy)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target, source = cache_dir / "models", model_cache / "models"
    if not target.exists() and source.is_dir() and source.resolve() != target.resolve():
        target.symlink_to(source.resolve(), target_is_directory=True)


def measure(profiles: Path, index_dir: Path) -> dict:
    """One rebuild in this process (the child side); returns its figures."""
    from recommender.config import RetrievalConfig
    from recommender.embed.encoder import load_encoder
    from recommender.versions import IndexStore, rebuild

    rows = [json.loads(line) for line in profiles.read_text(encoding="utf-8").splitlines()]
    ids, texts = [r["id"] for r in rows], [r["text"] for r in rows]
    config = RetrievalConfig.from_env()
    started = time.perf_counter()
    encoder = load_encoder(config)
    model_s = time.perf_counter() - started
    hwm_model = memory_kib("VmHWM")
    cached = encoder.cache.count(encoder.model_id) if hasattr(encoder, "cache") else None
    shutil.rmtree(index_dir, ignore_errors=True)
    store = IndexStore(index_dir)
    started = time.perf_counter()
    result = rebuild(store, encoder, ids, texts, f"bench-{len(ids)}", config,
                     show_progress=False)
    rebuild_s = time.perf_counter() - started
    manifest = json.loads((result.version.path / "vectors" / "manifest.json").read_text())
    size = sum(p.stat().st_size for p in result.version.path.rglob("*") if p.is_file())
    return {
        "profiles": len(ids), "model_load_s": round(model_s, 2), "rebuild_s": round(rebuild_s, 2),
        "cached_before": cached, "windows": int(manifest.get("count", 0) or 0),
        "faiss": manifest.get("kind"), "ann_threshold": config.ann_threshold,
        "promoted": result.promoted, "version_bytes": size,
        "peak_rss_after_model_mib": round((hwm_model or 0) / 1024, 1),
        "peak_rss_mib": round((memory_kib("VmHWM") or 0) / 1024, 1),
    }


def run_one(n: int, mode: str, workdir: Path, model_cache: Path, seed: int,
            timeout: float | None) -> dict:
    """One measurement in a fresh process; returns its row."""
    profiles = workdir / f"profiles-{n}-{seed}.jsonl"
    write_profiles(profiles, n, seed)
    cache_dir = workdir / f"cache-{n}-{seed}"
    link_model(model_cache, cache_dir)
    if mode == "cold":
        for p in cache_dir.glob("embeddings.sqlite*"):
            p.unlink()
    env = {**os.environ, "KETNOI_CACHE_DIR": str(cache_dir)}
    before = loadavg()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(profiles),
           str(workdir / f"index-{n}-{mode}")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measurement {n} {mode} failed ({done.returncode}):\n"
                           f"{done.stderr[-3000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    return {"size": n, "mode": mode, **row, "loadavg_before": before, "loadavg_after": loadavg()}


def print_row(row: dict) -> None:
    print(f"{row['size']:>7} {row['mode']:<5} rebuild {row['rebuild_s']:>8.1f} s  "
          f"model {row['model_load_s']:>5.1f} s  windows {row['windows']:>7}  "
          f"cached before {row['cached_before']!s:>7}  faiss {row['faiss']:<5}  "
          f"peak RSS {row['peak_rss_mib']:>7.1f} MiB "
          f"(model alone {row['peak_rss_after_model_mib']:.1f})"
          f"  load {row['loadavg_before']} -> {row['loadavg_after']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ketnoi-bench-rebuild"))
    parser.add_argument("--model-cache", type=Path, default=None,
                        help="cache holding the materialised model (default KETNOI_CACHE_DIR)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds one measurement may take")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", nargs=2, metavar=("PROFILES", "INDEX_DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), Path(args.child[1]))), flush=True)
        return 0
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes must be positive")
    from recommender.config import default_cache_dir

    model_cache = args.model_cache or default_cache_dir()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    print(f"rebuild benchmark: sizes {args.sizes}, modes {args.modes}, cpus {os.cpu_count()}, "
          f"load {loadavg()}", flush=True)
    for n in args.sizes:
        for mode in args.modes:
            rows.append(run_one(n, mode, args.workdir, model_cache, args.seed, args.timeout))
            print_row(rows[-1])
            if args.json:
                args.json.write_text(json.dumps(
                    {"rows": rows, "cpus": os.cpu_count(), "python": sys.version.split()[0],
                     "env": {k: v for k, v in os.environ.items()
                             if k.startswith(("KETNOI_", "OMP_"))}}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
