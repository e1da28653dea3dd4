"""`tug describe`'s pages, one describer per kind in kubectl's layout (pods, nodes,
workloads, services, and a generic page for the rest), each closed by the object's
Events. `describe(session, obj)` returns the page as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tugboat.cli.describe import generic, nodes, services, workloads
from tugboat.cli.describe.cronjobs import describe_cron_job
from tugboat.cli.describe.events import describe_events, find_events
from tugboat.cli.describe.pods import describe_pod
from tugboat.cli.describe.quota import describe_limit_range, describe_resource_quota
from tugboat.cli.describe.writer import PrefixWriter
from tugboat.cli.session import Session

Obj = dict[str, Any]
Describer = Callable[[Session, PrefixWriter, Obj], None]

DESCRIBERS: dict[str, Describer] = {
    "Pod": lambda _s, w, obj: describe_pod(w, obj),
    "Node": nodes.describe_node,
    "Deployment": workloads.describe_deployment,
    "ReplicaSet": workloads.describe_replica_set,
    "ReplicationController": workloads.describe_replica_set,
    "DaemonSet": workloads.describe_daemon_set,
    "Job": workloads.describe_job,
    "CronJob": describe_cron_job,
    "Service": services.describe_service,
    "Endpoints": services.describe_endpoints,
    "Namespace": generic.describe_namespace,
    "ConfigMap": generic.describe_config_map,
    "Secret": generic.describe_secret,
    "ResourceQuota": describe_resource_quota,
    "LimitRange": describe_limit_range,
}
# as kubectl: these pages end without Events
NO_EVENTS = {"Secret", "Event", "Namespace", "ResourceQuota", "LimitRange"}


def describe(session: Session, obj: Obj) -> str:
    w = PrefixWriter()
    kind = obj.get("kind") or ""
    DESCRIBERS.get(kind, generic.describe_generic)(session, w, obj)
    if kind not in NO_EVENTS:
        describe_events(w, find_events(session, obj))
    return w.page()
