"""The manager's /healthz and /metrics port."""

from __future__ import annotations

import httpx
import pytest

from tests.support.processes import free_port
from tugboat.client.healthserver import HealthServer
from tugboat.controller.metrics import ControllerMetrics
from tugboat.controller.serving import health_routes

pytestmark = pytest.mark.anyio


async def test_health_and_metrics() -> None:
    metrics = ControllerMetrics()
    metrics.reconciles.labels("replicaset", "success").inc()
    port = free_port()
    leading = [False]
    server = HealthServer("127.0.0.1", port, health_routes(lambda: leading[0], metrics.render))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/healthz")).text == "ok"
            body = (await http.get("/metrics")).text
            assert 'tugboat_controller_reconcile_total{controller="replicaset",' \
                   'result="success"} 1.0' in body
            assert (await http.get("/nope")).status_code == 404
            assert (await http.get("/readyz")).status_code == 500  # another instance leads
            leading[0] = True
            assert (await http.get("/readyz")).status_code == 200
    finally:
        await server.stop()
