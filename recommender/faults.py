"""Named pause points in an index build, so crash tests can ``kill -9`` it at each.

A real rebuild process (``flask --app webapp index rebuild``) started with
``KETNOI_TEST_PAUSE_AT=<point>`` stops when it reaches that point: it writes its
process id to ``KETNOI_TEST_PAUSE_FILE`` (if set) and sleeps until it is killed
(at most ``KETNOI_TEST_PAUSE_S`` seconds, default 600, then it carries on). The
test waits for the file and kills the process there. With the variable unset (any
normal run) :func:`pause_point` does nothing but read one environment variable.

The points, in build order:

- ``encoded``: the passages are encoded, the vector and lexical indexes not yet
  built (the version directory exists and is empty);
- ``saving``: the vector index is written into the version directory, the lexical
  index and the window table not yet;
- ``unpromoted``: the version is complete (``version.json`` written) and evaluated,
  not yet promoted (CURRENT still names the previous version);
- ``promoted``: CURRENT names the new version, the rebuild has not yet recorded
  its outcome.

| variable | default | meaning |
|---|---|---|
| ``KETNOI_TEST_PAUSE_AT`` | unset | tests only: the point above where a build stops |
| ``KETNOI_TEST_PAUSE_FILE`` | unset | tests only: file the stopped process writes its id to |
| ``KETNOI_TEST_PAUSE_S`` | ``600`` | tests only: longest stop before the build carries on |
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("encoded", "saving", "unpromoted", "promoted")


def pause_point(name: str) -> None:
    """Stop here if ``KETNOI_TEST_PAUSE_AT`` names this point (tests only; see module doc)."""
    if name not in POINTS:
        raise ValueError(f"unknown pause point {name!r}; expected one of {POINTS}")
    if os.environ.get("KETNOI_TEST_PAUSE_AT") != name:
        return
    marker = os.environ.get("KETNOI_TEST_PAUSE_FILE")
    if marker:
        tmp = Path(marker + ".tmp")
        tmp.write_text(str(os.getpid()))
        os.replace(tmp, marker)  # the test never reads a half-written file
    deadline = time.monotonic() + float(os.environ.get("KETNOI_TEST_PAUSE_S", "600"))
    while time.monotonic() < deadline:
        time.sleep(0.05)
