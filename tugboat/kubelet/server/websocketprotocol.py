"""uvicorn's WebSocket protocol for the kubelet port, taking any Sec-WebSocket-Protocol
the client offers (the API server has its own copy: the two daemons share no code but
`api` and, for the kubelet, `client`).

kubectl asks for port-forward with the subprotocol `SPDY/3.1+portforward.k8s.io`, which
is not an HTTP token ('/' is a separator), and the `websockets` library uvicorn runs on
refuses such a header with a 400 before the application sees the request — so kubectl
would fall back to a plain SPDY upgrade, which uvicorn cannot serve. uvicorn reads the
offered protocols itself (split on commas) into the ASGI scope and writes the one the
application accepts, so the library's own parsing is skipped: it only chose a protocol
when the server listed some, and uvicorn lists none."""

from __future__ import annotations

from typing import Any


def _choose_none(_headers: Any) -> None:
    return None


def lenient_subprotocols(base: type) -> type:
    """`base` (uvicorn's ws_protocol_class) whose handshake does not parse the offered
    subprotocols; other protocol classes (no sans-I/O `conn`) are returned unchanged."""
    if not hasattr(base, "handle_connect"):
        return base

    class LenientSubprotocols(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            conn = getattr(self, "conn", None)
            if conn is not None and hasattr(conn, "process_subprotocol"):
                conn.process_subprotocol = _choose_none

    return LenientSubprotocols
