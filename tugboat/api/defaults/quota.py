"""LimitRange defaulting (Kubernetes' SetDefaults_LimitRangeItem): for a Container item, a
default limit that is left out is the max, and a default request that is left out is the
default limit, else the min — so the LimitRanger admission plugin reads complete
defaults, and `kubectl describe limits` shows what will be applied."""

from __future__ import annotations

from tugboat.api.quota import LIMIT_TYPE_CONTAINER, LimitRange


def default_limit_range(lr: LimitRange) -> None:
    for item in lr.spec.limits if lr.spec else []:
        if item.type != LIMIT_TYPE_CONTAINER:
            continue
        default = dict(item.default or {})
        for key, value in (item.max or {}).items():
            default.setdefault(key, value)
        request = dict(item.defaultRequest or {})
        for key, value in default.items():
            request.setdefault(key, value)
        for key, value in (item.min or {}).items():
            request.setdefault(key, value)
        item.default = default or None
        item.defaultRequest = request or None
