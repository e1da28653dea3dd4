"""PodSpec validation (ValidatePodSpec), shared by pods and every pod template: containers
and their names, volumes, policies, scheduling fields (node selector, tolerations, node
affinity) and host ports. The field path prefix is passed in ("spec" for a pod,
"spec.template.spec" for a template).
"""

from __future__ import annotations

from tugboat.api.pod import (
    OTHER_VOLUME_SOURCES,
    NodeAffinity,
    NodeSelectorTerm,
    PodSpec,
    Toleration,
    Volume,
)
from tugboat.api.validation.containers import ContainerContext, validate_container
from tugboat.api.validation.dnsconfig import validate_pod_dns_config
from tugboat.api.validation.ephemeralcontainers import validate_ephemeral_containers
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from tugboat.api.validation.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
)
from tugboat.api.validation.objectmeta import validate_labels
from tugboat.api.validation.security import validate_pod_security_context
from tugboat.api.validation.volumes import validate_written_volume

RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                   "FileOrCreate", "Socket")
_MAX_INT32 = 2147483647
_VOLUME_SOURCES = ("emptyDir", "hostPath", "configMap", "secret", *OTHER_VOLUME_SOURCES)


def _validate_volume_source(v: Volume, path: str, errs: Errors) -> int:
    before = len(errs)
    kinds = [k for k in _VOLUME_SOURCES if getattr(v, k) is not None]
    if not kinds:
        errs.append(required(path, "must specify a volume type"))
    for extra in kinds[1:]:
        errs.append(forbidden(f"{path}.{extra}", "may not specify more than 1 volume type"))
    if v.hostPath is not None:
        if not v.hostPath.path:
            errs.append(required(f"{path}.hostPath.path"))
        elif ".." in v.hostPath.path.split("/"):
            errs.append(invalid(f"{path}.hostPath.path", v.hostPath.path,
                                "must not contain '..'"))
        if v.hostPath.type is not None and v.hostPath.type not in HOST_PATH_TYPES:
            errs.append(not_supported(f"{path}.hostPath.type", v.hostPath.type, HOST_PATH_TYPES))
    validate_written_volume(v, path, errs)
    return len(errs) - before


def _validate_volumes(spec: PodSpec, path: str, errs: Errors) -> set[str]:
    """Returns the names of the valid volumes, the ones mounts may refer to."""
    names: set[str] = set()
    for i, v in enumerate(spec.volumes or ()):
        p = f"{path}.volumes[{i}]"
        n = _validate_volume_source(v, p, errs)
        if not v.name:
            errs.append(required(f"{p}.name"))
            n += 1
        else:
            for msg in is_dns1123_label(v.name):
                errs.append(invalid(f"{p}.name", v.name, msg))
                n += 1
        if v.name in names:
            errs.append(duplicate(f"{p}.name", v.name))
            n += 1
        if not n:
            names.add(v.name)
    return names


def _validate_containers(spec: PodSpec, path: str, ctx: ContainerContext, errs: Errors) -> None:
    if not spec.containers:
        errs.append(required(f"{path}.containers"))
    seen: set[str] = set()
    host_ports: set[str] = set()
    for field, init in (("containers", False), ("initContainers", True)):
        for i, c in enumerate(getattr(spec, field) or ()):
            p = f"{path}.{field}[{i}]"
            validate_container(c, p, init, ctx, errs)
            if c.name in seen:
                errs.append(duplicate(f"{p}.name", c.name))
            seen.add(c.name)
            for j, port in enumerate(c.ports or ()):
                if not port.hostPort:
                    continue
                key = f"{port.hostIP or ''}/{port.protocol}/{port.hostPort}"
                if key in host_ports:
                    errs.append(duplicate(f"{p}.ports[{j}].hostPort", key))
                host_ports.add(key)


