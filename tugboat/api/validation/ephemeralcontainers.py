"""Ephemeral containers (spec.ephemeralContainers): Kubernetes' validateEphemeralContainers,
which every pod spec passes, and ValidatePodEphemeralContainersUpdate, the rule of the
pods/ephemeralcontainers subresource — containers may be added, never changed or removed,
and static pods take none. They are debugging tools, not part of the workload, so what
would make a pod depend on them (ports, probes, lifecycle hooks, resources, a restart
policy, subPath mounts) is forbidden, and their names are unique across every container
of the pod.
"""

from __future__ import annotations

from tugboat.api.pod import EphemeralContainer, Pod, PodSpec
from tugboat.api.validation.containers import ContainerContext, validate_container
from tugboat.api.validation.fielderrors import Errors, duplicate, forbidden, not_found

# The pod annotation that marks a static pod's mirror.
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
NOT_FOR_EPHEMERAL = "cannot be set for an Ephemeral Container"
# Container fields an ephemeral container may not set (Kubernetes keeps an allow-list;
# these are the Container fields outside it).
_DISALLOWED = ("ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
               "restartPolicy")


def validate_ephemeral_containers(spec: PodSpec, path: str, ctx: ContainerContext,
                                  errs: Errors) -> None:
    others = {c.name for c in [*spec.containers, *(spec.initContainers or ())]}
    seen = set(others)
    for i, ec in enumerate(spec.ephemeralContainers or ()):
        p = f"{path}[{i}]"
        # The Container checks, less the ones the fields forbidden below would repeat.
        validate_container(ec.model_copy(update={k: None for k in _DISALLOWED}), p, False,
                           ctx, errs)
        if ec.name in seen:
            errs.append(duplicate(f"{p}.name", ec.name))
        seen.add(ec.name)
        if ec.targetContainerName and ec.targetContainerName not in others:
            errs.append(not_found(f"{p}.targetContainerName", ec.targetContainerName))
        _forbidden_fields(ec, p, errs)


def _forbidden_fields(ec: EphemeralContainer, path: str, errs: Errors) -> None:
    for name in _DISALLOWED:
        if getattr(ec, name):
            errs.append(forbidden(f"{path}.{name}", NOT_FOR_EPHEMERAL))
    res = ec.resources
    if res is not None and (res.limits or res.requests or res.claims):
        errs.append(forbidden(f"{path}.resources", NOT_FOR_EPHEMERAL))
    for j, mount in enumerate(ec.volumeMounts or ()):
        if mount.subPath:
            errs.append(forbidden(f"{path}.volumeMounts[{j}].subPath", NOT_FOR_EPHEMERAL))
        if mount.subPathExpr:
            errs.append(forbidden(f"{path}.volumeMounts[{j}].subPathExpr", NOT_FOR_EPHEMERAL))


def validate_ephemeral_containers_update(new: Pod, old: Pod, errs: Errors) -> None:
    """What a write through pods/ephemeralcontainers may do to the stored pod's list."""
    if MIRROR_POD_ANNOTATION in (old.metadata.annotations or {}):
        errs.append(forbidden("", "static pods do not support ephemeral containers"))
        return
    path = "spec.ephemeralContainers"
    added = {c.name: c for c in new.spec.ephemeralContainers or ()}
    for before in old.spec.ephemeralContainers or ():
        after = added.get(before.name)
        if after is None:
            errs.append(forbidden(path, f'existing ephemeral containers "{before.name}" may '
                                        f"not be removed\n"))
        elif after != before:
            errs.append(forbidden(path, f'existing ephemeral containers "{before.name}" may '
                                        f"not be changed\n"))
