"""ObjectMeta, labels, annotations, label selectors and metav1.Conditions, as apimachinery
validates them for every kind (ValidateObjectMeta, ValidateObjectMetaUpdate,
ValidateLabels, ValidateLabelSelector, ValidateConditions)."""

from __future__ import annotations

import re

from tugboat.api.meta import Condition, LabelSelector, ObjectMeta
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    immutable,
    invalid,
    nonnegative,
    not_supported,
    required,
    too_long,
)
from tugboat.api.validation.names import (
    NameFn,
    is_dns1123_label,
    is_label_value,
    is_qualified_name,
)

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


def validate_labels(labels: dict[str, str] | None, path: str, errs: Errors) -> None:
    if not labels:
        return
    for k, v in labels.items():
        for msg in is_qualified_name(k):
            errs.append(invalid(path, k, msg))
        for msg in is_label_value(v):
            errs.append(invalid(path, v, msg))


def validate_annotations(annotations: dict[str, str] | None, path: str, errs: Errors) -> None:
    if not annotations:
        return
    size = 0
    for k, v in annotations.items():
        for msg in is_qualified_name(k.lower()):
            errs.append(invalid(path, k, msg))
        size += len(k) + len(v)
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))


def _validate_owner_references(meta: ObjectMeta, path: str, errs: Errors) -> None:
    controller = ""
    for ref in meta.ownerReferences or ():
        version = ref.apiVersion.rpartition("/")[2]
        if not version:
            errs.append(invalid(f"{path}.apiVersion", ref.apiVersion, "version must not be empty"))
        for name in ("kind", "name", "uid"):
            if not getattr(ref, name):
                errs.append(invalid(f"{path}.{name}", "", "must not be empty"))
        if ref.controller:
            current = f"{ref.kind}/{ref.name}"
            if controller:
                errs.append(invalid(path, [f"{controller}", current],
                                    "Only one reference can have Controller set to true. "
                                    f'Found "true" in references for {controller} and {current}'))
            else:
                controller = current


def _validate_finalizers(finalizers: list[str] | None, path: str, errs: Errors) -> None:
    if not finalizers:
        return
    for f in finalizers:
        msgs = is_qualified_name(f)
        for msg in msgs:
            errs.append(invalid(path, f, msg))
        if not msgs and "/" not in f and f not in _STANDARD_FINALIZERS:
            errs.append(invalid(path, f, "name is neither a standard finalizer name nor is it "
                                         "fully qualified"))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.append(invalid(path, finalizers,
                            "finalizer orphan and foregroundDeletion cannot be both set"))


def validate_object_meta(meta: ObjectMeta, namespaced: bool, name_fn: NameFn, errs: Errors,
                         path: str = "metadata") -> None:
    """Name (or generateName) and namespace present and well formed, labels, annotations,
    owner references and finalizers. Cluster-scoped objects' namespace is not checked: the
    apiserver clears it, as Kubernetes' BeforeCreate does."""
    if meta.generateName:
        for msg in name_fn(meta.generateName, True):
            errs.append(invalid(f"{path}.generateName", meta.generateName, msg))
    if not meta.name:
        errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        for msg in name_fn(meta.name, False):
            errs.append(invalid(f"{path}.name", meta.name, msg))
    if namespaced:
        if not meta.namespace:
            errs.append(required(f"{path}.namespace"))
        else:
            for msg in is_dns1123_label(meta.namespace):
                errs.append(invalid(f"{path}.namespace", meta.namespace, msg))
    nonnegative(meta.generation, f"{path}.generation", errs)
    validate_labels(meta.labels, f"{path}.labels", errs)
    validate_annotations(meta.annotations, f"{path}.annotations", errs)
    if meta.ownerReferences:
        _validate_owner_references(meta, f"{path}.ownerReferences", errs)
    _validate_finalizers(meta.finalizers, f"{path}.finalizers", errs)


