"""ResourceQuota and LimitRange validation, after Kubernetes' ValidateResourceQuota and
ValidateLimitRange: quantities that parse and are not negative, known scopes (and scopes
that can go together), known limit types, and bounds that are consistent
(min <= defaultRequest <= default <= max, a limit/request ratio of at least 1)."""

from __future__ import annotations

from fractions import Fraction

from tugboat.api.fieldtypes import quantity_value
from tugboat.api.quota import (
    LIMIT_TYPE_CONTAINER,
    LIMIT_TYPE_POD,
    LIMIT_TYPE_PVC,
    QUOTA_SCOPES,
    SCOPE_BEST_EFFORT,
    SCOPE_NOT_BEST_EFFORT,
    SCOPE_NOT_TERMINATING,
    SCOPE_TERMINATING,
    LimitRange,
    LimitRangeItem,
    ResourceQuota,
)
from tugboat.api.validation.containers import QUANTITY_MSG
from tugboat.api.validation.fielderrors import (
    Errors,
    invalid,
    not_supported,
    required,
)

LIMIT_TYPES = (LIMIT_TYPE_POD, LIMIT_TYPE_CONTAINER, LIMIT_TYPE_PVC)
SCOPE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_CONFLICTING = ({SCOPE_TERMINATING, SCOPE_NOT_TERMINATING},
                {SCOPE_BEST_EFFORT, SCOPE_NOT_BEST_EFFORT})


def _quantities(values: dict[str, str] | None, path: str, errs: Errors) -> dict[str, Fraction]:
    """The parsed, non-negative quantities of a ResourceList; the others are errors."""
    out: dict[str, Fraction] = {}
    for key, q in (values or {}).items():
        value = quantity_value(q)
        if value is None:
            errs.append(invalid(f"{path}[{key}]", q, QUANTITY_MSG))
        elif value < 0:
            errs.append(invalid(f"{path}[{key}]", q, "must be greater than or equal to 0"))
        else:
            out[key] = value
    return out


def validate_resource_quota(quota: ResourceQuota, old: ResourceQuota | None,
                            errs: Errors) -> None:
    spec = quota.spec
    if spec is None:
        return
    _quantities(spec.hard, "spec.hard", errs)
    if quota.status is not None:
        _quantities(quota.status.hard, "status.hard", errs)
        _quantities(quota.status.used, "status.used", errs)
    scopes = list(spec.scopes or [])
    for i, scope in enumerate(scopes):
        if scope not in QUOTA_SCOPES:
            errs.append(not_supported(f"spec.scopes[{i}]", scope, QUOTA_SCOPES))
    for j, req in enumerate((spec.scopeSelector.matchExpressions or [])
                            if spec.scopeSelector else []):
        path = f"spec.scopeSelector.matchExpressions[{j}]"
        if req.scopeName not in QUOTA_SCOPES:
            errs.append(not_supported(f"{path}.scopeName", req.scopeName, QUOTA_SCOPES))
        if req.operator not in SCOPE_OPERATORS:
            errs.append(not_supported(f"{path}.operator", req.operator, SCOPE_OPERATORS))
        elif req.operator in ("In", "NotIn") and not req.values:
            errs.append(required(f"{path}.values",
                                 "must be at least one value when `operator` is 'In' or "
                                 "'NotIn' for scope selector"))
        scopes.append(req.scopeName)
    for pair in _CONFLICTING:
        if pair <= set(scopes):
            errs.append(invalid("spec.scopes", spec.scopes or [], "conflicting scopes"))


def validate_limit_range(lr: LimitRange, old: LimitRange | None, errs: Errors) -> None:
    for i, item in enumerate(lr.spec.limits if lr.spec else []):
        _limit_range_item(item, f"spec.limits[{i}]", errs)


def _limit_range_item(item: LimitRangeItem, path: str, errs: Errors) -> None:
    if item.type not in LIMIT_TYPES:
        errs.append(not_supported(f"{path}.type", item.type, LIMIT_TYPES))
    mins = _quantities(item.min, f"{path}.min", errs)
    maxs = _quantities(item.max, f"{path}.max", errs)
    defaults = _quantities(item.default, f"{path}.default", errs)
    requests = _quantities(item.defaultRequest, f"{path}.defaultRequest", errs)
    ratios = _quantities(item.maxLimitRequestRatio, f"{path}.maxLimitRequestRatio", errs)
    if item.type == LIMIT_TYPE_POD:
        if item.default:
            errs.append(invalid(f"{path}.default", item.default,
                                "may not be specified when `type` is 'Pod'"))
        if item.defaultRequest:
            errs.append(invalid(f"{path}.defaultRequest", item.defaultRequest,
                                "may not be specified when `type` is 'Pod'"))
    if item.type == LIMIT_TYPE_PVC and not (item.min or {}).get("storage") \
            and not (item.max or {}).get("storage") and (item.min or item.max):
        errs.append(required(f"{path}.limits", "either minimum or maximum storage value is "
                                               "required, but neither was provided"))
    for key in sorted(set(mins) | set(maxs) | set(defaults) | set(requests) | set(ratios)):
        _bounds(key, path, item, mins, maxs, defaults, requests, ratios, errs)


def _bounds(key: str, path: str, item: LimitRangeItem, mins: dict[str, Fraction],
            maxs: dict[str, Fraction], defaults: dict[str, Fraction],
            requests: dict[str, Fraction], ratios: dict[str, Fraction], errs: Errors) -> None:
    lo, hi = mins.get(key), maxs.get(key)
    d, dr, ratio = defaults.get(key), requests.get(key), ratios.get(key)
    text = {"min": (item.min or {}).get(key), "max": (item.max or {}).get(key),
            "default": (item.default or {}).get(key),
            "defaultRequest": (item.defaultRequest or {}).get(key)}
    if lo is not None and hi is not None and lo > hi:
        errs.append(invalid(f"{path}.min[{key}]", text["min"],
                            f"min value {text['min']} is greater than max value {text['max']}"))
    if dr is not None and hi is not None and dr > hi:
        errs.append(invalid(f"{path}.defaultRequest[{key}]", text["defaultRequest"],
                            f"default request value {text['defaultRequest']} is greater than "
                            f"max value {text['max']}"))
    if dr is not None and lo is not None and dr < lo:
        errs.append(invalid(f"{path}.defaultRequest[{key}]", text["defaultRequest"],
                            f"min value {text['min']} is greater than default request value "
                            f"{text['defaultRequest']}"))
    if dr is not None and d is not None and dr > d:
        errs.append(invalid(f"{path}.defaultRequest[{key}]", text["defaultRequest"],
                            f"default request value {text['defaultRequest']} is greater than "
                            f"default limit value {text['default']}"))
    if d is not None and hi is not None and d > hi:
        errs.append(invalid(f"{path}.default[{key}]", text["default"],
                            f"default value {text['default']} is greater than max value "
                            f"{text['max']}"))
    if d is not None and lo is not None and d < lo:
        errs.append(invalid(f"{path}.default[{key}]", text["default"],
                            f"min value {text['min']} is greater than default value "
                            f"{text['default']}"))
    if ratio is not None and ratio < 1:
        q = (item.maxLimitRequestRatio or {}).get(key)
        errs.append(invalid(f"{path}.maxLimitRequestRatio[{key}]", q,
                            f"ratio {q} is less than 1"))
