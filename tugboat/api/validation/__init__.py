"""Kubernetes' validation for every served kind: `validate(obj, old)` returns the causes of a
422 Invalid (empty when the object is valid), with Kubernetes' field paths, reasons and
messages. Run it after defaulting, after the apiserver has set name (from generateName),
namespace and, for Jobs, uid; pass the stored object as `old` on updates.

One small validator per kind, sharing the metadata and pod-spec validators; the apiserver
validates every write, so the common path is a few regex matches and attribute reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tugboat.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from tugboat.api.autoscaling import HorizontalPodAutoscaler, Scale
from tugboat.api.batch import CronJob, Job
from tugboat.api.coordination import Lease
from tugboat.api.core import ConfigMap, Event, Namespace, ReplicationController, Secret
from tugboat.api.discovery import EndpointSlice
from tugboat.api.meta import StatusCause
from tugboat.api.node import Node
from tugboat.api.pod import Binding, Pod
from tugboat.api.quota import LimitRange, ResourceQuota
from tugboat.api.service import Endpoints, Service
from tugboat.api.serviceaccount import ServiceAccount
from tugboat.api.validation.autoscalers import validate_hpa, validate_scale
from tugboat.api.validation.cluster import (
    validate_event,
    validate_lease,
    validate_namespace,
    validate_node,
)
from tugboat.api.validation.configs import validate_config_map, validate_secret
from tugboat.api.validation.cronjobs import validate_cron_job
from tugboat.api.validation.discovery import validate_endpoint_slice
from tugboat.api.validation.fielderrors import Errors
from tugboat.api.validation.names import (
    NameFn,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from tugboat.api.validation.objectmeta import validate_object_meta, validate_object_meta_update
from tugboat.api.validation.pods import validate_binding, validate_pod
from tugboat.api.validation.policy import POLICY_KINDS
from tugboat.api.validation.quota import validate_limit_range, validate_resource_quota
from tugboat.api.validation.rbac import RBAC_KINDS
from tugboat.api.validation.services import validate_endpoints, validate_service
from tugboat.api.validation.statefulsets import validate_stateful_set
from tugboat.api.validation.typeerrors import causes_from_pydantic
from tugboat.api.validation.workloads import (
    validate_daemon_set,
    validate_deployment,
    validate_job,
    validate_replica_set,
    validate_replication_controller,
)

__all__ = ["causes_from_pydantic", "validate"]

KindValidator = Callable[[Any, Any, Errors], None]


def _binding(binding: Binding, old: Any, errs: Errors) -> None:
    validate_binding(binding, errs)


def _metadata_only(obj: Any, old: Any, errs: Errors) -> None:
    """Kinds Kubernetes validates by their metadata alone (ValidateServiceAccount)."""


# kind → (how its name is checked, namespaced, its own validator)
_KINDS: dict[type, tuple[NameFn, bool, KindValidator]] = {
    Namespace: (name_is_dns_label, False, validate_namespace),
    Pod: (name_is_dns_subdomain, True, validate_pod),
    Binding: (name_is_dns_subdomain, False, _binding),  # its namespace is the URL's
    Node: (name_is_dns_subdomain, False, validate_node),
    Service: (name_is_dns1035_label, True, validate_service),
    Endpoints: (name_is_dns_subdomain, True, validate_endpoints),
    EndpointSlice: (name_is_dns_subdomain, True, validate_endpoint_slice),
    Event: (name_is_dns_subdomain, True, validate_event),
    ReplicationController: (name_is_dns_subdomain, True, validate_replication_controller),
    ConfigMap: (name_is_dns_subdomain, True, validate_config_map),
    Secret: (name_is_dns_subdomain, True, validate_secret),
    ServiceAccount: (name_is_dns_subdomain, True, _metadata_only),
    ReplicaSet: (name_is_dns_subdomain, True, validate_replica_set),
    Deployment: (name_is_dns_subdomain, True, validate_deployment),
    DaemonSet: (name_is_dns_subdomain, True, validate_daemon_set),
    StatefulSet: (name_is_dns_subdomain, True, validate_stateful_set),
    Job: (name_is_dns_subdomain, True, validate_job),
    CronJob: (name_is_dns_subdomain, True, validate_cron_job),
    Lease: (name_is_dns_subdomain, True, validate_lease),
    HorizontalPodAutoscaler: (name_is_dns_subdomain, True, validate_hpa),
    Scale: (name_is_dns_subdomain, True, validate_scale),
    ResourceQuota: (name_is_dns_subdomain, True, validate_resource_quota),
    LimitRange: (name_is_dns_subdomain, True, validate_limit_range),
    **RBAC_KINDS,
    **POLICY_KINDS,
}


def validate(obj: Any, old: Any = None) -> list[StatusCause]:
    """The causes that make `obj` invalid (as a create, or as an update of `old`)."""
    entry = _KINDS.get(type(obj))
    if entry is None:
        return []
    name_fn, namespaced, kind_validator = entry
    errs: Errors = []
    validate_object_meta(obj.metadata, namespaced, name_fn, errs)
    if old is not None:
        validate_object_meta_update(obj.metadata, old.metadata, errs)
    kind_validator(obj, old, errs)
    return errs
