"""Pods, pod templates and bindings: create-time checks on top of the shared pod-spec
validator, and ValidatePodUpdate's rule that a pod's spec is immutable except for images,
activeDeadlineSeconds, added tolerations and the grace-period fix-up.
"""

from __future__ import annotations

from typing import Any

from tugboat.api.pod import Binding, Pod, PodSpec, PodTemplateSpec
from tugboat.api.validation.fielderrors import Errors, forbidden, invalid, required
from tugboat.api.validation.objectmeta import validate_annotations, validate_labels
from tugboat.api.validation.podspec import validate_pod_spec

_MAX_INT32 = 2147483647
POD_UPDATE_MESSAGE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
    "(allow it to be set to 1 if it was previously negative)"
)


def validate_pod_template(template: PodTemplateSpec, path: str, errs: Errors) -> None:
    """ValidatePodTemplateSpec: the template's labels and annotations, then its spec."""
    meta = template.metadata
    validate_labels(meta.labels, f"{path}.metadata.labels", errs)
    validate_annotations(meta.annotations, f"{path}.metadata.annotations", errs)
    validate_pod_spec(template.spec, f"{path}.spec", errs)
    if template.spec.ephemeralContainers:
        errs.append(forbidden(f"{path}.spec.ephemeralContainers",
                              "ephemeral containers not allowed in pod template"))


def validate_pod(pod: Pod, old: Pod | None, errs: Errors) -> None:
    validate_pod_spec(pod.spec, "spec", errs)
    if old is not None:
        _validate_pod_spec_update(pod.spec, old.spec, errs)


def _validate_pod_spec_update(new: PodSpec, old: PodSpec, errs: Errors) -> None:
    if new == old:
        return  # the usual case: a status or metadata write
    if len(new.containers) != len(old.containers):
        errs.append(forbidden("spec.containers", "pod updates may not add or remove containers"))
        return
    if len(new.initContainers or ()) != len(old.initContainers or ()):
        errs.append(forbidden("spec.initContainers",
                              "pod updates may not add or remove containers"))
        return
    if not _active_deadline_ok(new.activeDeadlineSeconds, old.activeDeadlineSeconds, errs):
        return
    if not _only_added_tolerations(new, old, errs):
        return
    new_d, old_d = _munged(new, old), old.model_dump(exclude_none=True)
    if new_d != old_d:
        changed = sorted(k for k in new_d.keys() | old_d.keys() if new_d.get(k) != old_d.get(k))
        detail = "\n".join(f"  spec.{k}: {_short(old_d.get(k))} -> {_short(new_d.get(k))}"
                           for k in changed)
        errs.append(forbidden("spec", f"{POD_UPDATE_MESSAGE}\n{detail}"))


def _active_deadline_ok(new: int | None, old: int | None, errs: Errors) -> bool:
    path = "spec.activeDeadlineSeconds"
    if new is not None:
        if not 0 <= new <= _MAX_INT32:
            errs.append(invalid(path, new, f"must be between 0 and {_MAX_INT32}, inclusive"))
            return False
        if old is not None and old < new:
            errs.append(invalid(path, new, "must be less than or equal to previous value"))
            return False
    elif old is not None:
        errs.append(invalid(path, None, "must not update from a positive integer to nil value"))
        return False
    return True


def _only_added_tolerations(new: PodSpec, old: PodSpec, errs: Errors) -> bool:
    """Every old toleration must still be there, except that its tolerationSeconds may
    change."""
    new_tolerations = [t.model_dump(exclude={"tolerationSeconds"}) for t in new.tolerations or ()]
    for t in old.tolerations or ():
        if t.model_dump(exclude={"tolerationSeconds"}) not in new_tolerations:
            errs.append(forbidden("spec.tolerations", "existing toleration can not be modified "
                                                      "except its tolerationSeconds"))
            return False
    return True


# Each side of the change is shown cut to this: a 1 MiB env value must not come back in
# every refusal (Kubernetes shows a diff, whose size the change bounds as well).
_SHOWN_CHARS = 256


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _munged(new: PodSpec, old: PodSpec) -> dict[str, Any]:
    """The new spec with every field an update may change set back to its old value."""
    d = new.model_dump(exclude_none=True)
    for field in ("containers", "initContainers"):
        for c, old_c in zip(d.get(field) or (), getattr(old, field) or (), strict=False):
            if old_c.image is None:
                c.pop("image", None)
            else:
                c["image"] = old_c.image
    for field in ("activeDeadlineSeconds", "tolerations"):
        old_value = getattr(old, field)
        if old_value is None:
            d.pop(field, None)
        else:
            d[field] = old.model_dump(include={field}, exclude_none=True)[field]
    old_grace = old.terminationGracePeriodSeconds
    if old_grace is not None and old_grace < 0 and new.terminationGracePeriodSeconds == 1:
        d["terminationGracePeriodSeconds"] = old_grace
    return d


def validate_binding(binding: Binding, errs: Errors) -> None:
    target = binding.target
    if target.kind and target.kind != "Node":
        errs.append(invalid("target.kind", target.kind, "must be empty or 'Node'"))
    if not target.name:
        errs.append(required("target.name"))
