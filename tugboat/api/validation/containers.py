"""One container's validation (ValidateContainers' per-container part): name, image, ports,
env, volume mounts, probes, lifecycle hooks, resources and the enumerated policies.
"""

from __future__ import annotations

import re

from tugboat.api.container import (
    Container,
    EnvVar,
    HTTPGetAction,
    Lifecycle,
    LifecycleHandler,
    Probe,
    ResourceRequirements,
)
from tugboat.api.fieldtypes import IntOrString, quantity_value
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    forbidden,
    invalid,
    nonnegative,
    not_found,
    not_supported,
    required,
)
from tugboat.api.validation.names import (
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_env_var_name,
    is_qualified_name,
    is_valid_port_name,
    is_valid_port_num,
)
from tugboat.api.validation.security import validate_security_context
from tugboat.api.validation.volumes import validate_local_descending_path

PROTOCOLS = ("SCTP", "TCP", "UDP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
HTTP_SCHEMES = ("HTTP", "HTTPS")
_ENV_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                    "status.podIP", "status.podIPs")
_ENV_SUBSCRIPTED = re.compile(r"metadata\.(labels|annotations)\['[^']+'\]")
_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
_STANDARD_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})

QUANTITY_MSG = ("quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


class ContainerContext:
    """What a container's checks need from its pod: volume names, whether the pod is on
    the host network, and its terminationGracePeriodSeconds (a sleep hook must fit in it)."""

    __slots__ = ("volumes", "host_network", "grace_period")

    def __init__(self, volumes: set[str], host_network: bool,
                 grace_period: int | None = None) -> None:
        self.volumes = volumes
        self.host_network = host_network
        self.grace_period = grace_period


def validate_port_num_or_name(port: IntOrString, path: str, errs: Errors) -> None:
    msgs = is_valid_port_num(port) if isinstance(port, int) else is_valid_port_name(port)
    for msg in msgs:
        errs.append(invalid(path, port, msg))


def _validate_ports(c: Container, path: str, ctx: ContainerContext, errs: Errors) -> None:
    names: set[str] = set()
    for i, port in enumerate(c.ports or ()):
        p = f"{path}.ports[{i}]"
        if port.name:
            msgs = is_valid_port_name(port.name)
            for msg in msgs:
                errs.append(invalid(f"{p}.name", port.name, msg))
            if not msgs and port.name in names:
                errs.append(duplicate(f"{p}.name", port.name))
            names.add(port.name)
        if port.containerPort == 0:
            errs.append(required(f"{p}.containerPort"))
        else:
            for msg in is_valid_port_num(port.containerPort):
                errs.append(invalid(f"{p}.containerPort", port.containerPort, msg))
        if port.hostPort:
            for msg in is_valid_port_num(port.hostPort):
                errs.append(invalid(f"{p}.hostPort", port.hostPort, msg))
            if ctx.host_network and port.hostPort != port.containerPort:
                errs.append(invalid(f"{p}.hostPort", port.hostPort,
                                    "must match `containerPort` when `hostNetwork` is true"))
        if not port.protocol:
            errs.append(required(f"{p}.protocol"))
        elif port.protocol not in PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", port.protocol, PROTOCOLS))


def _validate_env_var(ev: EnvVar, p: str, errs: Errors) -> None:
    if not ev.name:
        errs.append(required(f"{p}.name"))
    else:
        for msg in is_env_var_name(ev.name):
            errs.append(invalid(f"{p}.name", ev.name, msg))
    src = ev.valueFrom
    if src is None:
        return
    vp = f"{p}.valueFrom"
    refs = [r for r in (src.fieldRef, src.resourceFieldRef, src.configMapKeyRef,
                        src.secretKeyRef) if r is not None]
    if not refs:
        errs.append(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                    "`configMapKeyRef` or `secretKeyRef`"))
    elif ev.value:
        errs.append(invalid(vp, "", "may not be specified when `value` is not empty"))
    elif len(refs) > 1:
        errs.append(invalid(vp, "", "may not have more than one field specified at a time"))
    if src.fieldRef is not None:
        fp, ref = f"{vp}.fieldRef", src.fieldRef
        if not ref.apiVersion:
            errs.append(required(f"{fp}.apiVersion"))
        elif not ref.fieldPath:
            errs.append(required(f"{fp}.fieldPath"))
        elif ref.fieldPath not in _ENV_FIELD_PATHS and not _ENV_SUBSCRIPTED.fullmatch(
                ref.fieldPath):
            errs.append(not_supported(f"{fp}.fieldPath", ref.fieldPath, _ENV_FIELD_PATHS))
    if src.resourceFieldRef is not None and not src.resourceFieldRef.resource:
        errs.append(required(f"{vp}.resourceFieldRef.resource"))
    for kind, sel in (("configMapKeyRef", src.configMapKeyRef),
                      ("secretKeyRef", src.secretKeyRef)):
        if sel is None:
            continue
        for msg in is_dns1123_subdomain(sel.name or ""):
            errs.append(invalid(f"{vp}.{kind}.name", sel.name or "", msg))
        if not sel.key:
            errs.append(required(f"{vp}.{kind}.key"))
        else:
            for msg in is_config_map_key(sel.key):
                errs.append(invalid(f"{vp}.{kind}.key", sel.key, msg))


