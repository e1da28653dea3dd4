"""From the pod's and the container's securityContext to the runtime's SecurityConfig
(kuberuntime's security_context.go). A container's own fields override the pod's. Seccomp
is Unconfined unless a profile is asked for, or the kubelet runs with --seccomp-default
(then RuntimeDefault) — Kubernetes' rule, not Docker's, whose default is its own profile.
Localhost profiles are read from <root-dir>/seccomp. runAsNonRoot is checked against
runAsUser or the image's user before anything is created: CreateContainerConfigError."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tugboat.api.core import Container, Pod, SeccompProfile
from tugboat.api.security import SECCOMP_LOCALHOST, SECCOMP_RUNTIME_DEFAULT
from tugboat.kubelet.decisions import pod_label
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, CREATE_ERROR, StartFailure
from tugboat.kubelet.runtime import SECCOMP_RUNTIME_DEFAULT as RUNTIME_DEFAULT
from tugboat.kubelet.runtime import SECCOMP_UNCONFINED as UNCONFINED
from tugboat.kubelet.runtime import SecurityConfig


@dataclass(frozen=True)
class SeccompPolicy:
    runtime_default: bool = False  # --seccomp-default
    profile_root: Path = Path("/var/lib/tugboat/kubelet/seccomp")

    def resolve(self, profile: SeccompProfile | None) -> str:
        if profile is None or not profile.type:
            return RUNTIME_DEFAULT if self.runtime_default else UNCONFINED
        if profile.type == SECCOMP_RUNTIME_DEFAULT:
            return RUNTIME_DEFAULT
        if profile.type != SECCOMP_LOCALHOST:
            return UNCONFINED
        path = self.profile_root / (profile.localhostProfile or "")
        try:
            return path.read_text()
        except OSError as e:
            raise StartFailure(CREATE_ERROR, f"failed to load seccomp profile {path}: "
                                             f"{e.strerror or e}") from e


def _pick(pod: Pod, spec: Container, name: str):  # noqa: ANN202 - the field's own type
    own = getattr(spec.securityContext, name, None) if spec.securityContext else None
    if own is not None:
        return own
    return getattr(pod.spec.securityContext, name, None) if pod.spec.securityContext else None


def sandbox_security(pod: Pod, policy: SeccompPolicy) -> SecurityConfig:
    psc = pod.spec.securityContext
    return SecurityConfig(seccomp=policy.resolve(psc.seccompProfile if psc else None))


def needs_image_user(pod: Pod, spec: Container) -> bool:
    """runAsNonRoot without runAsUser: only the image can say who the container runs as."""
    return bool(_pick(pod, spec, "runAsNonRoot")) and _pick(pod, spec, "runAsUser") is None


def container_security(pod: Pod, spec: Container, policy: SeccompPolicy,
                       image_user: str | None = None) -> SecurityConfig:
    uid, gid = _pick(pod, spec, "runAsUser"), _pick(pod, spec, "runAsGroup")
    if _pick(pod, spec, "runAsNonRoot"):
        _verify_non_root(pod, spec, uid, image_user or "")
    if gid is not None and uid is None:
        raise StartFailure(CREATE_ERROR, "runAsGroup is specified without runAsUser")
    psc, sc = pod.spec.securityContext, spec.securityContext
    groups = [*(psc.supplementalGroups or ()), *([psc.fsGroup] if psc.fsGroup is not None
                                                  else [])] if psc else []
    caps = sc.capabilities if sc else None
    return SecurityConfig(
        seccomp=policy.resolve(_pick(pod, spec, "seccompProfile")),
        user=None if uid is None else f"{uid}" if gid is None else f"{uid}:{gid}",
        group_add=tuple(dict.fromkeys(groups)),
        privileged=bool(sc and sc.privileged),
        read_only_rootfs=bool(sc and sc.readOnlyRootFilesystem),
        cap_add=tuple(caps.add or ()) if caps else (),
        cap_drop=tuple(caps.drop or ()) if caps else (),
        no_new_privileges=bool(sc and sc.allowPrivilegeEscalation is False))


def _verify_non_root(pod: Pod, spec: Container, uid: int | None, image_user: str) -> None:
    """verifyRunAsNonRoot, with Kubernetes' messages."""
    where = f'(pod: "{pod_label(pod)}", container: {spec.name})'
    if uid is not None:
        if uid == 0:
            raise StartFailure(CREATE_CONFIG_ERROR,
                               f"container's runAsUser breaks non-root policy {where}")
        return
    user = image_user.partition(":")[0]
    if user in ("", "root", "0"):
        raise StartFailure(CREATE_CONFIG_ERROR,
                           f"container has runAsNonRoot and image will run as root {where}")
    if not user.isdigit():
        raise StartFailure(CREATE_CONFIG_ERROR,
                           f"container has runAsNonRoot and image has non-numeric user "
                           f"({user}), cannot verify user is non-root {where}")
