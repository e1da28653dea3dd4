"""The restricted level's checks (Pod Security Standards, "restricted"), on top of
baseline: only volume types a namespace user could get through PersistentVolumes anyway,
no privilege escalation, a non-root user, a confined seccomp profile, and every
capability dropped but NET_BIND_SERVICE. Three of them replace a baseline check they
subsume (volumes ⊃ hostPath, capabilities, seccomp), so a pod is told once."""

from __future__ import annotations

from tugboat.apiserver.admission.podsecurity.baseline import SECCOMP_ALLOWED
from tugboat.apiserver.admission.podsecurity.checks import (
    ALLOWED,
    Check,
    CheckResult,
    Obj,
    containers,
    containers_phrase,
    forbid,
    join_quote,
    pluralize,
    security_context,
    setters,
)
from tugboat.apiserver.admission.podsecurity.levels import Level

ALLOWED_VOLUME_SOURCES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                          "persistentVolumeClaim", "projected", "secret")
# the restricted types Kubernetes names, in the order it tests them
RESTRICTED_VOLUME_SOURCES = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
    "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
    "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
    "scaleIO", "storageos")


def allow_privilege_escalation(meta: Obj, spec: Obj) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return ALLOWED
    return forbid("allowPrivilegeEscalation != false",
                  f"{containers_phrase(bad)} must set "
                  f"securityContext.allowPrivilegeEscalation=false")


def capabilities_restricted(meta: Obj, spec: Obj) -> CheckResult:
    missing_drop: list[str] = []
    adding: list[str] = []
    caps: set[str] = set()
    for c in containers(spec):
        capabilities = security_context(c).get("capabilities")
        if capabilities is None:
            missing_drop.append(c.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop.append(c.get("name", ""))
        added = [a for a in capabilities.get("add") or [] if a != "NET_BIND_SERVICE"]
        if added:
            adding.append(c.get("name", ""))
            caps.update(added)
    details = []
    if missing_drop:
        details.append(f'{containers_phrase(missing_drop)} must set '
                       f'securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{containers_phrase(adding)} must not include "
                       f"{join_quote(sorted(caps))} in securityContext.capabilities.add")
    return forbid("unrestricted capabilities", "; ".join(details)) if details else ALLOWED


def restricted_volumes(meta: Obj, spec: Obj) -> CheckResult:
    names: list[str] = []
    kinds: set[str] = set()
    for v in spec.get("volumes") or []:
        if any(v.get(k) is not None for k in ALLOWED_VOLUME_SOURCES):
            continue
        names.append(v.get("name", ""))
        kinds.add(next((k for k in RESTRICTED_VOLUME_SOURCES if v.get(k) is not None),
                       "unknown"))
    if not names:
        return ALLOWED
    return forbid("restricted volume types",
                  f'{pluralize("volume", "volumes", len(names))} {join_quote(names)} '
                  f'{pluralize("uses", "use", len(names))} '
                  f'{pluralize("restricted volume type", "restricted volume types", len(kinds))} '
                  f"{join_quote(sorted(kinds))}")


def run_as_non_root(meta: Obj, spec: Obj) -> CheckResult:
    pod_value = security_context(spec).get("runAsNonRoot")
    pod_bad = pod_value is False
    explicit: list[str] = []
    implicit: list[str] = []
    for c in containers(spec):
        value = security_context(c).get("runAsNonRoot")
        if value is False:
            explicit.append(c.get("name", ""))
        elif value is None and pod_value is not True:
            implicit.append(c.get("name", ""))
    if pod_bad or explicit:
        return forbid("runAsNonRoot != true", f"{setters(pod_bad, explicit)} must not set "
                                              f"securityContext.runAsNonRoot=false")
    if implicit:
        return forbid("runAsNonRoot != true", f"pod or {containers_phrase(implicit)} must set "
                                              f"securityContext.runAsNonRoot=true")
    return ALLOWED


def run_as_user(meta: Obj, spec: Obj) -> CheckResult:
    pod_bad = security_context(spec).get("runAsUser") == 0
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("runAsUser") == 0]
    if not (pod_bad or bad):
        return ALLOWED
    return forbid("runAsUser=0", f"{setters(pod_bad, bad)} must not set runAsUser=0")


def seccomp_profile_restricted(meta: Obj, spec: Obj) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("seccompProfile")
    pod_bad = pod_profile is not None and pod_profile.get("type") not in SECCOMP_ALLOWED
    if pod_bad:
        bad_values.add(str(pod_profile.get("type") or ""))
    pod_set = pod_profile is not None and not pod_bad
    explicit: list[str] = []
    implicit: list[str] = []
    for c in containers(spec):
        profile = security_context(c).get("seccompProfile")
        if profile is not None:
            if profile.get("type") not in SECCOMP_ALLOWED:
                explicit.append(c.get("name", ""))
                bad_values.add(str(profile.get("type") or ""))
        elif not pod_set:
            implicit.append(c.get("name", ""))
    if pod_bad or explicit:
        return forbid("seccompProfile", f"{setters(pod_bad, explicit)} must not set "
                                        f"securityContext.seccompProfile.type to "
                                        f"{join_quote(sorted(bad_values))}")
    if implicit:
        return forbid("seccompProfile",
                      f"pod or {containers_phrase(implicit)} must set "
                      f'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"')
    return ALLOWED


R = Level.RESTRICTED
CHECKS: tuple[Check, ...] = (
    Check("allowPrivilegeEscalation", R, allow_privilege_escalation, min_minor=8),
    Check("capabilities_restricted", R, capabilities_restricted, min_minor=22,
          overrides=("capabilities_baseline",)),
    Check("restrictedVolumes", R, restricted_volumes, overrides=("hostPathVolumes",)),
    Check("runAsNonRoot", R, run_as_non_root),
    Check("runAsUser", R, run_as_user, min_minor=23),
    Check("seccompProfile_restricted", R, seccomp_profile_restricted, min_minor=19,
          overrides=("seccompProfile_baseline",)),
)
