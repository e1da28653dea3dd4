"""The routes of the proxy's healthz port (10256) and metrics port (10249), as kube-proxy
serves them: /healthz (and /livez) answer kube-proxy's JSON (lastUpdated, currentTime) with
200 while syncs keep up and 503 once the last one is older than twice the sync period.
Served by the daemons' shared HealthServer (client/healthserver.py)."""

from __future__ import annotations

from collections.abc import Callable

from tugboat.client.healthserver import Handler, metrics


def health_routes(health: Callable[[], tuple[bool, bytes]], render: Callable[[], bytes]
                  ) -> dict[str, Handler]:
    def healthz() -> tuple[int, str, bytes]:
        good, body = health()
        return (200 if good else 503), "application/json", body

    return {"/healthz": healthz, "/livez": healthz, "/metrics": metrics(render)}
