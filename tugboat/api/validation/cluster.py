"""Namespace, Node, Event and Lease validation: the cluster's bookkeeping objects."""

from __future__ import annotations

import ipaddress

from tugboat.api.coordination import Lease
from tugboat.api.core import Event, Namespace
from tugboat.api.node import Node
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    forbidden,
    invalid,
    nonnegative,
    not_supported,
    positive,
    required,
)
from tugboat.api.validation.names import is_label_value, is_qualified_name
from tugboat.api.validation.podspec import TAINT_EFFECTS

# Event field limits (core validation/events.go).
_REPORTING_INSTANCE_LIMIT = 128
_ACTION_LIMIT = 128
_REASON_LIMIT = 128
_NOTE_LIMIT = 1024
_NAMESPACE_PHASES = ("Active", "Terminating")
_LEASE_STRATEGIES = ("OldestEmulationVersion",)


def validate_namespace(ns: Namespace, old: Namespace | None, errs: Errors) -> None:
    for i, f in enumerate(ns.spec.finalizers or ()):
        for msg in is_qualified_name(f):
            errs.append(invalid(f"spec.finalizers[{i}]", f, msg))
    phase = ns.status.phase
    if phase and phase not in _NAMESPACE_PHASES:
        errs.append(not_supported("status.phase", phase, _NAMESPACE_PHASES))


def validate_node(node: Node, old: Node | None, errs: Errors) -> None:
    spec = node.spec
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(spec.taints or ()):
        p = f"spec.taints[{i}]"
        for msg in is_qualified_name(taint.key):
            errs.append(invalid(f"{p}.key", taint.key, msg))
        msgs = is_label_value(taint.value or "")
        if msgs:
            errs.append(invalid(f"{p}.value", taint.value, ";".join(msgs)))
        if not taint.effect:
            errs.append(required(f"{p}.effect"))
        elif taint.effect not in TAINT_EFFECTS:
            errs.append(not_supported(f"{p}.effect", taint.effect, TAINT_EFFECTS))
        if (taint.key, taint.effect) in seen:
            cause = duplicate(p, taint)
            cause.message += ": taints must be unique by key and effect pair"
            errs.append(cause)
        seen.add((taint.key, taint.effect))
    for i, cidr in enumerate(spec.podCIDRs or ([spec.podCIDR] if spec.podCIDR else [])):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errs.append(invalid(f"spec.podCIDRs[{i}]", cidr, "must be a valid CIDR"))
    if old is not None:
        if old.spec.podCIDR and spec.podCIDR != old.spec.podCIDR:
            errs.append(forbidden("spec.podCIDRs", "node updates may not change podCIDR except "
                                                   'from "" to valid'))
        if old.spec.providerID and spec.providerID != old.spec.providerID:
            errs.append(forbidden("spec.providerID", "node updates may not change providerID "
                                                     'except from "" to valid'))


def validate_event(ev: Event, old: Event | None, errs: Errors) -> None:
    """legacyValidateEvent for core/v1: the involved object's namespace must be the event's;
    new-style events (eventTime set) also need reportingComponent, reportingInstance,
    action and reason."""
    if not ev.involvedObject.kind and not ev.involvedObject.name:
        errs.append(required("involvedObject"))
    namespace = ev.metadata.namespace or ""
    involved_ns = ev.involvedObject.namespace or ""
    if ev.eventTime is None:
        mismatch = (namespace not in ("", "default")) if not involved_ns else (
            namespace != involved_ns)
    else:
        mismatch = not involved_ns and namespace not in ("default", "kube-system")
        for field, value, limit in (
                ("reportingComponent", ev.reportingComponent, None),
                ("reportingInstance", ev.reportingInstance, _REPORTING_INSTANCE_LIMIT),
                ("action", ev.action, _ACTION_LIMIT),
                ("reason", ev.reason, _REASON_LIMIT)):
            if not value:
                errs.append(required(field))
            elif limit is not None and len(value) > limit:
                errs.append(invalid(field, "", f"can have at most {limit} characters"))
        if ev.reportingComponent:
            for msg in is_qualified_name(ev.reportingComponent):
                errs.append(invalid("reportingComponent", ev.reportingComponent, msg))
        if ev.message and len(ev.message) > _NOTE_LIMIT:
            errs.append(invalid("message", "", f"can have at most {_NOTE_LIMIT} characters"))
    if mismatch:
        errs.append(invalid("involvedObject.namespace", involved_ns,
                            "does not match event.namespace"))
    if ev.type and ev.type not in ("Normal", "Warning") and ev.eventTime is not None:
        errs.append(not_supported("type", ev.type, ("Normal", "Warning")))
    nonnegative(ev.count, "count", errs)


def validate_lease(lease: Lease, old: Lease | None, errs: Errors) -> None:
    spec = lease.spec
    positive(spec.leaseDurationSeconds, "spec.leaseDurationSeconds", errs)
    nonnegative(spec.leaseTransitions, "spec.leaseTransitions", errs)
    if spec.preferredHolder and not spec.strategy:
        errs.append(forbidden("spec.preferredHolder", "may only be specified if `strategy` is "
                                                      "defined"))
    if spec.strategy and spec.strategy not in _LEASE_STRATEGIES:
        errs.append(not_supported("spec.strategy", spec.strategy, _LEASE_STRATEGIES))
