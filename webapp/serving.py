"""Production serving helpers: warm a process's catalog, size its threads, waitress entry.

The app loads its model and index lazily (:func:`webapp.catalog.init_app`), so a
server that forks workers (gunicorn) forks a small process and each worker loads
its own model after the fork. These helpers make a worker warm *before* it takes
traffic: :func:`warm_catalog` loads the index and runs one search of each kind
(marked Vietnamese, unmarked Vietnamese, English), paying for everything that
is done once per process (model start-up, diacritic restoration tables, the
glossary). See ``docs/serving.md``.

| variable | default | meaning |
|---|---|---|
| ``KETNOI_WARM_TIMEOUT_S`` | ``300`` | how long a starting worker waits for its index before it takes traffic anyway (``/healthz`` then answers 503 "starting" until it is ready) |
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

WARM_QUERIES = (
    "gia công cơ khí CNC chính xác",
    "khuon ep nhua cho linh kien dien tu",
    "plastic injection molding supplier",
)
"""One search of each kind a buyer types; their results are not used."""
READY_LINE = re.compile(r"index version \S+ ready in [\d.]+ s, warm-up searches [\d.]+ s "
                        r"\(pid (\d+)\)")
"""What :func:`warm_catalog` logs when a process is warm (scripts wait for one per worker)."""


def ready_pids(log_text: str) -> set[int]:
    """Pids of the processes whose warm-up is logged as done in ``log_text``."""
    return {int(pid) for pid in READY_LINE.findall(log_text)}


def warm_timeout() -> float:
    """``KETNOI_WARM_TIMEOUT_S`` in seconds."""
    raw = os.environ.get("KETNOI_WARM_TIMEOUT_S", "300")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"KETNOI_WARM_TIMEOUT_S must be a number of seconds, not {raw!r}") \
            from None
    if value < 0:
        raise ValueError("KETNOI_WARM_TIMEOUT_S must not be negative")
    return value


def torch_threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Encoder threads that keep ``workers`` processes from oversubscribing ``cores``.

    Each worker encodes its own queries; with the library default every worker
    starts one thread per core, and several workers then fight over the same
    cores (and each request thread of a worker starts its own OpenMP team).
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    cores = cores or os.cpu_count() or 1
    return max(1, cores // workers)


def warm_catalog(app: Flask, timeout: float | None = None,
                 heartbeat: Callable[[], None] | None = None) -> bool:
    """Start ``app``'s catalog, wait up to ``timeout`` s for it, then run warm-up searches.

    ``heartbeat`` is called about once a second while waiting (a gunicorn worker
    passes its ``notify`` so the arbiter does not take it for hung). Returns
    whether the index is ready; when it is not (a first start that builds the
    index takes minutes) the process serves anyway and ``/healthz`` says
    "starting".
    """
    catalog = app.extensions["ketnoi_catalog"]
    timeout = warm_timeout() if timeout is None else timeout
    started = time.monotonic()
    catalog.start()
    while not catalog.ready and catalog.error is None:
        if time.monotonic() - started >= timeout:
            log.warning("index not ready after %.0f s; serving while it loads", timeout)
            return False
        if heartbeat is not None:
            heartbeat()
        catalog.wait(min(1.0, max(0.0, timeout - (time.monotonic() - started))))
    if catalog.error is not None:
        log.error("index failed to load: %s", catalog.error)
        return False
    loaded = time.monotonic()
    for query in WARM_QUERIES:
        catalog.recommender.recommend(query, 10)
    from .search import name_index

    name_index(catalog)  # the profiles' names, once, before the first buyer's search
    log.info("index version %s ready in %.1f s, warm-up searches %.2f s (pid %d)",
             catalog.version, loaded - started, time.monotonic() - loaded, os.getpid())
    threading.Thread(target=_prepare_explanations, args=(catalog.recommender,),
                     name="prepare-explanations", daemon=True).start()
    return True


def _prepare_explanations(recommender) -> None:
    """Derive every profile's explanation data while the worker already serves (about a
    millisecond per profile), so searches do not pay for it on first sight."""
    started = time.process_time()
    done = recommender.prepare()
    log.info("explanation data of %d profiles derived in %.1f s of CPU (pid %d)", done,
             time.process_time() - started, os.getpid())


def create_warm_app() -> Flask:
    """The app, loading and warming its catalog in the background at once (one process).

    For ``waitress-serve --call webapp.serving:create_warm_app``: no fork follows,
    so loading can start before the first request; ``/healthz`` says when it is done.
    """
    from . import create_app

    # this is the process's entry point: show the app's own progress (index loading, warm-up)
    logging.basicConfig(level=logging.INFO,
                        format="[%(process)d] %(levelname)s %(name)s: %(message)s")
    app = create_app()
    threading.Thread(target=warm_catalog, args=(app, float("inf")), daemon=True,
                     name="ketnoi-warm").start()
    return app
