"""Search latency, throughput and server CPU through the real HTTP server, old path beside new.

Run from the repository root::

    python benchmarks/bench_http.py --profiles 10000 --json /tmp/bench_http.json

It stores ``--profiles`` generated suppliers in a SQLite file under
``--workdir`` (``bench_live.prepare_store``: ``corpora/build_samples.make_suppliers``),
then, for each server configuration of ``--configs`` in turn (default ``old,new``,
on the same store and index version), starts the documented production server
on 127.0.0.1 (``--server gunicorn``: ``gunicorn -c python:webapp.gunicorn_conf
'webapp:create_app()'`` with ``--workers`` and ``--threads``; ``--server
waitress``: the single-process alternative), waits until every worker is warm
and measures:

- ``old``: ``KETNOI_ENCODER_BACKEND=torch KETNOI_SEARCH_LOG_INTERVAL_S=0
  KETNOI_QUERY_BATCH=1`` (torch encoder, each search logged before it answers,
  no batched query encoding); ``new``: those variables unset, so the defaults
  apply (``current``: the environment as it is, nothing set or unset);
- (a) one client at a time: ``--seq-requests`` searches to ``/api/v1/search``,
  then as many to the HTML page ``/?q=``; server CPU per request for each;
- (b) ``--clients`` closed-loop clients (each sends its next search when it gets
  an answer, ``--think-ms`` 0): p50 / p95 / p99, requests/s, statuses, server CPU
  per request;
- (c) open loop: searches sent at a fixed arrival rate (``--arrivals`` poisson
  or even) by a pool of ``--senders`` threads, for ``--step-s`` seconds at each
  rate of ``--rates``; latency runs from each request's *scheduled* send time, so
  waiting at the client counts; stops after the first step with p95 over 150 ms
  (``--all-steps`` runs them all); the highest rate with p95 ≤ 150 ms and no
  error is reported;
- (d) each worker's RSS when warm and after all phases.

Queries are the labelled buyer queries (``corpora/buyer_queries.jsonl``:
Vietnamese with and without diacritics, English) in a seeded random order,
``--page-share`` of them to the HTML page in (b) and (c). Server CPU is the
user + system time of the server's processes (``/proc``) over a phase and
``--settle-s`` after it (so the background search-log writer's batch is
counted), minus the server's idle CPU over the same time (measured before the
phases), divided by the requests answered. A side-by-side table old | new |
new/old with the issue's bars is printed; ``--json`` writes every figure. Exit
status 1 on any 5xx, 429 or connection error.

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
import queue
import random
import re
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

CONFIGS: dict[str, dict[str, str] | None] = {
    "old": {"KETNOI_ENCODER_BACKEND": "torch", "KETNOI_SEARCH_LOG_INTERVAL_S": "0",
            "KETNOI_QUERY_BATCH": "1"},
    "new": {},
    "current": None,
}
"""Server environments: variables set for ``old``; ``new`` unsets :data:`PATH_VARIABLES`
so the defaults apply; ``current`` (None) leaves the environment as it is."""
PATH_VARIABLES = ("KETNOI_ENCODER_BACKEND", "KETNOI_SEARCH_LOG_INTERVAL_S",
                  "KETNOI_QUERY_BATCH", "KETNOI_QUERY_BATCH_WAIT_MS")
"""What ``old`` and ``new`` differ in (unset in both before ``old``'s values are set).
``KETNOI_QUERY_BATCH`` is passed whether or not the code reads it."""

GB_MIB = 1e9 / 2**20
BARS = {
    "seq_api_cpu_ms": ("one client at a time: server CPU ms per API search", "<=", 12.0),
    "seq_page_cpu_ms": ("one client at a time: server CPU ms per HTML page", "<=", 16.0),
    "closed_cpu_ms": ("closed loop: server CPU ms per request", "<=", 7.0),
    "closed_p95_ms": ("closed loop: p95 ms (and no 5xx)", "<=", TARGET_P95_MS),
    "open_rate": ("open loop: highest rate/s with p95 <= 150 ms", ">=", 60.0),
    "worker_rss_mib": ("worker RSS after the run, largest (MiB)", "<=", round(GB_MIB)),
}
"""The bars of issue "Fast path" (10,000 profiles, 2 cores); 1.0 GB = 954 MiB."""
BARS_PROFILES = 10_000


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


PREPARED_LINE = re.compile(r"explanation data of \d+ profiles derived in .*\(pid (\d+)\)")


def wait_prepared(log: Path, timeout: float) -> int:
    """Wait until every warm worker has derived the explanation data of all profiles
    (``webapp.serving``: a background thread right after the warm-up, about a
    millisecond of CPU per profile), so it is not counted as the server's idle CPU or in
    the first phase. Returns how many workers have."""
    from webapp.serving import ready_pids

    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(errors="replace")
        ready = ready_pids(text)
        done = ready & {int(pid) for pid in PREPARED_LINE.findall(text)}
        if (ready and done == ready) or time.monotonic() >= deadline:
            return len(done)
        time.sleep(0.5)


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


BACKEND_LINE = re.compile(r"encoder backend (\S+) \(")


def logged_backends(log_text: str) -> list[str]:
    """The converted runtimes the workers logged loading (none: torch, the reference)."""
    return sorted(set(BACKEND_LINE.findall(log_text))) or ["torch"]


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
        self.repeats: int = 0
        """Requests whose query this server had been sent before (query-cache hits at most)."""
        self.dropped: int = 0
        """Open loop: requests still waiting for a sender when the step's drain time ended."""
        self.client_waits: list[float] = []
        """Open loop: ms from a request's scheduled time until a sender took it."""
        self.started = self.finished = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies["api"]) + len(self.latencies["page"])


