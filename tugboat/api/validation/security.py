"""Security context validation (ValidatePodSecurityContext, ValidateSecurityContext):
user and group IDs in range, the seccomp profile's type and its localhostProfile, and
privileged containers that also forbid privilege escalation.
"""

from __future__ import annotations

from tugboat.api.security import (
    SECCOMP_LOCALHOST,
    SECCOMP_TYPES,
    PodSecurityContext,
    SeccompProfile,
    SecurityContext,
)
from tugboat.api.validation.fielderrors import Errors, invalid, not_supported, required

_MAX_ID = 2147483647
_ID_RANGE = f"must be between 0 and {_MAX_ID}, inclusive"


def _id(value: int | None, path: str, errs: Errors) -> None:
    if value is not None and not 0 <= value <= _MAX_ID:
        errs.append(invalid(path, value, _ID_RANGE))


def validate_seccomp_profile(profile: SeccompProfile, path: str, errs: Errors) -> None:
    if not profile.type:
        errs.append(required(f"{path}.type"))
    elif profile.type not in SECCOMP_TYPES:
        errs.append(not_supported(f"{path}.type", profile.type, SECCOMP_TYPES))
    local = profile.localhostProfile
    if profile.type == SECCOMP_LOCALHOST:
        if not local:
            errs.append(required(f"{path}.localhostProfile",
                                 "must be set when seccomp type is Localhost"))
        elif local.startswith("/"):
            errs.append(invalid(f"{path}.localhostProfile", local, "must be a relative path"))
        elif ".." in local.split("/"):
            errs.append(invalid(f"{path}.localhostProfile", local, "must not contain '..'"))
    elif local is not None:
        errs.append(invalid(f"{path}.localhostProfile", local,
                            "can only be set when seccomp type is Localhost"))


def validate_pod_security_context(sc: PodSecurityContext, path: str, errs: Errors) -> None:
    _id(sc.runAsUser, f"{path}.runAsUser", errs)
    _id(sc.runAsGroup, f"{path}.runAsGroup", errs)
    _id(sc.fsGroup, f"{path}.fsGroup", errs)
    for i, gid in enumerate(sc.supplementalGroups or ()):
        _id(gid, f"{path}.supplementalGroups[{i}]", errs)
    if sc.seccompProfile is not None:
        validate_seccomp_profile(sc.seccompProfile, f"{path}.seccompProfile", errs)


def validate_security_context(sc: SecurityContext, path: str, errs: Errors) -> None:
    _id(sc.runAsUser, f"{path}.runAsUser", errs)
    _id(sc.runAsGroup, f"{path}.runAsGroup", errs)
    if sc.seccompProfile is not None:
        validate_seccomp_profile(sc.seccompProfile, f"{path}.seccompProfile", errs)
    if sc.allowPrivilegeEscalation is False:
        if sc.privileged:
            errs.append(invalid(path, sc.model_dump(exclude_none=True),
                                "cannot set `allowPrivilegeEscalation` to false and "
                                "`privileged` to true"))
        added = (sc.capabilities.add or []) if sc.capabilities else []
        if "CAP_SYS_ADMIN" in added or "SYS_ADMIN" in added:
            errs.append(invalid(path, sc.model_dump(exclude_none=True),
                                "cannot set `allowPrivilegeEscalation` to false and "
                                "`capabilities.Add` CAP_SYS_ADMIN"))
