"""glibc's mmap threshold fixed: freed large temporaries leave the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PATTERN = """
import sys
import numpy as np
from recommender.serving.memory import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
big = np.ones(30 << 17)  # 30 MiB, freed: glibc's threshold would rise to 30 MiB
del big
start = rss()
kept, temporaries = [], []
for i in range(20):  # an index load: 5 MiB temporaries between small objects kept
    temporaries.append(np.ones(5 << 17))
    kept.append(bytearray(4096))
del temporaries
print(rss() - start)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc on Linux")
def test_freed_temporaries_leave_the_process() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    env["PYTHONPATH"] = str(ROOT)
    kept = {mode: int(subprocess.run([sys.executable, "-c", PATTERN, mode], env=env,
                                     capture_output=True, text=True, check=True).stdout)
            for mode in ("default", "fixed")}
    assert kept["fixed"] < 10 << 10, kept  # KiB: the 100 MiB of temporaries were unmapped
    assert kept["default"] > 50 << 10, kept  # what the fix is for: kept on the heap


def test_an_operators_threshold_is_kept(monkeypatch) -> None:
    from recommender.serving import memory

    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert memory.fix_mmap_threshold() is False
