"""Keep a serving process's memory close to what it holds (glibc ``malloc``).

glibc serves a block of at least its *mmap threshold* with a private mapping,
unmapped when freed, and smaller blocks from its heap, which keeps freed memory
for reuse. The threshold starts at 128 KiB and rises to the size of each large
block freed (up to 32 MiB), so after an index load (tens of MB of temporary
arrays) later large temporaries come from the heap and stay in the process once
freed: at 10,000 profiles a worker held about 110 MB more after its load and 316
searches (847 MiB) than with the threshold fixed at 1 MiB (738 MiB). Fixing it
also turns off the rising.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

MMAP_THRESHOLD = 1 << 20
"""Blocks of at least this many bytes are mapped, and given back when freed."""
_M_MMAP_THRESHOLD = -3  # mallopt parameter, <malloc.h>
_done = False


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for this process (once); False where there is no glibc
    or the operator set ``MALLOC_MMAP_THRESHOLD_`` (theirs is kept)."""
    global _done
    if _done:
        return True
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to fix
        return False
    if not mallopt(_M_MMAP_THRESHOLD, int(threshold)):
        log.info("mallopt(M_MMAP_THRESHOLD) refused; the heap keeps glibc's default")
        return False
    _done = True
    return True
