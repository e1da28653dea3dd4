"""Registers the kubelet's Node and keeps its status current: created on start (or, when
it exists, adopted with our labels added), then recomputed every
`--node-status-update-frequency` and whenever the runtime's health changes, and written
(a merge patch on nodes/{name}/status) when something other than the heartbeat times
changed, or at least every `report_every` seconds. A Node deleted behind our back is
registered again."""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import time
from typing import Any

from tugboat.api.core import NodeStatus
from tugboat.client import AlreadyExists, ApiClient, ClientError, NotFound
from tugboat.kubelet.node import hostinfo
from tugboat.kubelet.node.health import RuntimeHealth
from tugboat.kubelet.node.nodestatus import (
    NodeIdentity,
    new_node,
    node_labels,
    node_status,
    without_heartbeats,
)
from tugboat.kubelet.waiting import wait_event

log = logging.getLogger(__name__)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class NodeReporter:
    def __init__(self, client: ApiClient, ident: NodeIdentity, health: RuntimeHealth, *,
                 storage_path: str = "/", frequency: float = 10.0, report_every: float = 60.0):
        self.client, self.ident, self.health = client, ident, health
        self.storage_path, self.frequency, self.report_every = storage_path, frequency, report_every
        self.wake = asyncio.Event()
        self.node_uid: str | None = None
        self._status: NodeStatus | None = None
        self._compared: dict[str, Any] | None = None
        self._reported_at = 0.0

    async def run(self) -> None:
        await self.health.check()
        while True:
            try:
                await self.sync()
            except ClientError as e:
                log.info("node %s status not reported (will retry): %s", self.ident.name, e)
            await wait_event(self.wake, self.frequency)

    async def sync(self) -> None:
        info = await asyncio.to_thread(hostinfo.read_host_info, self.storage_path)
        pressure = await asyncio.to_thread(hostinfo.read_pressure, self.storage_path)
        status = node_status(self.ident, info, pressure, self.health.state, self._status, _now())
        if self.node_uid is None:
            await self._register(info, status)
            return
        compared = without_heartbeats(status)
        if compared == self._compared and time.monotonic() - self._reported_at < self.report_every:
            return
        try:
            await self.client.patch("nodes", self.ident.name, {"status": status.wire()},
                                    subresource="status")
        except NotFound:
            self.node_uid = None
            raise
        self._remember(status, compared)

    async def _register(self, info: hostinfo.HostInfo, status: NodeStatus) -> None:
        try:
            created = await self.client.create("nodes", new_node(self.ident, info, status).wire())
            self.node_uid = created["metadata"]["uid"]
            log.info("registered node %s", self.ident.name)
            self._remember(status, without_heartbeats(status))
            return
        except AlreadyExists:
            pass
        existing = await self.client.get("nodes", self.ident.name)
        labels = {**(existing["metadata"].get("labels") or {}),
                  **node_labels(self.ident.name, info)}
        if labels != existing["metadata"].get("labels"):
            await self.client.patch("nodes", self.ident.name, {"metadata": {"labels": labels}})
        self.node_uid = existing["metadata"]["uid"]
        self._status = NodeStatus.model_validate(existing.get("status") or {})
        log.info("node %s was already registered", self.ident.name)
        await self.sync()

    def _remember(self, status: NodeStatus, compared: dict[str, Any]) -> None:
        self._status, self._compared = status, compared
        self._reported_at = time.monotonic()