def _validate_env(c: Container, path: str, errs: Errors) -> None:
    for i, ev in enumerate(c.env or ()):
        _validate_env_var(ev, f"{path}.env[{i}]", errs)
    for i, ef in enumerate(c.envFrom or ()):
        p = f"{path}.envFrom[{i}]"
        if ef.prefix:
            for msg in is_env_var_name(ef.prefix):
                errs.append(invalid(f"{p}.prefix", ef.prefix, msg))
        refs = [(k, r) for k, r in (("configMapRef", ef.configMapRef),
                                    ("secretRef", ef.secretRef)) if r is not None]
        if not refs:
            errs.append(invalid(f"{path}.envFrom", "",
                                "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            errs.append(invalid(f"{path}.envFrom", "",
                                "may not have more than one field specified at a time"))
        for kind, ref in refs:
            if not ref.name:
                errs.append(required(f"{p}.{kind}.name"))


def _validate_volume_mounts(c: Container, path: str, ctx: ContainerContext,
                            errs: Errors) -> None:
    mount_paths: set[str] = set()
    for i, m in enumerate(c.volumeMounts or ()):
        p = f"{path}.volumeMounts[{i}]"
        if not m.name:
            errs.append(required(f"{p}.name"))
        if m.name not in ctx.volumes:
            errs.append(not_found(f"{p}.name", m.name))
        if not m.mountPath:
            errs.append(required(f"{p}.mountPath"))
        if m.mountPath in mount_paths:
            errs.append(invalid(f"{p}.mountPath", m.mountPath, "must be unique"))
        mount_paths.add(m.mountPath)
        if m.subPath:
            if m.subPath.startswith("/"):
                errs.append(invalid(f"{p}.subPath", m.subPath, "must be a relative path"))
            if ".." in m.subPath.split("/"):
                errs.append(invalid(f"{p}.subPath", m.subPath, "must not contain '..'"))
        if m.subPathExpr:
            if m.subPath:
                errs.append(invalid(f"{p}.subPathExpr", m.subPathExpr,
                                    "subPathExpr and subPath are mutually exclusive"))
            validate_local_descending_path(m.subPathExpr, f"{p}.subPathExpr", errs)


def _validate_http_get(action: HTTPGetAction, p: str, errs: Errors) -> None:
    if not action.path:
        errs.append(required(f"{p}.path"))
    validate_port_num_or_name(action.port, f"{p}.port", errs)
    if action.scheme not in HTTP_SCHEMES:
        errs.append(not_supported(f"{p}.scheme", action.scheme or "", HTTP_SCHEMES))


def _validate_handler(h: Probe | LifecycleHandler, path: str, errs: Errors,
                      grace: int | None = None) -> None:
    """Exactly one handler, each well formed (validateHandler)."""
    count = 0
    for kind in _PROBE_HANDLERS if isinstance(h, Probe) else _LIFECYCLE_HANDLERS:
        action = getattr(h, kind)
        if action is None:
            continue
        p = f"{path}.{kind}"
        if count:
            errs.append(forbidden(p, "may not specify more than 1 handler type"))
            continue
        count += 1
        if kind == "exec" and not action.command:
            errs.append(required(f"{p}.command"))
        elif kind == "httpGet":
            _validate_http_get(action, p, errs)
        elif kind == "tcpSocket":
            validate_port_num_or_name(action.port, f"{p}.port", errs)
        elif kind == "grpc":
            for msg in is_valid_port_num(action.port):
                errs.append(invalid(f"{p}.port", action.port, msg))
        elif kind == "sleep":
            _validate_sleep(action.seconds, grace, p, errs)
    if not count:
        errs.append(required(path, "must specify a handler type"))


def _validate_sleep(seconds: int, grace: int | None, path: str, errs: Errors) -> None:
    """validateSleepAction (1.32, zero sleeps still behind an alpha gate): more than 0 and
    no longer than the grace period. Without a grace period (itself invalid) nothing more
    is said."""
    if grace is not None and (seconds <= 0 or seconds > grace):
        errs.append(invalid(path, seconds, (
            f"must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). "
            "Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.")))