def _validate_tolerations(tolerations: list[Toleration], path: str, errs: Errors) -> None:
    for i, t in enumerate(tolerations):
        p = f"{path}[{i}]"
        if t.key:
            for msg in is_qualified_name(t.key):
                errs.append(invalid(f"{p}.key", t.key, msg))
        elif t.operator != "Exists":
            errs.append(invalid(f"{p}.operator", t.operator or "",
                                "operator must be Exists when `key` is empty, which means "
                                '"match all values and all keys"'))
        if t.tolerationSeconds is not None and t.effect != "NoExecute":
            errs.append(invalid(f"{p}.effect", t.effect or "",
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if t.operator in ("Equal", "", None):
            msgs = is_label_value(t.value or "")
            if msgs:
                errs.append(invalid(f"{p}.operator", t.value, ";".join(msgs)))
        elif t.operator == "Exists":
            if t.value:
                errs.append(invalid(f"{p}.operator", t,
                                    "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{p}.operator", t.operator, ("Equal", "Exists")))
        if t.effect and t.effect not in TAINT_EFFECTS:
            errs.append(not_supported(f"{p}.effect", t.effect, TAINT_EFFECTS))


def _validate_node_selector_term(term: NodeSelectorTerm, path: str, errs: Errors) -> None:
    for j, req in enumerate(term.matchExpressions or ()):
        p = f"{path}.matchExpressions[{j}]"
        op, values = req.operator, req.values or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(required(f"{p}.values",
                                     "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(f"{p}.values", "may not be specified when `operator` is "
                                                     "'Exists' or 'DoesNotExist'"))
        elif op in ("Gt", "Lt"):
            if len(values) != 1:
                errs.append(required(f"{p}.values", "must be specified single value when "
                                                    "`operator` is 'Lt' or 'Gt'"))
        else:
            errs.append(invalid(f"{p}.operator", op, "not a valid selector operator"))
        for msg in is_qualified_name(req.key):
            errs.append(invalid(f"{p}.key", req.key, msg))
    for j, req in enumerate(term.matchFields or ()):
        p = f"{path}.matchFields[{j}]"
        if req.key != "metadata.name":
            errs.append(not_supported(f"{p}.key", req.key, ("metadata.name",)))
        if req.operator in ("In", "NotIn") and len(req.values or ()) != 1:
            errs.append(required(f"{p}.values", "must be only one value when `operator` is 'In' "
                                                "or 'NotIn' for node field selector"))
        elif req.operator not in ("In", "NotIn"):
            errs.append(not_supported(f"{p}.operator", req.operator, ("In", "NotIn")))


def _validate_node_affinity(na: NodeAffinity, path: str, errs: Errors) -> None:
    required_terms = na.requiredDuringSchedulingIgnoredDuringExecution
    if required_terms is not None:
        p = f"{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        if not required_terms.nodeSelectorTerms:
            errs.append(required(p, "must have at least one node selector term"))
        for i, term in enumerate(required_terms.nodeSelectorTerms):
            _validate_node_selector_term(term, f"{p}[{i}]", errs)
    for i, pref in enumerate(na.preferredDuringSchedulingIgnoredDuringExecution or ()):
        p = f"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        if not 1 <= pref.weight <= 100:
            errs.append(invalid(f"{p}.weight", pref.weight, "must be in the range 1-100"))
        _validate_node_selector_term(pref.preference, f"{p}.preference", errs)


def _validate_names(spec: PodSpec, path: str, errs: Errors) -> None:
    for field, check in (("nodeName", is_dns1123_subdomain),
                         ("serviceAccountName", is_dns1123_subdomain),
                         ("schedulerName", is_dns1123_subdomain),
                         ("priorityClassName", is_dns1123_subdomain),
                         ("hostname", is_dns1123_label), ("subdomain", is_dns1123_label)):
        value = getattr(spec, field)
        if value:
            for msg in check(value):
                errs.append(invalid(f"{path}.{field}", value, msg))


def validate_pod_spec(spec: PodSpec, path: str, errs: Errors) -> None:
    volumes = _validate_volumes(spec, path, errs) if spec.volumes else set()
    ctx = ContainerContext(volumes, bool(spec.hostNetwork), spec.terminationGracePeriodSeconds)
    _validate_containers(spec, path, ctx, errs)
    if spec.ephemeralContainers:
        validate_ephemeral_containers(spec, f"{path}.ephemeralContainers", ctx, errs)
    if not spec.restartPolicy:
        errs.append(required(f"{path}.restartPolicy"))
    elif spec.restartPolicy not in RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", spec.restartPolicy, RESTART_POLICIES))
    if not spec.dnsPolicy:
        errs.append(required(f"{path}.dnsPolicy"))
    elif spec.dnsPolicy not in DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", spec.dnsPolicy, DNS_POLICIES))
    validate_pod_dns_config(spec.dnsConfig, spec.dnsPolicy, f"{path}.dnsConfig", errs)
    ads = spec.activeDeadlineSeconds
    if ads is not None and not 1 <= ads <= _MAX_INT32:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads,
                            f"must be between 1 and {_MAX_INT32}, inclusive"))
    if spec.nodeSelector:
        validate_labels(spec.nodeSelector, f"{path}.nodeSelector", errs)
    _validate_names(spec, path, errs)
    if spec.securityContext is not None:
        validate_pod_security_context(spec.securityContext, f"{path}.securityContext", errs)
    if spec.tolerations:
        _validate_tolerations(spec.tolerations, f"{path}.tolerations", errs)
    if spec.affinity is not None and spec.affinity.nodeAffinity is not None:
        _validate_node_affinity(spec.affinity.nodeAffinity, f"{path}.affinity.nodeAffinity", errs)
    for i, ref in enumerate(spec.imagePullSecrets or ()):
        if not ref.name:
            errs.append(required(f"{path}.imagePullSecrets[{i}].name"))
