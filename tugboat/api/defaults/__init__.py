"""Kubernetes' defaulting (pkg/apis/*/v1/defaults.go and the create-time parts of the
registry strategies): fills what a user may leave out so that every component reads one
complete shape. The apiserver calls `apply_defaults` on every decoded write, then
`default_job_selector` once a Job has its uid, then `default_pod_status_on_create` for new
pods; all three mutate in place and are cheap (no copies; quantities parsed once, cached).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tugboat.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from tugboat.api.autoscaling import HorizontalPodAutoscaler
from tugboat.api.batch import CronJob, Job
from tugboat.api.core import Endpoints, Namespace, ReplicationController, Secret
from tugboat.api.defaults.cluster import (
    NAMESPACE_NAME_LABEL,
    default_endpoint_slice,
    default_endpoints,
    default_hpa,
    default_namespace,
    default_node,
    default_secret,
    default_service,
)
from tugboat.api.defaults.cronjobs import default_cron_job
from tugboat.api.defaults.pods import (
    DEFAULT_SCHEDULER_NAME,
    default_pod,
    default_pod_spec,
    default_pod_status_on_create,
    image_pull_policy_for,
    qos_class,
)
from tugboat.api.defaults.quota import default_limit_range
from tugboat.api.defaults.scheduling import default_priority_class
from tugboat.api.defaults.statefulsets import default_stateful_set
from tugboat.api.defaults.workloads import (
    default_daemon_set,
    default_deployment,
    default_job,
    default_job_selector,
    default_replica_set,
    default_replication_controller,
)
from tugboat.api.discovery import EndpointSlice
from tugboat.api.node import Node
from tugboat.api.pod import Pod
from tugboat.api.quota import LimitRange
from tugboat.api.scheduling import PriorityClass
from tugboat.api.service import Service

__all__ = [
    "DEFAULT_SCHEDULER_NAME", "NAMESPACE_NAME_LABEL", "apply_defaults", "default_job_selector",
    "default_pod_spec", "default_pod_status_on_create", "image_pull_policy_for", "qos_class",
]

_DEFAULTERS: dict[type, Callable[[Any], None]] = {
    Pod: default_pod,
    ReplicationController: default_replication_controller,
    ReplicaSet: default_replica_set,
    Deployment: default_deployment,
    DaemonSet: default_daemon_set,
    StatefulSet: default_stateful_set,
    Job: default_job,
    CronJob: default_cron_job,
    Service: default_service,
    Endpoints: default_endpoints,
    EndpointSlice: default_endpoint_slice,
    Namespace: default_namespace,
    Node: default_node,
    Secret: default_secret,
    HorizontalPodAutoscaler: default_hpa,
    LimitRange: default_limit_range,
    PriorityClass: default_priority_class,
}


def apply_defaults(obj: Any) -> None:
    """Fill Kubernetes' defaults into `obj` in place; kinds without defaults are untouched."""
    defaulter = _DEFAULTERS.get(type(obj))
    if defaulter is not None:
        defaulter(obj)
