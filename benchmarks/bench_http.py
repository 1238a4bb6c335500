"""Search latency and throughput through the real HTTP server, under concurrent clients.

Run from the repository root::

    python benchmarks/bench_http.py --profiles 10000 --clients 20 --requests 2000 \\
        --json /tmp/bench_http.json

It stores ``--profiles`` generated suppliers in a SQLite file under
``--workdir`` (``bench_live.prepare_store``: ``corpora/build_samples.make_suppliers``),
then starts the documented production server on 127.0.0.1 (``--server
gunicorn``: ``gunicorn -c python:webapp.gunicorn_conf 'webapp:create_app()'``
with ``--workers`` and ``--threads``; ``--server waitress``: the single-process
alternative) and waits until every worker is warm. The first start builds the
index version (every profile encoded once, cached in ``KETNOI_CACHE_DIR``);
later runs with the same ``--workdir`` load it.

``--clients`` threads, each with one keep-alive connection, then send
searches: the labelled buyer queries (``corpora/buyer_queries.jsonl``:
Vietnamese with and without diacritics, English) in a seeded random order,
``--page-share`` of them to the HTML page ``/?q=`` and the rest to
``/api/v1/search``. ``--warmup`` requests are sent and discarded first; then
``--requests`` are measured, stopping early after ``--duration`` seconds.
Printed: p50 / p95 / p99 / max latency (all, API, page), requests per second,
status-code counts, and server CPU time per request. Exit status 1 on any 5xx,
429 or connection error.

The search rate limit (``SEARCH_RATE_LIMIT``, 60/minute per IP) would answer
most of these requests with 429, since they all come from 127.0.0.1: the
server is started with ``KETNOI_SEARCH_RATE_LIMIT`` set to ``--rate-limit``
(limits stay on, so their cost is measured).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "corpora"))

TARGET_P95_MS = 150.0
QUERIES = ROOT / "corpora" / "buyer_queries.jsonl"


def percentile(values: list[float], q: float) -> float:
    from bench_live import percentile as nearest_rank

    return nearest_rank(values, q)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def buyer_queries(path: Path = QUERIES) -> list[dict]:
    """The labelled buyer queries (text and language)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    """The documented production command (docs/serving.md) on ``port``."""
    if args.server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
                "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                "--threads", str(args.threads), "webapp:create_app()"]
    return [sys.executable, "-m", "waitress", "--host", "127.0.0.1", "--port", str(port),
            "--threads", str(args.threads), "--call", "webapp.serving:create_warm_app"]


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def process_tree_rss_mb(pid: int) -> dict[int, float]:
    """Resident memory (MiB) of ``pid``'s children, else of ``pid`` itself."""
    try:
        pids = [int(c) for c in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()] or [pid]
    except OSError:
        pids = [pid]
    out = {}
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[p] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return out


def wait_ready(base: str, proc: subprocess.Popen, log: Path, workers: int,
               timeout: float) -> dict:
    """Wait until ``/healthz`` answers 200 and (gunicorn) every worker logged its warm-up."""
    from webapp.serving import ready_pids

    deadline = time.monotonic() + timeout
    host, port = base.removeprefix("http://").split(":")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n"
                               + log.read_text(errors="replace")[-3000:])
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = json.loads(response.read())
            if body.get("status") == "error":
                raise RuntimeError(f"index failed: {body.get('message')}")
            if response.status == 200 and len(ready_pids(log.read_text(errors="replace"))) \
                    >= workers:
                return body
        except (OSError, http.client.HTTPException, ValueError):
            pass  # not listening yet
        finally:
            conn.close()
        time.sleep(0.5)
    raise RuntimeError(f"server not ready within {timeout:.0f} s:\n"
                       + log.read_text(errors="replace")[-3000:])


