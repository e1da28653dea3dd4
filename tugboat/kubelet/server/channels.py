"""The Kubernetes WebSocket channel protocol (v4/v5.channel.k8s.io) that exec speaks:
binary frames whose first byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 the final
status as JSON, 4 terminal resize, 255 (v5) close of a stream, `\\xff\\x00` meaning
"stdin closed" — and the status documents kubectl turns into its exit code."""

from __future__ import annotations

from typing import Any

import orjson

V5, V4 = "v5.channel.k8s.io", "v4.channel.k8s.io"
PROTOCOLS = (V5, V4)
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def choose_protocol(offered: list[str]) -> str | None:
    """The newest protocol both sides speak; the client's list may be comma-joined."""
    names = {p.strip() for item in offered for p in item.split(",")}
    return next((p for p in PROTOCOLS if p in names), None)


def frame(channel: int, data: bytes) -> bytes:
    return bytes([channel]) + data


def exit_status(code: int | None) -> bytes:
    """Channel 3's final message: Success, or NonZeroExitCode with the code as the cause."""
    if code == 0:
        return orjson.dumps({"metadata": {}, "status": "Success"})
    if code is None:
        return error_status("the command's exit code is unknown")
    doc: dict[str, Any] = {
        "metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
        "message": f"command terminated with non-zero exit code: exit status {code}",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
    return orjson.dumps(doc)


def error_status(message: str, reason: str = "InternalError", code: int = 500) -> bytes:
    return orjson.dumps({"metadata": {}, "status": "Failure", "reason": reason,
                         "message": message, "code": code})


def parse_resize(data: bytes) -> tuple[int, int] | None:
    try:
        size = orjson.loads(data)
        return int(size["Width"]), int(size["Height"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