def validate_object_meta_update(new: ObjectMeta, old: ObjectMeta, errs: Errors,
                                path: str = "metadata") -> None:
    """Name, namespace, uid and creationTimestamp never change (an omitted uid or timestamp
    is the apiserver's to copy from the stored object); a deleting object gains no
    finalizers."""
    if new.name != old.name:
        errs.append(immutable(f"{path}.name", new.name or ""))
    if (new.namespace or "") != (old.namespace or ""):
        errs.append(immutable(f"{path}.namespace", new.namespace or ""))
    if new.uid and old.uid and new.uid != old.uid:
        errs.append(immutable(f"{path}.uid", new.uid))
    if new.creationTimestamp and old.creationTimestamp and (
            new.creationTimestamp != old.creationTimestamp):
        errs.append(immutable(f"{path}.creationTimestamp", new.creationTimestamp))
    if old.deletionTimestamp and new.finalizers:
        added = [f for f in new.finalizers if f not in (old.finalizers or ())]
        if added:
            errs.append(forbidden(f"{path}.finalizers", "no new finalizers can be added if the "
                                  f"object is being deleted, found new finalizers {added!r}"))


def validate_label_selector(sel: LabelSelector | None, path: str, errs: Errors) -> None:
    if sel is None:
        return
    for i, expr in enumerate(sel.matchExpressions or ()):
        p = f"{path}.matchExpressions[{i}]"
        if expr.operator in ("In", "NotIn"):
            if not expr.values:
                errs.append(required(f"{p}.values",
                                     "must be specified when `operator` is 'In' or 'NotIn'"))
        elif expr.operator in ("Exists", "DoesNotExist"):
            if expr.values:
                errs.append(forbidden(f"{p}.values", "may not be specified when `operator` is "
                                                     "'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{p}.operator", expr.operator, "not a valid selector operator"))
        for msg in is_qualified_name(expr.key):
            errs.append(invalid(f"{p}.key", expr.key, msg))
        for j, value in enumerate(expr.values or ()):
            for msg in is_label_value(value):
                errs.append(invalid(f"{p}.values[{j}]", value, msg))
    validate_labels(sel.matchLabels, f"{path}.matchLabels", errs)


def selector_matches(sel: LabelSelector, labels: dict[str, str] | None) -> bool:
    """Whether a (valid) LabelSelector selects these labels. Kept local so validation does
    not depend on the full selector module."""
    labels = labels or {}
    for k, v in (sel.matchLabels or {}).items():
        if labels.get(k) != v:
            return False
    for expr in sel.matchExpressions or ():
        op, present = expr.operator, expr.key in labels
        if op == "In" and not (present and labels[expr.key] in (expr.values or ())):
            return False
        if op == "NotIn" and present and labels[expr.key] in (expr.values or ()):
            return False
        if (op == "Exists") != present and op in ("Exists", "DoesNotExist"):
            return False
    return True


_CONDITION_REASON = re.compile(r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
_CONDITION_STATUSES = ("False", "True", "Unknown")


def validate_conditions(conditions: list[Condition] | None, path: str, errs: Errors) -> None:
    """metav1validation.ValidateConditions: a qualified type, a known status, a reason a
    machine can match on, a bounded message."""
    for i, c in enumerate(conditions or ()):
        p = f"{path}[{i}]"
        for msg in is_qualified_name(c.type):
            errs.append(invalid(f"{p}.type", c.type, msg))
        if c.status not in _CONDITION_STATUSES:
            errs.append(not_supported(f"{p}.status", c.status, _CONDITION_STATUSES))
        nonnegative(c.observedGeneration, f"{p}.observedGeneration", errs)
        if not c.reason:
            errs.append(required(f"{p}.reason"))
        elif len(c.reason) > 1024:
            errs.append(too_long(f"{p}.reason", 1024))
        elif not _CONDITION_REASON.match(c.reason):
            errs.append(invalid(f"{p}.reason", c.reason, "a condition reason must start with "
                                "alphabetic character, optionally followed by a string of "
                                "alphanumeric characters or '_,:', and must end with an "
                                "alphanumeric character or '_' (regex used for validation is "
                                "'[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')"))
        if len(c.message) > 32768:
            errs.append(too_long(f"{p}.message", 32768))
