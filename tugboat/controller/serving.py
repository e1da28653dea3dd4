"""The routes of the manager's own port (kube-controller-manager's 10257): `/healthz` and
`/livez` for liveness, `/readyz` (500 while another instance leads, as Kubernetes' leader
check answers), `/metrics` in Prometheus text. Served by the daemons' shared HealthServer
(client/healthserver.py)."""

from __future__ import annotations

from collections.abc import Callable

from tugboat.client.healthserver import Handler, metrics, ok


def health_routes(leading: Callable[[], bool], render: Callable[[], bytes]
                  ) -> dict[str, Handler]:
    def ready() -> tuple[int, str, bytes]:
        return (200, "text/plain", b"ok") if leading() else (500, "text/plain", b"not leading")

    return {"/healthz": ok(), "/livez": ok(), "/readyz": ready, "/metrics": metrics(render)}
