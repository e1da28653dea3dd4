"""The ResourceQuota validating admission plugin, as Kubernetes': a create in a namespace
with quotas is refused (403) when it would take any quota's usage past its hard limit
("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"), or when a quota
tracks cpu/memory and a container does not state it ("failed quota: q: must specify
limits.cpu for: c").

Usage is computed live from the watch cache (the same evaluators the resourcequota
controller uses for status.used), so the check never trusts a status that lags. Admission
is synchronous and the apiserver runs one event loop, so a check and the charge of its
object happen in one step: an allowed create is recorded as in flight until the cache
holds it (or a change of its key shows up, or it expires because the write failed), and
every later check counts it. Two concurrent creates therefore cannot both take the last
slot — what Kubernetes gets from updating status.used under a resourceVersion check. (One
apiserver process; several apiservers would need that status write.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tugboat.api import quotausage
from tugboat.api.quantity import Quantity
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation

Obj = dict[str, Any]

_QUOTAS = lookup("", "v1", "resourcequotas")
IN_FLIGHT_SECONDS = 30.0  # a write that has not landed by then failed
# Kinds whose updates can grow their usage (a service turned NodePort, a claim resized);
# the other evaluators handle creates only, as Kubernetes'.
UPDATES_CHARGED = frozenset({("", "services"), ("", "persistentvolumeclaims")})


class ObjectCache(Protocol):
    rev: int
    changes: Any

    def get(self, key: str) -> Obj | None: ...

    def list(self, prefix: str, match: Callable[[Obj], bool] | None = None) -> list[Obj]: ...


@dataclass
class _InFlight:
    namespace: str
    resource: tuple[str, str]
    obj: Obj
    rev: int  # the cache's revision when it was admitted
    expires: float


class ResourceQuotaAdmission:
    name = "ResourceQuota"

    def __init__(self, cache: ObjectCache, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time):
        self.cache = cache
        self.clock = clock
        self.wall = wall
        self._in_flight: dict[str, _InFlight] = {}

    def validate(self, req: AdmissionRequest) -> None:
        if req.subresource or not req.namespace or req.obj is None:
            return
        group, resource = req.info.group, req.info.resource
        updating = req.operation is Operation.UPDATE and (group, resource) in UPDATES_CHARGED
        if req.operation is not Operation.CREATE and not updating:
            return
        assert _QUOTAS is not None
        quotas = self.cache.list(_QUOTAS.key_prefix(req.namespace))
        if not quotas:
            return
        now = self.wall()
        delta = quotausage.usage(group, resource, req.obj, now)
        if updating:  # only the growth: the stored object is already counted
            before = quotausage.usage(group, resource, req.old or {}, now)
            delta = {k: v - before[k] if k in before else v for k, v in delta.items()}
            delta = {k: v for k, v in delta.items() if v.value > 0}
        tracking = [q for q in quotas if quotausage.quota_selects(q, group, resource, req.obj)]
        for quota in tracking:
            self._check_constraints(req, quota, delta)
        used: dict[str, Quantity] | None = None
        for quota in tracking:
            hard = quotausage.hard_of(quota)
            requested = {k: v for k, v in delta.items() if k in hard}
            if not requested or all(v.is_zero() for v in requested.values()):
                continue
            if used is None:
                used = self._used(req, group, resource, quotas)
            quota_used = used[quota["metadata"]["name"]]
            over = [k for k, v in requested.items()
                    if quota_used.get(k, quotausage.zero()) + v > hard[k]]
            if over:
                zero = quotausage.zero()
                raise errors.forbidden(req.info, req.name or _name(req.obj or {}), (
                    f"exceeded quota: {quota['metadata']['name']}, "
                    f"requested: {quotausage.pretty({k: requested[k] for k in over})}, "
                    f"used: {quotausage.pretty({k: quota_used.get(k, zero) for k in over})}, "
                    f"limited: {quotausage.pretty({k: hard[k] for k in over})}"))
        if used is not None and not req.dry_run and not updating:
            self._in_flight[req.info.key(req.namespace, req.name or _name(req.obj))] = \
                _InFlight(req.namespace, (group, resource), req.obj, self.cache.rev,
                          self.clock() + IN_FLIGHT_SECONDS)

    def _check_constraints(self, req: AdmissionRequest, quota: Obj, delta: Obj) -> None:
        if (req.info.group, req.info.resource) != ("", "pods") or "pods" not in delta:
            return
        missing = quotausage.missing_requirements(req.obj or {}, quotausage.hard_of(quota))
        if missing:
            what = "; ".join(f"{r} for: {','.join(sorted(set(missing[r])))}"
                             for r in sorted(missing))
            raise errors.forbidden(req.info, req.name or _name(req.obj or {}), f"failed quota: "
                                   f"{quota['metadata']['name']}: must specify {what}")

    def _used(self, req: AdmissionRequest, group: str, resource: str,
              quotas: list[Obj]) -> dict[str, dict[str, Quantity]]:
        """Each quota's current usage of this kind: the stored objects it selects plus the
        admitted creates not yet stored."""
        ns = req.namespace or ""
        objs = self.cache.list(req.info.key_prefix(ns)) + self._pending(ns, (group, resource))
        now = self.wall()
        out: dict[str, dict[str, Quantity]] = {}
        for quota in quotas:
            total: dict[str, Quantity] = {}
            hard = quotausage.hard_of(quota)
            for obj in objs:
                if quotausage.quota_selects(quota, group, resource, obj):
                    total = quotausage.add(total, {k: v for k, v in quotausage.usage(
                        group, resource, obj, now).items() if k in hard})
            out[quota["metadata"]["name"]] = total
        return out

    def _pending(self, ns: str, resource: tuple[str, str]) -> list[Obj]:
        now = self.clock()
        landed = self._landed()
        for key in [k for k, f in self._in_flight.items()
                    if f.expires < now or k in landed or self.cache.get(k) is not None]:
            del self._in_flight[key]
        return [f.obj for f in self._in_flight.values()
                if f.namespace == ns and f.resource == resource]

    def _landed(self) -> set[str]:
        """Keys changed since the oldest in-flight admission: those writes are in."""
        if not self._in_flight:
            return set()
        oldest = min(f.rev for f in self._in_flight.values())
        keys = set()
        for change in reversed(self.cache.changes):
            if change.rev <= oldest:
                break
            if change.key in self._in_flight and change.rev > self._in_flight[change.key].rev:
                keys.add(change.key)
        return keys


def _name(obj: Obj) -> str:
    return (obj.get("metadata") or {}).get("name") or ""
