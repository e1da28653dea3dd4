"""securityContext → SecurityConfig: Kubernetes' seccomp default (Unconfined, or
RuntimeDefault with --seccomp-default), container fields over pod fields, Localhost
profiles from the kubelet's folder, runAsNonRoot checked with Kubernetes' messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, CREATE_ERROR, StartFailure
from tugboat.kubelet.runtime import SECCOMP_RUNTIME_DEFAULT, SECCOMP_UNCONFINED
from tugboat.kubelet.securitycontext import (
    SeccompPolicy,
    container_security,
    needs_image_user,
    sandbox_security,
)

from .conftest import make_pod

POLICY = SeccompPolicy()


def pod_with(pod_sc: dict[str, Any] | None = None, sc: dict[str, Any] | None = None):  # noqa: ANN201
    container: dict[str, Any] = {"name": "app", "image": "busybox:1.35"}
    if sc is not None:
        container["securityContext"] = sc
    pod = make_pod(containers=[container],
                   **({"securityContext": pod_sc} if pod_sc is not None else {}))
    return pod, pod.spec.containers[0]


def test_no_profile_is_unconfined_as_in_kubernetes() -> None:
    pod, c = pod_with()
    assert container_security(pod, c, POLICY).seccomp == SECCOMP_UNCONFINED
    assert sandbox_security(pod, POLICY).seccomp == SECCOMP_UNCONFINED


def test_seccomp_default_flag_makes_it_runtime_default() -> None:
    pod, c = pod_with()
    policy = SeccompPolicy(runtime_default=True)
    assert container_security(pod, c, policy).seccomp == SECCOMP_RUNTIME_DEFAULT
    pod, c = pod_with(sc={"seccompProfile": {"type": "Unconfined"}})
    assert container_security(pod, c, policy).seccomp == SECCOMP_UNCONFINED


def test_container_profile_overrides_the_pods() -> None:
    pod, c = pod_with({"seccompProfile": {"type": "RuntimeDefault"}},
                      {"seccompProfile": {"type": "Unconfined"}})
    assert sandbox_security(pod, POLICY).seccomp == SECCOMP_RUNTIME_DEFAULT
    assert container_security(pod, c, POLICY).seccomp == SECCOMP_UNCONFINED


def test_localhost_profile_is_read_from_the_kubelet_folder(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "audit.json").write_text('{"defaultAction": "SCMP_ACT_LOG"}')
    policy = SeccompPolicy(profile_root=tmp_path)
    pod, c = pod_with(sc={"seccompProfile": {"type": "Localhost",
                                             "localhostProfile": "profiles/audit.json"}})
    assert container_security(pod, c, policy).seccomp == '{"defaultAction": "SCMP_ACT_LOG"}'
    pod, c = pod_with(sc={"seccompProfile": {"type": "Localhost",
                                             "localhostProfile": "missing.json"}})
    with pytest.raises(StartFailure) as e:
        container_security(pod, c, policy)
    assert e.value.reason == CREATE_ERROR and "missing.json" in e.value.message


def test_users_groups_and_privileges() -> None:
    pod, c = pod_with({"runAsUser": 1000, "runAsGroup": 3000, "supplementalGroups": [4000],
                       "fsGroup": 2000},
                      {"runAsUser": 1001, "readOnlyRootFilesystem": True,
                       "allowPrivilegeEscalation": False,
                       "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}})
    sec = container_security(pod, c, POLICY)
    assert sec.user == "1001:3000"
    assert sec.group_add == (4000, 2000)
    assert sec.read_only_rootfs and sec.no_new_privileges and not sec.privileged
    assert (sec.cap_add, sec.cap_drop) == (("NET_ADMIN",), ("ALL",))
    pod, c = pod_with(sc={"privileged": True})
    assert container_security(pod, c, POLICY).privileged
    pod, c = pod_with(sc={"runAsGroup": 5})
    with pytest.raises(StartFailure, match="runAsGroup is specified without runAsUser"):
        container_security(pod, c, POLICY)


@pytest.mark.parametrize(("pod_sc", "sc", "image_user", "message"), [
    ({"runAsNonRoot": True}, None, "", "container has runAsNonRoot and image will run as root"),
    (None, {"runAsNonRoot": True}, "root:root", "image will run as root"),
    (None, {"runAsNonRoot": True}, "nobody", "image has non-numeric user (nobody), "
                                             "cannot verify user is non-root"),
    ({"runAsNonRoot": True}, {"runAsUser": 0}, "", "container's runAsUser breaks non-root "
                                                   "policy"),
])
def test_run_as_non_root_refuses_root(pod_sc: dict | None, sc: dict | None, image_user: str,
                                      message: str) -> None:
    pod, c = pod_with(pod_sc, sc)
    with pytest.raises(StartFailure) as e:
        container_security(pod, c, POLICY, image_user)
    assert e.value.reason == CREATE_CONFIG_ERROR
    assert message in e.value.message
    assert '(pod: "web_default(uid-web)", container: app)' in e.value.message


def test_run_as_non_root_accepts_a_numeric_user() -> None:
    pod, c = pod_with({"runAsNonRoot": True})
    assert needs_image_user(pod, c)
    assert container_security(pod, c, POLICY, "1000:1000").user is None  # the image's own
    pod, c = pod_with({"runAsNonRoot": True, "runAsUser": 1000})
    assert not needs_image_user(pod, c)
    assert container_security(pod, c, POLICY).user == "1000"
