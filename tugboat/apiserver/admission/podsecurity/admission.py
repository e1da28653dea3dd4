"""The PodSecurity validating admission plugin (Kubernetes' built-in Pod Security
Admission): each namespace picks a level per mode with its labels — enforce refuses a
pod (403), warn answers with a Warning, audit adds an audit annotation — and the cluster
default, when a namespace says nothing, is privileged. Pods are evaluated on create and
on updates that could change what they run; workloads' pod templates are warned and
audited, never refused; a namespace whose enforce level tightens warns about the pods
already in it. Namespace labels come from the watch cache, so admission never waits on
the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from tugboat.api.resources import RESOURCES
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.admission.podsecurity.evaluator import evaluate
from tugboat.apiserver.admission.podsecurity.levels import (
    Level,
    LevelVersion,
    ParsedPolicy,
    policy_of,
)
from tugboat.apiserver.admission.podsecurity.podspecs import TEMPLATE_KINDS, pod_spec_of

Obj = dict[str, Any]

ANNOTATION_PREFIX = "pod-security.kubernetes.io/"
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
# pod subresources that cannot change what the pod runs
IGNORED_POD_SUBRESOURCES = frozenset(("exec", "attach", "binding", "eviction", "log",
                                      "portforward", "proxy", "status"))
# spec fields a pod update may change without changing what it runs (the rest are
# immutable in Kubernetes; images are the notable mutable exception, and count)
INSIGNIFICANT_SPEC_FIELDS = frozenset(("activeDeadlineSeconds", "tolerations",
                                       "schedulingGates"))
MAX_PODS_TO_CHECK = 3000

_NAMESPACES = next(r for r in RESOURCES if r.group == "" and r.resource == "namespaces")
_PODS = next(r for r in RESOURCES if r.group == "" and r.resource == "pods")


class NamespaceCache(Protocol):
    """What the plugin reads from the watch cache (tugboat.apiserver.watchcache)."""

    def get(self, key: str) -> Obj | None: ...

    def list(self, prefix: str) -> list[Obj]: ...


class PodSecurity:
    name = "PodSecurity"

    def __init__(self, cache: NamespaceCache):
        self.cache = cache
        # namespace → (its resourceVersion, the policy its labels ask for): parsing the
        # labels again for every pod created cost more than the privileged fast path saved
        self._parsed: dict[str, tuple[str | None, ParsedPolicy]] = {}

    def validate(self, req: AdmissionRequest) -> None:
        if req.operation not in (Operation.CREATE, Operation.UPDATE) or req.obj is None:
            return
        if req.info.group == "" and req.info.resource == "namespaces":
            self._validate_namespace(req)
        elif req.info.group == "" and req.info.resource == "pods":
            self._validate_pod(req)
        elif req.kind in TEMPLATE_KINDS or req.kind == "CronJob":
            self._validate_workload(req)

    # -- namespaces ---------------------------------------------------------------

    def _validate_namespace(self, req: AdmissionRequest) -> None:
        if req.subresource:
            return
        assert req.obj is not None
        new = policy_of(_labels(req.obj))
        name = req.name or (req.obj.get("metadata") or {}).get("name", "")
        if req.operation is Operation.CREATE:
            if new.errors:
                raise errors.invalid(req.info, name, new.errors)
            return
        old = policy_of(_labels(req.old or {}))
        if new.errors and (not old.errors or _error_text(new) != _error_text(old)):
            raise errors.invalid(req.info, name, new.errors)
        before, after = old.policy.enforce, new.policy.enforce
        if after == before or after.level is Level.PRIVILEGED:
            return
        if after.version == before.version and after.level.rank <= before.level.rank:
            return  # relaxed (or unchanged) at the same version: nothing new to report
        req.warnings.extend(self._existing_pod_warnings(name, after))

    def _existing_pod_warnings(self, namespace: str, enforce: LevelVersion) -> list[str]:
        pods = self.cache.list(_PODS.key_prefix(namespace))
        total = len(pods)
        pods = pods[:MAX_PODS_TO_CHECK]
        first_pod: dict[str, str] = {}  # warning → lexically first pod with it
        counts: dict[str, int] = {}
        for pod in pods:
            result = evaluate(enforce, pod.get("metadata") or {}, pod.get("spec") or {})
            if result.allowed:
                continue
            reason = result.forbidden_reason()
            pod_name = (pod.get("metadata") or {}).get("name", "")
            if reason not in first_pod or pod_name < first_pod[reason]:
                first_pod[reason] = pod_name
            counts[reason] = counts.get(reason, 0) + 1
        warnings = []
        if len(pods) < total:
            warnings.append(f"new PodSecurity enforce level only checked against the first "
                            f"{len(pods)} of {total} existing pods")
        if counts:
            warnings.append(f'existing pods in namespace "{namespace}" violate the new '
                            f'PodSecurity enforce level "{enforce}"')
        per_pod = []
        for reason, n in counts.items():
            others = ("" if n == 1 else " (and 1 other pod)" if n == 2
                      else f" (and {n - 1} other pods)")
            per_pod.append(f"{first_pod[reason]}{others}: {reason}")
        return warnings + sorted(per_pod)

    # -- pods and workloads -------------------------------------------------------

    def _validate_pod(self, req: AdmissionRequest) -> None:
        if req.subresource in IGNORED_POD_SUBRESOURCES:
            return
        parsed = self._policy(req.namespace)
        if not parsed.errors and parsed.policy.all_privileged:
            return
        assert req.obj is not None
        if (req.operation is Operation.UPDATE and req.old is not None
                and not _significant_pod_update(req.obj, req.old)):
            return
        self._evaluate(req, parsed, req.obj.get("metadata") or {}, req.obj.get("spec") or {},
                       enforce=True)

    def _validate_workload(self, req: AdmissionRequest) -> None:
        if req.subresource:
            return
        parsed = self._policy(req.namespace)
        policy = parsed.policy
        if (not parsed.errors and policy.warn.level is Level.PRIVILEGED
                and policy.audit.level is Level.PRIVILEGED):
            return
        assert req.obj is not None
        extracted = pod_spec_of(req.kind, req.obj)
        if extracted is None:
            return
        self._evaluate(req, parsed, *extracted, enforce=False)

    def _evaluate(self, req: AdmissionRequest, parsed: ParsedPolicy, meta: Obj, spec: Obj,
                  enforce: bool) -> None:
        policy = parsed.policy
        if parsed.errors:
            req.annotations[ANNOTATION_PREFIX + "error"] = (
                f"Failed to parse policy: {_error_text(parsed)}")
        results = {}
        refusal = None
        if enforce:
            req.annotations[ANNOTATION_PREFIX + "enforce-policy"] = str(policy.enforce)
            results[policy.enforce] = result = evaluate(policy.enforce, meta, spec)
            if not result.allowed:
                refusal = (f'violates PodSecurity "{policy.enforce}": '
                           f"{result.forbidden_detail()}")
        audit = results.get(policy.audit) or evaluate(policy.audit, meta, spec)
        results[policy.audit] = audit
        if not audit.allowed:
            req.annotations[ANNOTATION_PREFIX + "audit-violations"] = (
                f'would violate PodSecurity "{policy.audit}": {audit.forbidden_detail()}')
        if refusal is not None:  # no warnings on a request that is refused anyway
            name = req.name or meta.get("name", "")
            raise errors.forbidden(req.info, name, refusal)
        warn = results.get(policy.warn) or evaluate(policy.warn, meta, spec)
        if not warn.allowed:
            req.warnings.append(f'would violate PodSecurity "{policy.warn}": '
                                f"{warn.forbidden_detail()}")

    def _policy(self, namespace: str | None) -> ParsedPolicy:
        ns = self.cache.get(_NAMESPACES.key(None, namespace or "")) if namespace else None
        if ns is None or not namespace:
            return policy_of({})
        rv = (ns.get("metadata") or {}).get("resourceVersion")
        hit = self._parsed.get(namespace)
        if hit is not None and rv is not None and hit[0] == rv:
            return hit[1]
        parsed = policy_of(_labels(ns))
        if len(self._parsed) >= 4096:  # namespaces come and go: bound the memo
            self._parsed.clear()
        self._parsed[namespace] = (rv, parsed)
        return parsed


def _labels(obj: Obj) -> Mapping[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _error_text(parsed: ParsedPolicy) -> str:
    texts = [f"{c.field}: {c.message}" for c in parsed.errors]
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"


def _significant_pod_update(new: Obj, old: Obj) -> bool:
    """Whether an update could change what the pod runs (Kubernetes: isSignificantPodUpdate)
    — a label or status change on a pod admitted under an older policy must still pass."""
    new_ann = (new.get("metadata") or {}).get("annotations") or {}
    old_ann = (old.get("metadata") or {}).get("annotations") or {}
    for key in set(new_ann) | set(old_ann):
        if key == SECCOMP_POD_ANNOTATION or key.startswith(SECCOMP_CONTAINER_PREFIX):
            if new_ann.get(key) != old_ann.get(key):
                return True
    new_spec = {k: v for k, v in (new.get("spec") or {}).items()
                if k not in INSIGNIFICANT_SPEC_FIELDS}
    old_spec = {k: v for k, v in (old.get("spec") or {}).items()
                if k not in INSIGNIFICANT_SPEC_FIELDS}
    # nodeName is set by binding, which is not a spec update of the pod's own
    new_spec.pop("nodeName", None)
    old_spec.pop("nodeName", None)
    return new_spec != old_spec