def _validate_probe(probe: Probe, path: str, single_success: bool, errs: Errors) -> None:
    _validate_handler(probe, path, errs)
    nonnegative(probe.initialDelaySeconds, f"{path}.initialDelaySeconds", errs)
    for name in ("timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        value = getattr(probe, name)
        if value is not None and value < 0:
            errs.append(invalid(f"{path}.{name}", value, "must be greater than or equal to 0"))
        elif value == 0:  # only reachable undefaulted: Kubernetes defaults 0 away
            errs.append(invalid(f"{path}.{name}", value, "must be greater than 0"))
    if probe.terminationGracePeriodSeconds is not None and probe.terminationGracePeriodSeconds <= 0:
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds",
                            probe.terminationGracePeriodSeconds, "must be greater than 0"))
    if single_success and probe.successThreshold not in (None, 1):
        errs.append(invalid(f"{path}.successThreshold", probe.successThreshold, "must be 1"))


def _validate_lifecycle(lc: Lifecycle, path: str, errs: Errors, grace: int | None) -> None:
    for kind in ("postStart", "preStop"):
        handler = getattr(lc, kind)
        if handler is not None:
            _validate_handler(handler, f"{path}.{kind}", errs, grace)


def _validate_resources(res: ResourceRequirements, path: str, errs: Errors) -> None:
    for kind, values in (("limits", res.limits), ("requests", res.requests)):
        for name, q in (values or {}).items():
            p = f"{path}.{kind}[{name}]"
            if name not in _STANDARD_RESOURCES and not name.startswith("hugepages-"):
                if "/" not in name:
                    errs.append(invalid(p, name, "must be a standard resource for containers"))
                else:
                    for msg in is_qualified_name(name):
                        errs.append(invalid(p, name, msg))
            value = quantity_value(q)
            if value is None:
                errs.append(invalid(p, q, QUANTITY_MSG))
            elif value < 0:
                errs.append(invalid(p, q, "must be greater than or equal to 0"))
    if res.limits and res.requests:
        for name, q in res.requests.items():
            limit = res.limits.get(name)
            if limit is None or limit == q:
                continue
            req_value, limit_value = quantity_value(q), quantity_value(limit)
            if req_value is not None and limit_value is not None and req_value > limit_value:
                errs.append(invalid(f"{path}.requests", q, "must be less than or equal to "
                                                           f"{name} limit of {limit}"))


def validate_container(c: Container, path: str, init: bool, ctx: ContainerContext,
                       errs: Errors) -> None:
    if not c.name:
        errs.append(required(f"{path}.name"))
    else:
        for msg in is_dns1123_label(c.name):
            errs.append(invalid(f"{path}.name", c.name, msg))
    if not c.image:
        errs.append(required(f"{path}.image"))
    elif c.image != c.image.strip():
        errs.append(invalid(f"{path}.image", c.image,
                            "must not have leading or trailing whitespace"))
    if c.ports:
        _validate_ports(c, path, ctx, errs)
    if c.env or c.envFrom:
        _validate_env(c, path, errs)
    if c.volumeMounts:
        _validate_volume_mounts(c, path, ctx, errs)
    _validate_container_hooks(c, path, init, errs, ctx.grace_period)
    if c.resources is not None:
        _validate_resources(c.resources, f"{path}.resources", errs)
    if c.securityContext is not None:
        validate_security_context(c.securityContext, f"{path}.securityContext", errs)
    if not c.terminationMessagePolicy:
        errs.append(required(f"{path}.terminationMessagePolicy"))
    elif c.terminationMessagePolicy not in TERMINATION_MESSAGE_POLICIES:
        errs.append(not_supported(f"{path}.terminationMessagePolicy",
                                  c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES))
    if not c.imagePullPolicy:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif c.imagePullPolicy not in PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", c.imagePullPolicy, PULL_POLICIES))


def _validate_container_hooks(c: Container, path: str, init: bool, errs: Errors,
                              grace: int | None) -> None:
    """Probes and lifecycle: init containers may have them only as sidecars
    (restartPolicy Always); liveness and startup probes need successThreshold 1."""
    if c.restartPolicy is not None:
        if not init:
            errs.append(forbidden(f"{path}.restartPolicy",
                                  "may not be set for non-init containers"))
        elif c.restartPolicy != "Always":
            errs.append(not_supported(f"{path}.restartPolicy", c.restartPolicy, ("Always",)))
    if init and c.restartPolicy != "Always":
        for kind in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if getattr(c, kind) is not None:
                errs.append(forbidden(f"{path}.{kind}", "may not be set for init containers "
                                                        "without restartPolicy=Always"))
        return
    if c.livenessProbe is not None:
        _validate_probe(c.livenessProbe, f"{path}.livenessProbe", True, errs)
    if c.readinessProbe is not None:
        _validate_probe(c.readinessProbe, f"{path}.readinessProbe", False, errs)
    if c.startupProbe is not None:
        _validate_probe(c.startupProbe, f"{path}.startupProbe", True, errs)
    if c.lifecycle is not None:
        _validate_lifecycle(c.lifecycle, f"{path}.lifecycle", errs, grace)
