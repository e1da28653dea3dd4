"""Restart safety and leader election with real processes: a controller manager killed
with SIGKILL in the middle of scaling an RC to 50 leaves, after a restart, exactly 50
pods; two managers share one Lease and only the leader acts; a SIGTERM'd leader exits
cleanly and hands over at once."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.controller.cluster import FAST_FLAGS, ControllerManagerProcess, pods
from tests.integration.controller.test_replication import rc_body
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import SyncApiClient

ELECTION = ["--leader-elect=true", "--leader-elect-lease-duration", "3s",
            "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms",
            *[f for f in FAST_FLAGS if not f.startswith("--leader-elect")]]


def rc_settled(kube: SyncApiClient, ns: str, name: str, replicas: int) -> bool:
    rc = kube.get("replicationcontrollers", name, ns)
    status = rc.get("status") or {}
    return status.get("replicas") == replicas and \
        status.get("observedGeneration") == rc["metadata"]["generation"]


def test_kill9_while_scaling_to_50_ends_with_exactly_50(
        apiserver: ApiServerProcess, kube: SyncApiClient, ns: str, tmp_path: Path) -> None:
    first = ControllerManagerProcess(apiserver.url, tmp_path).start()
    try:
        kube.create("replicationcontrollers", rc_body("big", 0, {"app": "big"}), ns)
        kube.patch_scale("replicationcontrollers", "big", 50, ns)
        wait_until(lambda: len(pods(kube, ns, "app=big")) >= 3, 15, "scaling under way")
    finally:
        first.kill9()
    at_kill = len(pods(kube, ns, "app=big"))
    second = ControllerManagerProcess(apiserver.url, tmp_path).start()
    try:
        wait_until(lambda: rc_settled(kube, ns, "big", 50), 30, "50 pods reported")
        assert len(pods(kube, ns, "app=big")) == 50, f"{at_kill} pods when killed"
    finally:
        second.stop()


def leading(cm: ControllerManagerProcess) -> bool:
    return httpx.get(cm.url + "/readyz", timeout=2).status_code == 200


def holder(kube: SyncApiClient) -> str:
    lease = kube.get("leases", "kube-controller-manager", "kube-system")
    return lease["spec"].get("holderIdentity") or ""


def test_leader_election_between_two_managers(
        apiserver: ApiServerProcess, kube: SyncApiClient, ns: str, tmp_path: Path,
        manager: ControllerManagerProcess) -> None:
    manager.stop()  # the module's manager does not take part in the election
    a = ControllerManagerProcess(apiserver.url, tmp_path, ELECTION).start()
    b = ControllerManagerProcess(apiserver.url, tmp_path, ELECTION).start()
    try:
        wait_until(lambda: leading(a) != leading(b), 15, "exactly one leader")
        leader, follower = (a, b) if leading(a) else (b, a)
        assert holder(kube)
        kube.create("replicationcontrollers", rc_body("le", 2, {"app": "le"}), ns)
        wait_until(lambda: len(pods(kube, ns, "app=le")) == 2, 15, "the leader acts")
        leader.kill9()
        wait_until(lambda: leading(follower), 20, "the follower takes over")
        kube.patch_scale("replicationcontrollers", "le", 4, ns)
        wait_until(lambda: len(pods(kube, ns, "app=le")) == 4, 15, "the new leader acts")
        third = ControllerManagerProcess(apiserver.url, tmp_path, ELECTION).start()
        try:
            assert not leading(third)
            assert follower.stop() == 0  # SIGTERM: a clean exit that releases the Lease
            wait_until(lambda: leading(third), 10, "a prompt hand-over")
        finally:
            third.stop()
    finally:
        a.stop()
        b.stop()
