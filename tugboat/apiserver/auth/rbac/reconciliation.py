"""Bootstrap policy reconciliation at API server start (Kubernetes' rbac/reconciliation):
create the bootstrap ClusterRoles and ClusterRoleBindings that are missing, add rules,
labels, annotations and subjects that are missing from those that exist, and never take
anything away — a cluster's own changes survive. An object annotated
`rbac.authorization.kubernetes.io/autoupdate: "false"` is left exactly as it is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tugboat.api.rbac import AUTOUPDATE_ANNOTATION, ClusterRole, aggregated_rules
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.auth.rbac.bootstrappolicy import cluster_role_bindings, cluster_roles
from tugboat.apiserver.auth.rbac.rules import compile_rules, uncovered
from tugboat.apiserver.registry import CONFLICT_RETRIES, Registry, WriteOptions, copy

log = logging.getLogger(__name__)
Obj = dict[str, Any]

CLUSTER_ROLES = lookup("rbac.authorization.k8s.io", "v1", "clusterroles")
CLUSTER_ROLE_BINDINGS = lookup("rbac.authorization.k8s.io", "v1", "clusterrolebindings")


def _with_aggregated_rules(roles: list[Obj]) -> list[Obj]:
    """Fill aggregated roles' rules from the bootstrap roles, so admin, edit and view work
    before the controller manager's aggregation controller first runs (it keeps them up
    to date afterwards)."""
    typed = {r["metadata"]["name"]: ClusterRole.model_validate(r) for r in roles}
    for _ in range(len(typed)):  # edit gathers view, admin gathers edit: iterate to a fixpoint
        changed = False
        for role in typed.values():
            rules = aggregated_rules(role, list(typed.values()))
            if rules is not None and rules != (role.rules or []):
                role.rules, changed = rules, True
        if not changed:
            break
    return [typed[r["metadata"]["name"]].wire() for r in roles]


def _merge_meta(existing: Obj, wanted: Obj) -> bool:
    """Add missing labels and annotations; True when something was added."""
    changed = False
    meta = existing.setdefault("metadata", {})
    for field in ("labels", "annotations"):
        have = meta.setdefault(field, {})
        for k, v in (wanted["metadata"].get(field) or {}).items():
            if k not in have:
                have[k], changed = v, True
    return changed


def reconcile_role(existing: Obj, wanted: Obj) -> bool:
    """Mutate `existing` towards `wanted` (additions only); True when it changed."""
    changed = _merge_meta(existing, wanted)
    if wanted.get("aggregationRule"):
        have = existing.setdefault("aggregationRule", {}).setdefault("clusterRoleSelectors", [])
        for sel in wanted["aggregationRule"]["clusterRoleSelectors"]:
            if sel not in have:
                have.append(sel)
                changed = True
        return changed  # the aggregation controller owns its rules
    have_rules = compile_rules(existing.get("rules"))
    for rule in wanted.get("rules") or ():
        if uncovered(have_rules, compile_rules([rule])):
            existing.setdefault("rules", []).append(rule)
            changed = True
    return changed


def reconcile_binding(existing: Obj, wanted: Obj) -> bool:
    changed = _merge_meta(existing, wanted)
    subjects = existing.setdefault("subjects", [])
    for s in wanted.get("subjects") or ():
        if s not in subjects:
            subjects.append(s)
            changed = True
    return changed


def _autoupdate(obj: Obj) -> bool:
    annotations = obj.get("metadata", {}).get("annotations") or {}
    return annotations.get(AUTOUPDATE_ANNOTATION, "true") != "false"


async def _ensure(registry: Registry, info: Any, wanted: Obj,
                  reconcile: Callable[[Obj, Obj], bool]) -> None:
    name = wanted["metadata"]["name"]
    existing = registry.cache.get(info.key(None, name))
    if existing is None:
        try:
            await registry.create(info, None, wanted, WriteOptions())
            log.info("created bootstrap %s %s", info.kind, name)
        except errors.ApiError as e:
            if e.code != 409:
                raise
        return
    if not _autoupdate(existing):
        return

    for _ in range(CONFLICT_RETRIES):
        cur = copy(registry.get(info, None, name))
        rev = int(cur["metadata"]["resourceVersion"])
        if not reconcile(cur, wanted):
            return
        try:
            await registry.update(info, None, name, cur, WriteOptions(), expected=rev)
            log.info("reconciled bootstrap %s %s", info.kind, name)
            return
        except errors.ApiError as e:
            await registry.lost_race(e, rev)


async def reconcile_bootstrap_policy(registry: Registry) -> None:
    """Run once the watch cache is ready (after the default namespaces exist)."""
    for role in _with_aggregated_rules(cluster_roles()):
        await _ensure(registry, CLUSTER_ROLES, role, reconcile_role)
    for binding in cluster_role_bindings():
        await _ensure(registry, CLUSTER_ROLE_BINDINGS, binding, reconcile_binding)
