"""The Priority admission plugin, as Kubernetes': a new pod's priorityClassName becomes
its spec.priority and spec.preemptionPolicy (the global default class when it names none,
priority 0 when there is none), so the scheduler and the kubelet read a number and never
look the class up. A pod naming an unknown class, or carrying a priority or policy that
contradicts its class, is refused; only one PriorityClass may be the global default."""

from __future__ import annotations

from typing import Any, Protocol

from tugboat.api.resources import lookup
from tugboat.api.scheduling import PREEMPT_LOWER_PRIORITY
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation

Obj = dict[str, Any]
PODS = lookup("", "v1", "pods")
PRIORITY_CLASSES = lookup("scheduling.k8s.io", "v1", "priorityclasses")
# A pod's priority when no class names it and no class is the global default.
DEFAULT_PRIORITY = 0


class ObjectCache(Protocol):
    def get(self, key: str) -> Obj | None: ...
    def list(self, prefix: str) -> list[Obj]: ...


class Priority:
    name = "Priority"

    def __init__(self, cache: ObjectCache):
        self.cache = cache

    def admit(self, req: AdmissionRequest) -> None:
        if req.subresource is not None:
            return
        if req.info is PODS and req.operation is Operation.CREATE:
            self._pod(req)
        elif req.info is PRIORITY_CLASSES and req.operation in (Operation.CREATE,
                                                                Operation.UPDATE):
            self._one_default(req)

    def default_class(self) -> Obj | None:
        """The global default class; the highest value wins if several slipped in."""
        defaults = [pc for pc in self.cache.list(PRIORITY_CLASSES.key_prefix())
                    if pc.get("globalDefault")]
        return max(defaults, key=lambda pc: pc.get("value") or 0, default=None)

    def _pod(self, req: AdmissionRequest) -> None:
        pod = req.obj or {}
        spec = pod.get("spec")
        if not isinstance(spec, dict):
            return  # decoding reports the malformed body
        name = spec.get("priorityClassName")
        if name:
            pc = self.cache.get(PRIORITY_CLASSES.key(None, str(name)))
            if pc is None:
                raise self._forbidden(req, f"no PriorityClass with name {name} was found")
        else:
            pc = self.default_class()
        priority = (pc.get("value") or 0) if pc is not None else DEFAULT_PRIORITY
        policy = (pc or {}).get("preemptionPolicy") or PREEMPT_LOWER_PRIORITY
        given = spec.get("priority")
        if given is not None and given != priority:
            raise self._forbidden(req, f"the integer value of priority ({given}) must not be "
                                       f"provided in pod spec; priority admission controller "
                                       f"computed {priority} from the given PriorityClass name")
        given_policy = spec.get("preemptionPolicy")
        if given_policy is not None and given_policy != policy:
            raise self._forbidden(req, f"the string value of PreemptionPolicy ({given_policy}) "
                                       f"must not be provided in pod spec; priority admission "
                                       f"controller computed {policy} from the given "
                                       f"PriorityClass name")
        if pc is not None:
            spec["priorityClassName"] = pc["metadata"]["name"]
        spec["priority"] = priority
        spec["preemptionPolicy"] = policy

    def _one_default(self, req: AdmissionRequest) -> None:
        pc = req.obj or {}
        if not pc.get("globalDefault"):
            return
        other = self.default_class()
        name = req.name or (pc.get("metadata") or {}).get("name")
        if other is not None and other["metadata"]["name"] != name:
            raise errors.forbidden(PRIORITY_CLASSES, name, (
                f"PriorityClass {name} is marked as default. Only one default can exist"))

    @staticmethod
    def _forbidden(req: AdmissionRequest, why: str) -> errors.ApiError:
        name = req.name or ((req.obj or {}).get("metadata") or {}).get("generateName") or ""
        return errors.forbidden(req.info, name, why)
