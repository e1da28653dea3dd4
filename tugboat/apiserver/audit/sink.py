"""`--audit-log-path`: the log backend, one JSON event per line, appended to a file ("-"
for standard output). Each line is written and flushed whole, so a crash loses at most
the event being written and a reader never sees half a line; at the API server's rates
one buffered write per event costs microseconds, not worth a thread."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import IO, Any, Protocol

import orjson


class AuditSink(Protocol):
    def write(self, event: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class AuditLogSink:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.Lock()  # uvicorn serves one loop, but a sink may be shared
        if self.path == "-":
            self._out: IO[bytes] = sys.stdout.buffer
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # Audit logs say who read which Secret: readable by the server's user only.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._out = os.fdopen(fd, "ab")

    def write(self, event: dict[str, Any]) -> None:
        line = orjson.dumps(event) + b"\n"
        with self._lock:
            self._out.write(line)
            self._out.flush()

    def close(self) -> None:
        if self.path != "-":
            self._out.close()
