"""gunicorn settings for KếtNối (``docs/serving.md``)::

    KETNOI_ENV=production DATABASE_URL=... KETNOI_SECRET_KEY=... \\
        gunicorn -c python:webapp.gunicorn_conf 'webapp:create_app()'

Each worker imports and creates the app itself (no ``--preload``: the master
holds no database connections, rate-limit timer thread or model to share
across the fork) and loads its model and index after the fork, in
``post_worker_init``, before it takes traffic. gunicorn command-line options
override these values.

| variable | default | meaning |
|---|---|---|
| ``KETNOI_BIND`` | ``127.0.0.1:8000`` | address (``HOST:PORT`` or ``unix:PATH``); behind a reverse proxy on the same host keep it on loopback |
| ``KETNOI_WORKERS`` (or ``WEB_CONCURRENCY``) | number of CPU cores | worker processes; each holds a model and an index (docs/serving.md sizes memory) |
| ``KETNOI_WORKER_THREADS`` | ``4`` | request threads per worker (``gthread``) |
| ``KETNOI_THREADS`` | cores // workers (at least 1) | torch threads per worker for query encoding (``recommender.config``) |
| ``KETNOI_TIMEOUT_S`` | ``60`` | seconds without a worker heartbeat before gunicorn restarts it |
| ``KETNOI_ACCESS_LOG`` | ``-`` (stdout) | access log file; ``off`` for none |
| ``KETNOI_LOG_LEVEL`` | ``info`` | gunicorn and app log level |
"""

from __future__ import annotations

import logging
import os

from webapp.serving import torch_threads_per_worker, warm_catalog


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


bind = os.environ.get("KETNOI_BIND", "127.0.0.1:8000")
workers = _int("KETNOI_WORKERS", _int("WEB_CONCURRENCY", os.cpu_count() or 1))
worker_class = "gthread"
threads = _int("KETNOI_WORKER_THREADS", 4)
timeout = _int("KETNOI_TIMEOUT_S", 60)
graceful_timeout = 30
keepalive = 5
preload_app = False
# the heartbeat file is touched every second: keep it off a disk (Docker's /tmp may be one)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
loglevel = os.environ.get("KETNOI_LOG_LEVEL", "info")
accesslog = None if os.environ.get("KETNOI_ACCESS_LOG", "-") == "off" \
    else os.environ.get("KETNOI_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# X-Forwarded-Proto is trusted from these addresses only (a reverse proxy on this host)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")



def post_fork(server, worker) -> None:
    """Size this worker's torch threads to its share of the cores (unless set)."""
    # read by recommender.config when the worker loads its encoder; the worker count
    # is the one in effect, command-line options included
    os.environ.setdefault("KETNOI_THREADS", str(torch_threads_per_worker(server.cfg.workers)))


def post_worker_init(worker) -> None:
    """Load this worker's model and index and run warm-up searches before it takes traffic."""
    level = getattr(logging, str(loglevel).upper(), logging.INFO)
    logging.basicConfig(level=level, format="[%(process)d] %(levelname)s %(name)s: %(message)s")
    warm_catalog(worker.wsgi, heartbeat=worker.notify)
