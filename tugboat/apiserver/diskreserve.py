"""Room on the database's disk. SQLite appends a row for every write, deletes included
(a tombstone), so a disk that fills up leaves no way to free it through the API. Below a
reserve of free space the API server refuses every write except deletes, and /readyz
reports it: the reserve is what lets the operator delete their way back.

The refusal is 507 Insufficient Storage (RFC 4918: the server cannot store what the
request needs). Not a 4xx: the request is fine and would succeed elsewhere. Not 503:
client-go retries a 503 that carries Retry-After, and waiting does not free a disk. Not
500: nothing is broken, and the message says what to do.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from tugboat.apiserver import errors

DEFAULT_RESERVE = 64 * 1024 * 1024
REFRESH = 1.0  # seconds: statvfs at most once a second, not once per write


class DiskReserve:
    def __init__(self, directory: Path, reserve: int,
                 clock: Callable[[], float] = time.monotonic):
        self.directory = directory
        self.reserve = reserve
        self.clock = clock
        self._free: tuple[float, int | None] | None = None

    def free(self) -> int | None:
        """Bytes an unprivileged writer may still use there (None: cannot tell)."""
        now = self.clock()
        if self._free is None or now - self._free[0] >= REFRESH:
            try:
                st = os.statvfs(self.directory)
                self._free = (now, st.f_bavail * st.f_frsize)
            except OSError:
                self._free = (now, None)
        return self._free[1]

    def shortage(self) -> str | None:
        """Why writes are refused, or None when there is room."""
        free = self.free()
        if free is None or free >= self.reserve:
            return None
        return (f"{_size(free)} free on the disk of {self.directory}, below the reserve of "
                f"{_size(self.reserve)} (--storage-reserve) kept for deletes")

    def check_write(self, method: str) -> None:
        """Refuse a write other than a delete while the disk is below the reserve."""
        if method in ("POST", "PUT", "PATCH") and self.reserve:
            short = self.shortage()
            if short is not None:
                raise errors.ApiError(507, "InsufficientStorage",
                                      f"the server is out of disk space: {short}; delete "
                                      f"objects or free space on that disk")


def _size(n: int) -> str:
    for unit, size in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n}B"
