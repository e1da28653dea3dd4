"""The node's heartbeat: a coordination.k8s.io Lease named after the node in
kube-node-lease, renewed every 10 s (a quarter of its 40 s duration), owned by the Node so
it goes when the Node goes. The node lifecycle controller reads its renewTime; failures
are retried sooner (200 ms doubling to 7 s), as the kubelet does. The first renewal waits
for the Node to be registered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tugboat.client import ApiClient, Backoff, ClientError, Conflict, NotFound, micro_time

log = logging.getLogger(__name__)
LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION = 40


def lease_body(node: str, node_uid: str | None, current: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    body = current or {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                       "metadata": {"name": node, "namespace": LEASE_NAMESPACE}}
    if node_uid and not body["metadata"].get("ownerReferences"):
        body["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node",
                                                "name": node, "uid": node_uid}]
    body["spec"] = {**body.get("spec", {}), "holderIdentity": node,
                    "leaseDurationSeconds": LEASE_DURATION, "renewTime": micro_time()}
    return body


async def renew_once(client: ApiClient, node: str, node_uid: str | None) -> None:
    try:
        current = await client.get("leases", node, LEASE_NAMESPACE)
    except NotFound:
        await client.create("leases", lease_body(node, node_uid), LEASE_NAMESPACE)
        return
    await client.update("leases", lease_body(node, node_uid, current), LEASE_NAMESPACE)


async def renew_forever(client: ApiClient, node: str, node_uid: Callable[[], str | None],
                        interval: float = 10.0) -> None:
    retry = Backoff(0.2, 7.0)
    while True:
        if node_uid() is None:  # the Lease is owned by the Node: register it first
            await asyncio.sleep(0.2)
            continue
        try:
            await renew_once(client, node, node_uid())
            retry.reset("lease")
            await asyncio.sleep(interval)
        except Conflict:
            await asyncio.sleep(0.05)
        except ClientError as e:
            delay = retry.next("lease")
            log.info("lease of node %s not renewed (retry in %.1fs): %s", node, delay, e)
            await asyncio.sleep(delay)