class LoadResult:
    """What the clients of one phase saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"api": [], "page": []}
        self.statuses: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.empty_api: int = 0
        self.reconnects: int = 0
        """Idle keep-alive connections the server had closed: the request was sent again."""
        self.started = self.finished = 0.0


def drive(host: str, port: int, queries: list[str], *, clients: int, requests: int,
          duration: float, page_share: float, seed: int, think_ms: float = 0.0,
          timeout: float = 30.0) -> LoadResult:
    """``clients`` threads send up to ``requests`` searches in all, for at most ``duration`` s.

    With ``think_ms`` each client pauses a random time (exponential, that mean)
    after each answer, like a person reading results; 0 sends the next at once.
    """
    result = LoadResult()
    rng = random.Random(seed)
    # one plan for the phase, so the mix does not depend on thread scheduling
    plan = [("page" if rng.random() < page_share else "api", rng.choice(queries))
            for _ in range(requests)]
    cursor = iter(range(requests))
    cursor_lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        pause = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        reused = False
        start.wait()
        while True:
            with cursor_lock:
                i = next(cursor, None)
            if i is None or time.perf_counter() > result.started + duration:
                break
            kind, query = plan[i]
            path = (f"/?{urlencode({'q': query})}" if kind == "page"
                    else f"/api/v1/search?{urlencode({'q': query, 'per_page': 10})}")
            began = time.perf_counter()
            try:
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                except (http.client.RemoteDisconnected, ConnectionResetError,
                        BrokenPipeError):
                    if not reused:
                        raise
                    # the server closed this idle keep-alive connection (gunicorn's
                    # keepalive); a browser sends the GET again on a new one, so do we
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                    with result.lock:
                        result.reconnects += 1
                    began = time.perf_counter()
                    conn.request("GET", path)
                    response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                reused = False
                with result.lock:
                    result.errors[type(exc).__name__] += 1
                continue
            reused = True
            took = (time.perf_counter() - began) * 1000
            empty = kind == "api" and response.status == 200 \
                and not json.loads(body).get("items")
            with result.lock:
                result.latencies[kind].append(took)
                result.statuses[str(response.status)] += 1
                result.empty_api += empty
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                reused = False
            if think_ms > 0:
                time.sleep(min(pause.expovariate(1000.0 / think_ms), 10 * think_ms / 1000))
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    result.started = time.perf_counter()
    for t in threads:
        t.start()
    start.wait()
    result.started = time.perf_counter()
    for t in threads:
        t.join(duration + timeout + 5)
    result.finished = time.perf_counter()
    return result


def summarise(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None,
                "mean_ms": None}
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1), "max_ms": round(max(values), 1),
            "mean_ms": round(statistics.fmean(values), 1)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000, help="generated suppliers")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=2000,
                        help="measured requests (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=100, help="requests sent and discarded")
    parser.add_argument("--duration", type=float, default=180.0,
                        help="most seconds the measured phase may take (each phase)")
    parser.add_argument("--page-share", type=float, default=0.2,
                        help="share of requests to the HTML page (the rest: the JSON API)")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="mean pause of a client between answer and next request "
                        "(0: closed loop, each client sends at once)")
    parser.add_argument("--query-cache", type=int, default=None,
                        help="KETNOI_QUERY_CACHE for the server (default: the config's; 0 "
                        "encodes every query, as if none repeated)")
    parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="request threads per worker")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="KETNOI_THREADS for the server (default: the config's, "
                        "cores // workers)")
    parser.add_argument("--rate-limit", default="1000000/minute",
                        help="KETNOI_SEARCH_RATE_LIMIT for the server (all clients share "
                        "127.0.0.1)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ketnoi-bench-http"))
    parser.add_argument("--ready-timeout", type=float, default=3600.0,
                        help="seconds to wait for the server (a first run builds the index)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for name in ("profiles", "clients", "requests", "workers", "threads"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name} must be at least 1")
    if not 0.0 <= args.page_share <= 1.0:
        raise SystemExit("--page-share must be from 0 to 1")

    from bench_live import prepare_store

    args.workdir.mkdir(parents=True, exist_ok=True)
    prepare_store(args.workdir, args.profiles, args.seed)
    queries = [q["text"] for q in buyer_queries()]
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
               [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
           "DATABASE_URL": f"sqlite:///{args.workdir / f'live-{args.profiles}.sqlite3'}",
           "KETNOI_INSTANCE_DIR": str(args.workdir / f"instance-{args.profiles}"),
           "KETNOI_LOAD_SAMPLE": "0", "KETNOI_SEARCH_RATE_LIMIT": args.rate_limit,
           "KETNOI_ACCESS_LOG": "off", "KETNOI_WARM_TIMEOUT_S": str(args.ready_timeout),
           "KETNOI_SECRET_KEY": os.environ.get("KETNOI_SECRET_KEY", "bench-" + "x" * 40)}
    if args.torch_threads is not None:
        env["KETNOI_THREADS"] = str(args.torch_threads)
    if args.query_cache is not None:
        env["KETNOI_QUERY_CACHE"] = str(args.query_cache)
    log_path = args.workdir / f"server-{args.server}.log"
    command = server_command(args, port)
    workers = args.workers if args.server == "gunicorn" else 1
    figures: dict = {"profiles": args.profiles, "clients": args.clients,
                     "server": args.server, "workers": workers,
                     "threads": args.threads, "torch_threads": args.torch_threads,
                     "think_ms": args.think_ms, "query_cache": args.query_cache,
                     "distinct_queries": len(set(queries)),
                     "page_share": args.page_share, "cpus": os.cpu_count(),
                     "command": " ".join(command), "rate_limit": args.rate_limit,
                     "loadavg_start": loadavg()}
    print(f"starting: {' '.join(command)}  (load average {figures['loadavg_start']})")
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, cwd=args.workdir, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            health = wait_ready(f"http://127.0.0.1:{port}", proc, log_path, workers,
                                args.ready_timeout)
            figures["ready_s"] = round(time.perf_counter() - started, 1)
            figures["index_version"] = health["index_version"]
            print(f"ready in {figures['ready_s']} s: index {health['index_version']}, "
                  f"{health['profiles']} profiles")
            figures["rss_mb"] = {str(k): round(v) for k, v in
                                 process_tree_rss_mb(proc.pid).items()}
            drive("127.0.0.1", port, queries, clients=args.clients, requests=args.warmup,
                  duration=args.duration, page_share=args.page_share, seed=args.seed + 1,
                  think_ms=args.think_ms)
            cpu_before = process_tree_cpu(proc.pid)
            result = drive("127.0.0.1", port, queries, clients=args.clients,
                           requests=args.requests, duration=args.duration,
                           page_share=args.page_share, seed=args.seed,
                           think_ms=args.think_ms)
            cpu = process_tree_cpu(proc.pid) - cpu_before
            figures["rss_mb_after"] = {str(k): round(v) for k, v in
                                       process_tree_rss_mb(proc.pid).items()}
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    figures["loadavg_end"] = loadavg()
    wall = result.finished - result.started
    every = result.latencies["api"] + result.latencies["page"]
    done = len(every)
    figures.update({
        "wall_s": round(wall, 2), "requests_done": done,
        "requests_per_s": round(done / wall, 1) if wall > 0 else None,
        "server_cpu_ms_per_request": round(1000 * cpu / done, 1) if done else None,
        "all": summarise(every), "api": summarise(result.latencies["api"]),
        "page": summarise(result.latencies["page"]),
        "statuses": dict(sorted(result.statuses.items())),
        "connection_errors": dict(result.errors), "empty_api_results": result.empty_api,
        "reconnects": result.reconnects,
    })
    server_errors = sum(n for code, n in result.statuses.items() if code.startswith("5"))
    limited = result.statuses.get("429", 0)
    figures["target_p95_ms"] = TARGET_P95_MS
    figures["target_met"] = bool(every) and server_errors == 0 and \
        figures["all"]["p95_ms"] <= TARGET_P95_MS

    think = f", think {args.think_ms:.0f} ms" if args.think_ms else ", closed loop"
    cache = "" if args.query_cache is None else f", query cache {args.query_cache}"
    print(f"\n{args.profiles} profiles, {args.clients} clients{think}{cache}, {args.server} "
          f"{figures['workers']}×{args.threads} threads, {os.cpu_count()} CPUs, "
          f"load average {figures['loadavg_start']} → {figures['loadavg_end']}")
    print(f"{'latency':<10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in ("all", "api", "page"):
        s = figures[name]
        if s["n"]:
            print(f"{name:<10} {s['n']:>6} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} "
                  f"{s['p99_ms']:>8.1f} {s['max_ms']:>8.1f}")
    print(f"{figures['requests_per_s']} requests/s over {figures['wall_s']} s; server CPU "
          f"{figures['server_cpu_ms_per_request']} ms per request; statuses "
          f"{figures['statuses']}; connection errors {figures['connection_errors'] or 0} "
          f"(idle connections reopened: {result.reconnects})")
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms with no 5xx: "
          f"{'met' if figures['target_met'] else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 1 if server_errors or limited or result.errors or not every else 0


if __name__ == "__main__":
    sys.exit(main())
