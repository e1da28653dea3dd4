"""core/v1 SecurityContext (a container's) and PodSecurityContext, with the SeccompProfile
and Capabilities they share. The kubelet honours the fields Docker can express (user and
groups, privileged, read-only root, capabilities, no-new-privileges, seccomp); the rest
(SELinux, AppArmor, Windows options, sysctls) are kept as sent.
"""

from __future__ import annotations

from typing import Any

from tugboat.api.fieldtypes import Int64
from tugboat.api.meta import K8sModel, PassThrough

SECCOMP_RUNTIME_DEFAULT = "RuntimeDefault"
SECCOMP_UNCONFINED = "Unconfined"
SECCOMP_LOCALHOST = "Localhost"
SECCOMP_TYPES = (SECCOMP_LOCALHOST, SECCOMP_RUNTIME_DEFAULT, SECCOMP_UNCONFINED)


class SeccompProfile(K8sModel):
    type: str | None = None
    localhostProfile: str | None = None


class Capabilities(K8sModel):
    add: list[str] | None = None
    drop: list[str] | None = None


class AppArmorProfile(PassThrough):
    type: str  # RuntimeDefault, Localhost, Unconfined


class Sysctl(K8sModel):
    name: str
    value: str


class SecurityContext(K8sModel):
    capabilities: Capabilities | None = None
    privileged: bool | None = None
    seLinuxOptions: dict[str, Any] | None = None
    windowsOptions: dict[str, Any] | None = None
    runAsUser: Int64 | None = None
    runAsGroup: Int64 | None = None
    runAsNonRoot: bool | None = None
    readOnlyRootFilesystem: bool | None = None
    allowPrivilegeEscalation: bool | None = None
    procMount: str | None = None
    seccompProfile: SeccompProfile | None = None
    appArmorProfile: AppArmorProfile | None = None


class PodSecurityContext(K8sModel):
    seLinuxOptions: dict[str, Any] | None = None
    windowsOptions: dict[str, Any] | None = None
    runAsUser: Int64 | None = None
    runAsGroup: Int64 | None = None
    runAsNonRoot: bool | None = None
    supplementalGroups: list[Int64] | None = None
    supplementalGroupsPolicy: str | None = None
    fsGroup: Int64 | None = None
    fsGroupChangePolicy: str | None = None
    sysctls: list[Sysctl] | None = None
    seccompProfile: SeccompProfile | None = None
    appArmorProfile: AppArmorProfile | None = None
    seLinuxChangePolicy: str | None = None
