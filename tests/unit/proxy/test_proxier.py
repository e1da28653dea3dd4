"""The proxier's loop with fake informers and a recording iptables: a burst of changes is
one sync, endpoint changes are timed from their trigger time, and /healthz turns 503 when
syncs stop."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tugboat.api.discovery import EndpointSlice
from tugboat.api.service import Service
from tugboat.proxy.metrics import ProxyMetrics
from tugboat.proxy.proxier import Proxier, ProxierConfig


class FakeInformer:
    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.handlers: list[dict[str, Any]] = []

    def add_event_handler(self, **handlers: Any) -> None:
        self.handlers.append(handlers)

    def list(self) -> list[Any]:
        return list(self.objects)

    def add(self, obj: Any) -> None:
        self.objects.append(obj)
        for h in self.handlers:
            h["on_add"](obj)


class FakeIptables:
    def __init__(self) -> None:
        self.restores: list[str] = []

    async def save(self, table: str) -> str:
        return ""

    async def ensure_jumps(self, saved: dict[str, str]) -> None:
        pass

    async def restore(self, text: str) -> None:
        self.restores.append(text)


class FakeLink:
    def __init__(self, failures: int = 0) -> None:
        self.failures, self.ensured = failures, 0

    async def ensure(self) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("ip link add tug-svc0 type dummy: Operation not permitted")
        self.ensured += 1


def slice_(name: str, trigger: str | None = None) -> EndpointSlice:
    annotations = {"endpoints.kubernetes.io/last-change-trigger-time": trigger} \
        if trigger else None
    return EndpointSlice.model_validate({
        "metadata": {"name": name, "namespace": "default", "annotations": annotations,
                     "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
        "endpoints": [{"addresses": ["10.244.0.2"]}]})


def build(clock: Any = None, link: Any = None, **config: Any
          ) -> tuple[Proxier, FakeInformer, FakeIptables, ProxyMetrics]:
    services, slices, ipt, metrics = FakeInformer(), FakeInformer(), FakeIptables(), \
        ProxyMetrics()
    services.add(Service.model_validate({
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"clusterIP": "10.96.0.10", "ports": [{"name": "http", "port": 80}]}}))
    kw = {"clock": clock} if clock else {}
    proxier = Proxier(ProxierConfig(node_name="n1", **config), services, slices,  # type: ignore[arg-type]
                      ipt, link or FakeLink(), metrics, **kw)  # type: ignore[arg-type]
    return proxier, slices, ipt, metrics


def test_a_burst_of_changes_is_coalesced_into_few_syncs() -> None:
    async def scenario() -> FakeIptables:
        proxier, slices, ipt, _ = build(min_sync_period=0.3)
        stop = asyncio.Event()
        task = asyncio.create_task(proxier.run(stop))
        await asyncio.sleep(0.05)  # the first sync
        for i in range(50):
            slices.add(slice_(f"web-{i}"))
            await asyncio.sleep(0.001)
        while len(ipt.restores) < 2:
            await asyncio.sleep(0.01)
        stop.set()
        await task
        return ipt

    ipt = asyncio.run(scenario())
    assert 2 <= len(ipt.restores) <= 3
    assert "-j DNAT --to-destination 10.244.0.2:8080" in ipt.restores[-1]


def test_network_programming_latency_starts_at_the_trigger_time() -> None:
    async def scenario() -> ProxyMetrics:
        now = [1_000_000_000.0]
        proxier, slices, ipt, metrics = build(clock=lambda: now[0], min_sync_period=0)
        slices.add(slice_("web-1", trigger="2001-09-09T01:46:35Z"))  # 5s before "now"
        stop = asyncio.Event()
        task = asyncio.create_task(proxier.run(stop))
        while not ipt.restores:
            await asyncio.sleep(0.01)
        stop.set()
        await task
        return metrics

    metrics = asyncio.run(scenario())
    assert metrics.registry.get_sample_value(
        "tug_proxy_network_programming_duration_seconds_sum") == 5.0
    assert metrics.registry.get_sample_value(
        "tug_proxy_sync_proxy_rules_duration_seconds_count") == 1


def test_healthz_is_503_once_the_last_sync_is_older_than_twice_the_period() -> None:
    now = [1000.0]
    proxier, *_ = build(clock=lambda: now[0], sync_period=30)
    ok, body = proxier.health()
    assert ok and set(json.loads(body)) == {"lastUpdated", "currentTime", "nodeEligible"}
    proxier.last_synced = 1000.0
    now[0] = 1059.0
    assert proxier.health()[0]
    now[0] = 1061.0
    ok, body = proxier.health()
    assert not ok and json.loads(body)["lastUpdated"] == "1970-01-01T00:16:40Z"


class FailingOnce(FakeIptables):
    async def restore(self, text: str) -> None:
        if not getattr(self, "failed", False):
            self.failed = True
            raise RuntimeError("iptables-restore: line 3 failed")
        await super().restore(text)


def test_a_failed_restore_is_counted_and_retried() -> None:
    async def scenario() -> tuple[FakeIptables, ProxyMetrics]:
        services, slices, metrics = FakeInformer(), FakeInformer(), ProxyMetrics()
        ipt = FailingOnce()
        proxier = Proxier(ProxierConfig(node_name="n1", min_sync_period=0), services,  # type: ignore[arg-type]
                          slices, ipt, FakeLink(), metrics)  # type: ignore[arg-type]
        stop = asyncio.Event()
        task = asyncio.create_task(proxier.run(stop))
        await asyncio.wait_for(_until(lambda: ipt.restores), 5)
        stop.set()
        await task
        return ipt, metrics

    ipt, metrics = asyncio.run(scenario())
    assert len(ipt.restores) == 1
    assert metrics.registry.get_sample_value(
        "tug_proxy_sync_proxy_rules_iptables_restore_failures_total") == 1


async def _until(cond: Any) -> None:
    while not cond():
        await asyncio.sleep(0.01)


def test_a_link_that_cannot_be_made_is_retried_not_a_crash() -> None:
    async def scenario() -> tuple[FakeLink, FakeIptables, ProxyMetrics]:
        link = FakeLink(failures=1)
        proxier, _slices, ipt, metrics = build(link=link, min_sync_period=0)
        stop = asyncio.Event()
        task = asyncio.create_task(proxier.run(stop))
        while not ipt.restores:
            await asyncio.sleep(0.01)
        stop.set()
        await task
        return link, ipt, metrics

    link, ipt, metrics = asyncio.run(scenario())
    assert link.ensured == 1 and len(ipt.restores) == 1
    assert metrics.registry.get_sample_value(
        "tug_proxy_sync_proxy_rules_iptables_restore_failures_total") == 1
