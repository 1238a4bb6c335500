"""Time from a profile edit to its visibility in search, in the saving process and in another.

Run from the repository root::

    python benchmarks/bench_live.py --profiles 10000 --edits 40 --workdir /tmp/ketnoi-live

It builds (or, on a later run with the same ``--workdir``, re-uses) a SQLite
profile store of ``--profiles`` generated suppliers
(``corpora/build_samples.make_suppliers``) and its index version, then serves it
from two :class:`recommender.serving.catalog.Catalog` objects in this process: the *saving
process*, which applies an edit the way the enterprise edit request does
(:meth:`recommender.serving.catalog.Catalog.apply_saved` right after the commit), and
*another process*, which learns of it only from the profile change log through
its :class:`~recommender.serving.follower.ChangeFollower` (polling every ``--poll`` seconds, the
``KETNOI_CHANGE_POLL_S`` default 0.5). The two catalogs share the loaded model
and nothing else.

Each edit rewrites one random profile's description around a made-up product
word, commits it with its change-log row, and then searches both catalogs for
that word until the edited profile is the first hit. Printed: p50 / p95 / max
of edit-to-visible time in each process, the time of the index update itself,
and the share within the 2-second target. Deletions are measured the same way
(a profile made findable by a word of its own, then deleted: until it leaves
the first ten hits of the other process). Exit status 1 if any change was not
visible within 10 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpora"))

TARGET_S = 2.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prepare_store(workdir: Path, n: int, seed: int):
    """The SQLite store of ``n`` generated profiles in ``workdir`` (created once)."""
    from build_samples import make_suppliers

    from recommender.store.db import make_engine, session_factory, sqlite_url, upgrade
    from recommender.store.sample import load_sample

    workdir.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(workdir, f"live-{n}.sqlite3")
    engine = make_engine(url)
    sessions = session_factory(engine)
    upgrade(engine)
    from sqlalchemy import func, select

    from recommender.store.models import SupplierProfile

    with sessions() as session:
        count = session.scalar(select(func.count(SupplierProfile.id)))
    if count == 0:
        corpus = workdir / f"suppliers-{n}.jsonl"
        rows = make_suppliers(random.Random(seed), n)
        with open(corpus, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        started = time.perf_counter()
        with sessions() as session:
            load_sample(session, corpus)
        print(f"stored {n} generated profiles in {time.perf_counter() - started:.1f} s")
    return sessions


def top_ids(catalog, query: str, k: int = 1) -> list[int]:
    return [r.doc_id for r in catalog.recommender.recommend(query, k, explain=False).items]


def wait_visible(catalog, query: str, doc_id: int, present: bool, limit: float) -> float | None:
    """Seconds until ``doc_id`` is (or is no longer) the first hit for ``query``."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        hit = doc_id in top_ids(catalog, query, 1 if present else 10)
        if hit == present:
            return time.perf_counter() - started
        time.sleep(0.01)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--deletes", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.5,
                        help="the other process's change-log poll interval (s)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ketnoi-bench-live"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    os.environ.setdefault("KETNOI_CACHE_DIR", str(args.workdir / "cache"))
    import logging

    logging.basicConfig(level=logging.WARNING)

    from recommender.serving.catalog import Catalog
    from recommender.store.changes import record_change
    from recommender.store.models import ChangeOp, SupplierProfile

    sessions = prepare_store(args.workdir, args.profiles, args.seed)
    index_dir = args.workdir / f"index-{args.profiles}"
    started = time.perf_counter()
    saving = Catalog(sessions, str(index_dir))
    saving.load_or_build()
    print(f"index ready (version {saving.version}, {len(saving.profiles)} profiles) in "
          f"{time.perf_counter() - started:.1f} s")
    other = Catalog(sessions, str(index_dir))
    other._encoder = saving._encoder  # one model in memory: the point is the index path
    other.load_or_build()
    follower = other.follow(poll_s=args.poll)

    rng = random.Random(args.seed)
    ids = sorted(saving.profiles)
    own, elsewhere, update, missed = [], [], [], 0
    for n in range(args.edits):
        doc_id = rng.choice(ids)
        word = f"kn{rng.randrange(10**6):06d}x"
        with sessions() as session:
            row = session.get(SupplierProfile, doc_id)
            row.description = (f"Sản phẩm mới {word}: {word} cho khách hàng FDI. "
                               + row.description)
            record_change(session, doc_id, ChangeOp.UPSERT)
            session.commit()
            committed = time.perf_counter()
            saving.apply_saved(row)  # what the saving request does
            update.append(time.perf_counter() - committed)
        seen_own = wait_visible(saving, word, doc_id, True, 10)
        own.append(time.perf_counter() - committed if seen_own is not None else float("inf"))
        seen = wait_visible(other, word, doc_id, True, 10)
        if seen is None:
            missed += 1
        elsewhere.append(time.perf_counter() - committed if seen is not None else float("inf"))

    gone = []
    for n in range(args.deletes):
        doc_id = rng.choice(ids)
        ids.remove(doc_id)
        word = f"kn{rng.randrange(10**6):06d}d"
        with sessions() as session:  # first make it findable by a word of its own
            row = session.get(SupplierProfile, doc_id)
            row.description = f"{word} {word}. " + row.description
            record_change(session, doc_id, ChangeOp.UPSERT)
            session.commit()
        if wait_visible(other, word, doc_id, True, 10) is None:
            missed += 1
            continue
        with sessions() as session:
            session.delete(session.get(SupplierProfile, doc_id))
            record_change(session, doc_id, ChangeOp.DELETE)
            session.commit()
        committed = time.perf_counter()
        seen = wait_visible(other, word, doc_id, False, 10)
        if seen is None:
            missed += 1
        gone.append(time.perf_counter() - committed if seen is not None else float("inf"))
    follower.stop()

    def row(label: str, values: list[float]) -> dict:
        finite = [v for v in values if v != float("inf")]
        within = sum(v <= TARGET_S for v in values) / len(values)
        figures = {"what": label, "n": len(values),
                   "p50_ms": 1000 * statistics.median(finite) if finite else None,
                   "p95_ms": 1000 * percentile(finite, 0.95) if finite else None,
                   "max_ms": 1000 * max(values) if values else None,
                   "within_2s": within}
        print(f"{label:<48} {figures['n']:>4} {figures['p50_ms']:>9.1f} "
              f"{figures['p95_ms']:>9.1f} {figures['max_ms']:>9.1f} {100 * within:>7.1f}%")
        return figures

    print(f"\n{args.profiles} profiles, change-log poll {args.poll} s, "
          f"{os.cpu_count()} CPUs")
    print(f"{'edit → first hit':<48} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} "
          f"{'≤ 2 s':>8}")
    figures = [row("index update in the saving process", update),
               row("visible in the saving process", own),
               row("visible in another process (change log)", elsewhere),
               row("deletion gone from another process", gone)]
    if args.json:
        args.json.write_text(json.dumps({"profiles": args.profiles, "poll_s": args.poll,
                                         "rows": figures}, indent=2))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