class Client:
    """One keep-alive connection, reopened the way a browser would."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.reused = False

    def _reopen(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.reused = False

    def send(self, kind: str, query: str, result: LoadResult, seen: set[str] | None,
             origin: float | None = None) -> None:
        """GET one search and record it in ``result``: latency from ``origin`` if given
        (open loop: the scheduled time), else from the moment it is sent."""
        path = (f"/?{urlencode({'q': query})}" if kind == "page"
                else f"/api/v1/search?{urlencode({'q': query, 'per_page': 10})}")
        began = time.perf_counter()
        try:
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not self.reused:
                    raise
                # the server closed this idle keep-alive connection (gunicorn's
                # keepalive); a browser sends the GET again on a new one, so do we
                self._reopen()
                with result.lock:
                    result.reconnects += 1
                began = time.perf_counter()
                self.conn.request("GET", path)
                response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._reopen()
            with result.lock:
                result.errors[type(exc).__name__] += 1
            return
        self.reused = True
        took = (time.perf_counter() - (began if origin is None else origin)) * 1000
        empty = kind == "api" and response.status == 200 \
            and not json.loads(body).get("items")
        with result.lock:
            result.latencies[kind].append(took)
            result.statuses[str(response.status)] += 1
            result.empty_api += empty
            if seen is not None:
                result.repeats += query in seen
                seen.add(query)
        if response.getheader("Connection", "").lower() == "close":
            self._reopen()

    def close(self) -> None:
        self.conn.close()


def make_plan(queries: list[str], n: int, page_share: float, seed: int) -> list[tuple[str, str]]:
    """``n`` (kind, query) pairs, seeded, so the mix does not depend on thread scheduling."""
    rng = random.Random(seed)
    return [("page" if rng.random() < page_share else "api", rng.choice(queries))
            for _ in range(n)]


def drive(host: str, port: int, queries: list[str], *, clients: int, requests: int,
          duration: float, page_share: float, seed: int, think_ms: float = 0.0,
          timeout: float = 30.0, seen: set[str] | None = None) -> LoadResult:
    """``clients`` threads send up to ``requests`` searches in all, for at most ``duration`` s.

    With ``think_ms`` each client pauses a random time (exponential, that mean)
    after each answer, like a person reading results; 0 sends the next at once
    (a closed loop).
    """
    result = LoadResult()
    plan = make_plan(queries, requests, page_share, seed)
    cursor = iter(range(requests))
    cursor_lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        pause = random.Random(seed * 1000 + n)
        conn = Client(host, port, timeout)
        start.wait()
        while True:
            with cursor_lock:
                i = next(cursor, None)
            if i is None or time.perf_counter() > result.started + duration:
                break
            conn.send(*plan[i], result, seen)
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


def arrival_times(rate: float, seconds: float, arrivals: str, seed: int) -> list[float]:
    """Send times (s from the step's start): a Poisson process, or evenly spaced."""
    if arrivals == "even":
        return [i / rate for i in range(int(rate * seconds))]
    rng = random.Random(seed)
    out, t = [], rng.expovariate(rate)
    while t < seconds:
        out.append(t)
        t += rng.expovariate(rate)
    return out


def open_loop(host: str, port: int, queries: list[str], *, rate: float, seconds: float,
              page_share: float, seed: int, senders: int, arrivals: str = "poisson",
              drain_s: float = 15.0, timeout: float = 30.0,
              seen: set[str] | None = None) -> LoadResult:
    """Searches at ``rate`` per second for ``seconds``, whether or not answers come back.

    A dispatcher puts each request on a queue at its scheduled time; ``senders``
    threads (one keep-alive connection each) take them. A request's latency is
    measured from its scheduled time, so a request that waited for a free sender
    counts that wait. Requests still queued ``drain_s`` after the last scheduled
    time are dropped (counted, not sent).
    """
    result = LoadResult()
    times = arrival_times(rate, seconds, arrivals, seed)
    plan = make_plan(queries, len(times), page_share, seed + 1)
    work: queue.Queue = queue.Queue()
    deadline = [float("inf")]

    def sender() -> None:
        conn = Client(host, port, timeout)
        while True:
            item = work.get()
            if item is None:
                break
            scheduled, kind, query = item
            now = time.perf_counter()
            if now > deadline[0]:
                with result.lock:
                    result.dropped += 1
                continue
            with result.lock:
                result.client_waits.append((now - scheduled) * 1000)
            conn.send(kind, query, result, seen, origin=scheduled)
        conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for t in threads:
        t.start()
    result.started = start = time.perf_counter()
    for at, (kind, query) in zip(times, plan, strict=True):
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        work.put((start + at, kind, query))
    deadline[0] = start + seconds + drain_s
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join(seconds + drain_s + timeout + 5)
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


def phase_figures(result: LoadResult, cpu_s: float, span_s: float,
                  idle_cpu_per_s: float) -> dict:
    """The figures of one phase; server CPU per request with the idle CPU over ``span_s``
    (the phase and its settle time) taken off, and without (``_raw``)."""
    wall = result.finished - result.started
    every = result.latencies["api"] + result.latencies["page"]
    done = len(every)
    busy = max(0.0, cpu_s - idle_cpu_per_s * span_s)
    return {
        "wall_s": round(wall, 2), "requests_done": done,
        "requests_per_s": round(done / wall, 1) if wall > 0 else None,
        "server_cpu_ms_per_request": round(1000 * busy / done, 1) if done else None,
        "server_cpu_ms_per_request_raw": round(1000 * cpu_s / done, 1) if done else None,
        "all": summarise(every), "api": summarise(result.latencies["api"]),
        "page": summarise(result.latencies["page"]),
        "statuses": dict(sorted(result.statuses.items())),
        "connection_errors": dict(result.errors), "empty_api_results": result.empty_api,
        "reconnects": result.reconnects,
        "repeated_queries": round(result.repeats / done, 3) if done else None,
    }


def failures(phase: dict) -> int:
    """5xx, 429 and connection errors of a phase."""
    codes = phase.get("statuses", {})
    return (sum(n for code, n in codes.items() if code.startswith("5") or code == "429")
            + sum(phase.get("connection_errors", {}).values()))


def step_ok(step: dict) -> bool:
    return bool(step["requests_done"]) and step["all"]["p95_ms"] <= TARGET_P95_MS \
        and not failures(step) and not step["dropped"]


def server_env(args: argparse.Namespace, name: str) -> tuple[dict[str, str], dict, list[str]]:
    """The server's environment for configuration ``name``, what it sets and what it unsets."""
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
    unset: list[str] = []
    chosen = dict(CONFIGS.get(name) or {})
    if CONFIGS.get(name) is not None:
        unset = [v for v in PATH_VARIABLES if v in env and v not in chosen]
        for v in PATH_VARIABLES:
            env.pop(v, None)
    for spec in args.config_env:
        target, _, pair = spec.partition(":")
        if target == name:
            key, _, value = pair.partition("=")
            chosen[key] = value
    env.update(chosen)
    return env, chosen, unset


def run_config(args: argparse.Namespace, name: str, queries: list[str]) -> dict:
    """Start the server as configuration ``name``, run every phase, stop it."""
    env, chosen, unset = server_env(args, name)
    port = free_port()
    log_path = args.workdir / f"server-{args.server}-{name}.log"
    command = server_command(args, port)
    workers = args.workers if args.server == "gunicorn" else 1
    fig: dict = {"set": chosen, "unset": unset, "command": " ".join(command),
                 "log": str(log_path), "loadavg_start": loadavg()}
    shown = " ".join(f"{k}={v}" for k, v in chosen.items()) or "(defaults)"
    print(f"\n[{name}] {shown}; starting: {' '.join(command)}  (load average "
          f"{fig['loadavg_start']})", flush=True)
    seen: set[str] = set()
    host = "127.0.0.1"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, cwd=args.workdir, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            try:
                health = wait_ready(f"http://{host}:{port}", proc, log_path, workers,
                                    args.ready_timeout)
            except RuntimeError as exc:
                fig["error"] = str(exc)
                print(f"[{name}] server did not start: {str(exc)[:2000]}", flush=True)
                return fig
            fig["ready_s"] = round(time.perf_counter() - started, 1)
            fig["index_version"] = health["index_version"]
            fig["profiles_served"] = health["profiles"]
            fig["backends"] = logged_backends(log_path.read_text(errors="replace"))
            fig["rss_mb_ready"] = {str(k): round(v) for k, v in
                                   process_tree_rss_mb(proc.pid).items()}
            print(f"[{name}] ready in {fig['ready_s']} s: index {health['index_version']}, "
                  f"{health['profiles']} profiles, encoder {', '.join(fig['backends'])}",
                  flush=True)
            prepared = wait_prepared(log_path, args.ready_timeout)
            print(f"[{name}] explanation data derived by {prepared} worker(s)", flush=True)
            drive(host, port, queries, clients=args.clients, requests=args.warmup,
                  duration=args.duration, page_share=args.page_share, seed=args.seed + 1,
                  think_ms=args.think_ms, seen=seen)
            time.sleep(args.settle_s)
            cpu0, t0 = process_tree_cpu(proc.pid), time.perf_counter()
            time.sleep(args.idle_s)
            idle = (process_tree_cpu(proc.pid) - cpu0) / (time.perf_counter() - t0)
            fig["idle_cpu_ms_per_s"] = round(1000 * idle, 2)

            def measured(run) -> dict:
                cpu0, t0 = process_tree_cpu(proc.pid), time.perf_counter()
                result = run()
                time.sleep(args.settle_s)
                return phase_figures(result, process_tree_cpu(proc.pid) - cpu0,
                                     time.perf_counter() - t0, idle)

            phases: dict = {}
            fig["phases"] = phases
            if args.seq_requests:
                for kind, share in (("api", 0.0), ("page", 1.0)):
                    phases[f"sequential_{kind}"] = measured(lambda share=share: drive(
                        host, port, queries, clients=1, requests=args.seq_requests,
                        duration=args.duration, page_share=share,
                        seed=args.seed + (3 if share else 2), seen=seen))
                    p = phases[f"sequential_{kind}"]
                    print(f"[{name}] one client at a time, {kind}: {p['requests_done']} "
                          f"requests, p50 {p['all']['p50_ms']} ms, server CPU "
                          f"{p['server_cpu_ms_per_request']} ms/request", flush=True)
            if args.requests:
                phases["closed"] = measured(lambda: drive(
                    host, port, queries, clients=args.clients, requests=args.requests,
                    duration=args.duration, page_share=args.page_share, seed=args.seed,
                    think_ms=args.think_ms, seen=seen))
                p = phases["closed"]
                print(f"[{name}] {args.clients} clients: {p['requests_done']} requests, "
                      f"p50/p95/p99 {p['all']['p50_ms']}/{p['all']['p95_ms']}/"
                      f"{p['all']['p99_ms']} ms, {p['requests_per_s']}/s, server CPU "
                      f"{p['server_cpu_ms_per_request']} ms/request", flush=True)
            steps: list[dict] = []
            for i, rate in enumerate(args.rates):
                result_box: list[LoadResult] = []

                def step(rate=rate, i=i, box=result_box) -> LoadResult:
                    box.append(open_loop(
                        host, port, queries, rate=rate, seconds=args.step_s,
                        page_share=args.page_share, seed=args.seed + 100 + i,
                        senders=args.senders, arrivals=args.arrivals, drain_s=args.drain_s,
                        seen=seen))
                    return box[0]

                s = {"rate_per_s": rate, **measured(step)}
                r = result_box[0]
                s["dropped"] = r.dropped
                s["scheduled"] = r.done + r.dropped + sum(r.errors.values())
                s["achieved_per_s"] = round(r.done / args.step_s, 1)
                s["client_wait_ms"] = {"p95": round(percentile(r.client_waits, 0.95), 1),
                                       "max": round(max(r.client_waits), 1)} \
                    if r.client_waits else None
                s["ok"] = step_ok(s)
                steps.append(s)
                print(f"[{name}] open loop {rate:g}/s: {s['requests_done']} answered, "
                      f"p50/p95 {s['all']['p50_ms']}/{s['all']['p95_ms']} ms, dropped "
                      f"{s['dropped']}, errors {failures(s)}, server CPU "
                      f"{s['server_cpu_ms_per_request']} ms/request: "
                      f"{'ok' if s['ok'] else 'over'}", flush=True)
                if not s["ok"] and not args.all_steps:
                    break
            if args.rates:
                passing = None
                for s in steps:  # the rates passed in a row from the lowest
                    if not s["ok"]:
                        break
                    passing = s["rate_per_s"]
                fig["open_loop"] = {"arrivals": args.arrivals, "step_s": args.step_s,
                                    "senders": args.senders, "steps": steps,
                                    "highest_rate_ok": passing}
            fig["rss_mb_after"] = {str(k): round(v) for k, v in
                                   process_tree_rss_mb(proc.pid).items()}
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    fig["loadavg_end"] = loadavg()
    fig["failures"] = sum(failures(p) for p in fig["phases"].values()) \
        + sum(failures(s) for s in fig.get("open_loop", {}).get("steps", []))
    return fig


ROWS = [  # (key, label)
    ("backend", "encoder backend (from the server log)"),
    ("seq_api_cpu_ms", "one client, API: server CPU ms/request"),
    ("seq_api_p50_ms", "one client, API: p50 ms"),
    ("seq_api_p95_ms", "one client, API: p95 ms"),
    ("seq_page_cpu_ms", "one client, HTML page: server CPU ms/request"),
    ("seq_page_p50_ms", "one client, HTML page: p50 ms"),
    ("seq_page_p95_ms", "one client, HTML page: p95 ms"),
    ("closed_p50_ms", "{clients} clients closed loop: p50 ms"),
    ("closed_p95_ms", "{clients} clients closed loop: p95 ms"),
    ("closed_p99_ms", "{clients} clients closed loop: p99 ms"),
    ("closed_rps", "{clients} clients closed loop: requests/s"),
    ("closed_cpu_ms", "{clients} clients closed loop: server CPU ms/request"),
    ("closed_failures", "{clients} clients closed loop: 5xx + 429 + conn. errors"),
    ("closed_repeated", "{clients} clients closed loop: query sent before (share)"),
    ("open_rate", "open loop: highest rate/s with p95 <= 150 ms"),
    ("worker_rss_ready_mib", "worker RSS when warm, largest (MiB)"),
    ("worker_rss_mib", "worker RSS after the run, largest (MiB)"),
    ("idle_cpu_ms_per_s", "server CPU when idle (ms per s, taken off above)"),
]


def headline(fig: dict) -> dict:
    """The figures of the side-by-side table for one configuration."""
    ph = fig.get("phases", {})

    def get(phase: str, *keys: str):
        value = ph.get(phase)
        for k in keys:
            value = value.get(k) if isinstance(value, dict) else None
        return value

    closed = ph.get("closed")
    rss_after = list(fig.get("rss_mb_after", {}).values())
    rss_ready = list(fig.get("rss_mb_ready", {}).values())
    return {
        "backend": ", ".join(fig.get("backends", [])) or None,
        "seq_api_cpu_ms": get("sequential_api", "server_cpu_ms_per_request"),
        "seq_api_p50_ms": get("sequential_api", "all", "p50_ms"),
        "seq_api_p95_ms": get("sequential_api", "all", "p95_ms"),
        "seq_page_cpu_ms": get("sequential_page", "server_cpu_ms_per_request"),
        "seq_page_p50_ms": get("sequential_page", "all", "p50_ms"),
        "seq_page_p95_ms": get("sequential_page", "all", "p95_ms"),
        "closed_p50_ms": get("closed", "all", "p50_ms"),
        "closed_p95_ms": get("closed", "all", "p95_ms"),
        "closed_p99_ms": get("closed", "all", "p99_ms"),
        "closed_rps": get("closed", "requests_per_s"),
        "closed_cpu_ms": get("closed", "server_cpu_ms_per_request"),
        "closed_failures": failures(closed) if closed else None,
        "closed_repeated": get("closed", "repeated_queries"),
        "open_rate": fig.get("open_loop", {}).get("highest_rate_ok"),
        "worker_rss_ready_mib": max(rss_ready) if rss_ready else None,
        "worker_rss_mib": max(rss_after) if rss_after else None,
        "idle_cpu_ms_per_s": fig.get("idle_cpu_ms_per_s"),
    }


def verdict(key: str, value, figures: dict) -> str | None:
    """``ok`` / ``MISSED`` against the bar of ``key``, None if it has none."""
    if key not in BARS:
        return None
    if value is None:
        if key == "open_rate" and figures.get("open_loop"):
            return "MISSED"  # not even the lowest rate
        return "–"
    _, op, bar = BARS[key]
    ok = value <= bar if op == "<=" else value >= bar
    if key == "closed_p95_ms":
        ok = ok and not figures.get("closed_failures")
    return "ok" if ok else "MISSED"


def fmt(value, key: str = "", rates: list[float] | None = None) -> str:
    if value is None:
        return f"<{rates[0]:g}" if key == "open_rate" and rates else "–"
    if isinstance(value, float):
        return f"{value:.3f}" if key == "closed_repeated" else f"{value:.1f}"
    return str(value)


def comparison(args: argparse.Namespace, configs: dict[str, dict]) -> list[dict]:
    """One row per figure: each configuration's value, last/first, bar and verdicts."""
    heads = {name: headline(fig) for name, fig in configs.items()}
    names = list(configs)
    rows = []
    for key, label in ROWS:
        values = {n: heads[n][key] for n in names}
        row = {"key": key, "label": label.format(clients=args.clients), "values": values}
        first, last = values[names[0]], values[names[-1]]
        if len(names) > 1 and isinstance(first, int | float) and isinstance(last, int | float) \
                and first and key not in ("closed_failures",):
            row["ratio"] = round(last / first, 2)
        if key in BARS:
            _, op, bar = BARS[key]
            row["bar"] = f"{'≤' if op == '<=' else '≥'} {bar:g}"
            row["verdicts"] = {n: verdict(key, values[n], {**heads[n],
                               "open_loop": configs[n].get("open_loop")}) for n in names}
        rows.append(row)
    return rows


def render(args: argparse.Namespace, figures: dict) -> str:
    configs = figures["configs"]
    names = list(configs)
    lines = []
    add = lines.append
    cache = ("config default" if args.query_cache is None else str(args.query_cache))
    add("")
    add(f"{args.profiles:,} profiles, {args.server} {figures['workers']}×{args.threads} "
        f"threads, {os.cpu_count()} CPUs; query cache {cache}; {figures['distinct_queries']} "
        f"distinct queries, page share {args.page_share} (closed and open loop)")
    for n in names:
        fig = configs[n]
        shown = " ".join(f"{k}={v}" for k, v in fig["set"].items()) or "defaults"
        if fig["unset"]:
            shown += f" (unset: {' '.join(fig['unset'])})"
        add(f"  {n}: {shown}; load average {fig['loadavg_start']} → "
            f"{fig.get('loadavg_end', '?')}" + (f"; FAILED: {fig['error'][:200]}"
                                                if "error" in fig else ""))
    if args.profiles != BARS_PROFILES:
        add(f"  (the bars are for {BARS_PROFILES:,} profiles; this run has "
            f"{args.profiles:,})")
    ratio_head = f"{names[-1]}/{names[0]}" if len(names) > 1 else ""
    add("")
    add(f"{'':56}" + "".join(f"{n:>12}" for n in names) + f"{ratio_head:>10}  {'bar':>8}  "
        "verdict")
    for row in figures["comparison"]:
        cells = "".join(f"{fmt(row['values'][n], row['key'], args.rates):>12}" for n in names)
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else ""
        verdicts = " ".join(f"{n} {v}" for n, v in row.get("verdicts", {}).items())
        add(f"{row['label']:56}{cells}{ratio:>10}  {row.get('bar', ''):>8}  {verdicts}")
    if args.rates:
        add("")
        add(f"open loop: {args.arrivals} arrivals, {args.step_s:g} s per rate, "
            f"{args.senders} sender threads; latency from each request's scheduled send time. "
            "n answered, lost = dropped + errors, cpu = server CPU ms/request, wait = longest "
            "wait for a free sender (ms)")
        sub = f"{'n':>5} {'p50':>7} {'p95':>7} {'lost':>4} {'cpu':>6} {'wait':>6}  "
        add(f"{'':8}" + "".join(f"  {n:^{len(sub) - 2}}" for n in names))
        add(f"{'rate/s':>8}" + "".join(f"  {sub}" for _ in names))
        for rate in args.rates:
            cells = []
            for n in names:
                step = next((s for s in configs[n].get("open_loop", {}).get("steps", [])
                             if s["rate_per_s"] == rate), None)
                if step is None:
                    cells.append(f"{'not run':<{len(sub)}}")
                    continue
                wait = (step["client_wait_ms"] or {}).get("max")
                cells.append(f"{step['requests_done']:>5} {fmt(step['all']['p50_ms']):>7} "
                             f"{fmt(step['all']['p95_ms']):>7} "
                             f"{step['dropped'] + failures(step):>4} "
                             f"{fmt(step['server_cpu_ms_per_request']):>6} {fmt(wait):>6}"
                             + ("  " if step["ok"] else " >"))
            add(f"{rate:>8g}" + "".join(f"  {c}" for c in cells))
        add("(> : over p95 150 ms, or lost requests; later rates are not run unless "
            "--all-steps)")
    add("")
    for n in names:
        for phase, p in configs[n].get("phases", {}).items():
            add(f"{n} {phase}: statuses {p['statuses']}, connection errors "
                f"{p['connection_errors'] or 0}, idle connections reopened {p['reconnects']}, "
                f"empty API results {p['empty_api_results']}")
    add("server CPU: user + system time of the server's processes over each phase (and "
        f"{args.settle_s:g} s after it), less the idle CPU, per request answered")
    return "\n".join(lines)


def rate_list(text: str) -> list[float]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    rates = [float(r) for r in text.split(",") if r.strip()]
    if any(r <= 0 for r in rates) or rates != sorted(rates):
        raise argparse.ArgumentTypeError("rates must be positive and increasing")
    return rates


def config_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown or not names or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"configurations are distinct names of "
                                         f"{', '.join(CONFIGS)}, not {text!r}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000, help="generated suppliers")
    parser.add_argument("--configs", type=config_list, default=["old", "new"],
                        help="server configurations, run one after the other: old (torch, "
                        "search log written per request, no query batching), new (the "
                        "defaults), current (the environment as it is); default old,new")
    parser.add_argument("--config-env", action="append", default=[],
                        metavar="NAME:KEY=VALUE",
                        help="also set KEY=VALUE in configuration NAME's server (repeatable)")
    parser.add_argument("--seq-requests", type=int, default=100,
                        help="one client at a time: requests to the API, then as many to "
                        "the HTML page (0 skips)")
    parser.add_argument("--clients", type=int, default=20,
                        help="concurrent clients of the closed loop and the warm-up")
    parser.add_argument("--requests", type=int, default=2000,
                        help="measured closed-loop requests, after the warm-up (0 skips)")
    parser.add_argument("--warmup", type=int, default=100, help="requests sent and discarded")
    parser.add_argument("--duration", type=float, default=180.0,
                        help="most seconds a one-client or closed-loop phase may take")
    parser.add_argument("--rates", type=rate_list, default=rate_list("20,30,40,60,80,100"),
                        help="open loop: arrival rates per second, increasing (default "
                        "20,30,40,60,80,100; 'none' skips)")
    parser.add_argument("--step-s", type=float, default=20.0,
                        help="open loop: seconds of arrivals at each rate")
    parser.add_argument("--arrivals", choices=("poisson", "even"), default="poisson",
                        help="open loop: random (Poisson) or evenly spaced send times")
    parser.add_argument("--senders", type=int, default=64,
                        help="open loop: sender threads (more than the requests ever in flight "
                        "at an acceptable p95, so they do not limit the rate)")
    parser.add_argument("--drain-s", type=float, default=15.0,
                        help="open loop: seconds after a step's last arrival before requests "
                        "still waiting for a sender are dropped")
    parser.add_argument("--all-steps", action="store_true",
                        help="open loop: run every rate (default: stop after the first with "
                        "p95 over 150 ms, an error or a drop)")
    parser.add_argument("--settle-s", type=float, default=1.0,
                        help="seconds after each phase still counted in its server CPU (the "
                        "search log is written in the background up to 0.5 s later)")
    parser.add_argument("--idle-s", type=float, default=5.0,
                        help="seconds the server's idle CPU is measured for, before the phases")
    parser.add_argument("--page-share", type=float, default=0.2,
                        help="share of requests to the HTML page (the rest: the JSON API) in "
                        "the warm-up, closed and open loop")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="mean pause of a closed-loop client between answer and next "
                        "request (0: closed loop, each client sends at once)")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("profiles", "clients", "workers", "threads", "senders"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("requests", "seq_requests", "warmup"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    if not (args.requests or args.seq_requests or args.rates):
        parser.error("nothing to measure: --requests, --seq-requests and --rates are all off")
    if not 0.0 <= args.page_share <= 1.0:
        parser.error("--page-share must be from 0 to 1")
    for spec in args.config_env:
        target, _, pair = spec.partition(":")
        if target not in args.configs or "=" not in pair:
            parser.error(f"--config-env {spec!r}: expected NAME:KEY=VALUE with NAME one of "
                         f"{','.join(args.configs)}")

    from bench_live import prepare_store

    args.workdir.mkdir(parents=True, exist_ok=True)
    prepare_store(args.workdir, args.profiles, args.seed)
    queries = [q["text"] for q in buyer_queries()]
    workers = args.workers if args.server == "gunicorn" else 1
    figures: dict = {"profiles": args.profiles, "clients": args.clients,
                     "server": args.server, "workers": workers,
                     "threads": args.threads, "torch_threads": args.torch_threads,
                     "think_ms": args.think_ms, "query_cache": args.query_cache,
                     "distinct_queries": len(set(queries)),
                     "page_share": args.page_share, "cpus": os.cpu_count(),
                     "rate_limit": args.rate_limit, "seq_requests": args.seq_requests,
                     "requests": args.requests, "warmup": args.warmup,
                     "rates": args.rates, "step_s": args.step_s, "arrivals": args.arrivals,
                     "senders": args.senders, "settle_s": args.settle_s,
                     "target_p95_ms": TARGET_P95_MS, "bars_profiles": BARS_PROFILES,
                     "bars": {k: {"what": w, "op": op, "value": v}
                              for k, (w, op, v) in BARS.items()},
                     "argv": sys.argv[1:] if argv is None else argv, "configs": {}}
    for name in args.configs:
        figures["configs"][name] = run_config(args, name, queries)
        if args.json:  # kept if a later configuration fails or the run is stopped
            args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    figures["comparison"] = comparison(args, figures["configs"])
    print(render(args, figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print(f"figures written to {args.json}")
    bad = [n for n, fig in figures["configs"].items()
           if "error" in fig or fig["failures"]
           or not any(p["requests_done"] for p in fig["phases"].values())
           and not fig.get("open_loop", {}).get("steps")]
    if bad:
        print(f"exit status 1: errors (5xx, 429, connection errors or no server) in {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
