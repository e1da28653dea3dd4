"""PodDisruptionBudget and PriorityClass validation (Kubernetes' pkg/apis/policy and
pkg/apis/scheduling validation): a budget names minAvailable or maxUnavailable (never both),
each a non-negative count or a percent up to 100%; a class's value stays below the system
range unless it is one of the system classes, and neither its value nor its preemption
policy changes after creation."""

from __future__ import annotations

from tugboat.api.fieldtypes import IntOrString
from tugboat.api.policy import UNHEALTHY_POD_EVICTION_POLICIES, PodDisruptionBudget
from tugboat.api.scheduling import (
    HIGHEST_USER_DEFINABLE_PRIORITY,
    PREEMPTION_POLICIES,
    SYSTEM_PRIORITY_CLASS_PREFIX,
    SYSTEM_PRIORITY_CLASSES,
    PriorityClass,
)
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    immutable,
    invalid,
    nonnegative,
    not_supported,
)
from tugboat.api.validation.names import is_percent, name_is_dns_subdomain
from tugboat.api.validation.objectmeta import validate_label_selector


def _positive_int_or_percent(value: IntOrString, path: str, errs: Errors) -> None:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent."""
    if isinstance(value, int):
        nonnegative(value, path, errs)
        return
    bad = is_percent(value)
    for msg in bad:
        errs.append(invalid(path, value, msg))
    if not bad and int(value[:-1]) > 100:
        errs.append(invalid(path, value, "must not be greater than 100%"))


def validate_pod_disruption_budget(pdb: PodDisruptionBudget, old: PodDisruptionBudget | None,
                                   errs: Errors) -> None:
    spec = pdb.spec
    if spec.minAvailable is not None and spec.maxUnavailable is not None:
        errs.append(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
    if spec.minAvailable is not None:
        _positive_int_or_percent(spec.minAvailable, "spec.minAvailable", errs)
    if spec.maxUnavailable is not None:
        _positive_int_or_percent(spec.maxUnavailable, "spec.maxUnavailable", errs)
    validate_label_selector(spec.selector, "spec.selector", errs)
    policy = spec.unhealthyPodEvictionPolicy
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        errs.append(not_supported("spec.unhealthyPodEvictionPolicy", policy,
                                  UNHEALTHY_POD_EVICTION_POLICIES))
    status = pdb.status
    for field in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        nonnegative(getattr(status, field), f"status.{field}", errs)


def _system_class_error(pc: PriorityClass) -> str | None:
    """IsKnownSystemPriorityClass's refusal, or None for a genuine system class."""
    known = SYSTEM_PRIORITY_CLASSES.get(pc.metadata.name or "")
    if known is None:
        return f"{pc.metadata.name} is not a known system priority class"
    if pc.value != known[0]:
        return f"value of {pc.metadata.name} PriorityClass must be {known[0]}"
    if pc.globalDefault:
        return f"globalDefault of {pc.metadata.name} PriorityClass must be false"
    return None


def validate_priority_class(pc: PriorityClass, old: PriorityClass | None, errs: Errors) -> None:
    if (pc.metadata.name or "").startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        why = _system_class_error(pc)
        if why:
            errs.append(forbidden("metadata.name", f"priority class names with "
                                  f"'{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for "
                                  f"system use only. error: {why}"))
    elif pc.value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errs.append(forbidden("value", f"maximum allowed value of a user defined priority is "
                                       f"{HIGHEST_USER_DEFINABLE_PRIORITY}"))
    if pc.preemptionPolicy is not None and pc.preemptionPolicy not in PREEMPTION_POLICIES:
        errs.append(not_supported("preemptionPolicy", pc.preemptionPolicy, PREEMPTION_POLICIES))
    if old is None:
        return
    if pc.value != old.value:
        errs.append(forbidden("value", "may not be changed in an update."))
    if pc.preemptionPolicy != old.preemptionPolicy:
        errs.append(immutable("preemptionPolicy", pc.preemptionPolicy))


# kind -> (how its name is checked, namespaced, its own validator)
POLICY_KINDS = {
    PodDisruptionBudget: (name_is_dns_subdomain, True, validate_pod_disruption_budget),
    PriorityClass: (name_is_dns_subdomain, False, validate_priority_class),
}
