"""The system PriorityClasses every cluster has (system-node-critical and
system-cluster-critical), created at API server start as Kubernetes' scheduling storage
does in its post-start hook, so manifests that name them work on a fresh cluster."""

from __future__ import annotations

import logging

from tugboat.api.resources import lookup
from tugboat.api.scheduling import PREEMPT_LOWER_PRIORITY, SYSTEM_PRIORITY_CLASSES
from tugboat.apiserver import errors
from tugboat.apiserver.registry import Registry, WriteOptions

log = logging.getLogger(__name__)
PRIORITY_CLASSES = lookup("scheduling.k8s.io", "v1", "priorityclasses")


async def ensure_system_priority_classes(registry: Registry) -> None:
    for name, (value, description) in SYSTEM_PRIORITY_CLASSES.items():
        if registry.cache.get(PRIORITY_CLASSES.key(None, name)) is not None:
            continue
        body = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                "metadata": {"name": name}, "value": value, "description": description,
                "preemptionPolicy": PREEMPT_LOWER_PRIORITY}
        try:
            await registry.create(PRIORITY_CLASSES, None, body, WriteOptions())
            log.info("created PriorityClass %s with value %d", name, value)
        except errors.ApiError as e:
            if e.code != 409:
                raise
