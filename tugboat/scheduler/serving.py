"""The routes of the scheduler's port (10259 by default, like kube-scheduler's; 0 turns it
off): `/healthz` and `/livez` while the loop serves, `/readyz` once the informers have
synced, `/metrics`. Served by the daemons' shared HealthServer (client/healthserver.py)."""

from __future__ import annotations

from collections.abc import Callable

from tugboat.client.healthserver import Handler, metrics, ok, readiness


def health_routes(ready: Callable[[], bool], render: Callable[[], bytes]) -> dict[str, Handler]:
    return {"/healthz": ok(), "/livez": ok(),
            "/readyz": readiness(ready, b"informers not synced"), "/metrics": metrics(render)}
