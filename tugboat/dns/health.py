"""The routes of tug-dns's HTTP port: CoreDNS's health plugin (`/health`, and `/healthz` as
every Tugboat daemon has it), its ready plugin (`/ready`: 200 once the caches have synced,
503 naming the plugin before) and its prometheus plugin (`/metrics`), on one port. Served by
the daemons' shared HealthServer (client/healthserver.py)."""

from __future__ import annotations

from collections.abc import Callable

from tugboat.client.healthserver import Handler, metrics, ok, readiness


def health_routes(ready: Callable[[], bool], render: Callable[[], bytes]) -> dict[str, Handler]:
    alive, synced = ok(b"OK"), readiness(ready, b"kubernetes\n")
    return {"/health": alive, "/healthz": alive, "/livez": alive,
            "/ready": synced, "/readyz": synced, "/metrics": metrics(render)}
