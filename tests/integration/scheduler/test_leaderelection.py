"""Two tug-scheduler processes on one Lease: one binds, the other takes over when the
first dies; SIGTERM releases the Lease; a restart rebinds nothing and resumes pending work."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import unique_name
from tests.support.processes import ApiServerProcess, wait_until

from .conftest import FAST, Cluster, SchedulerProcess

LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler"
ELECTION = ["--lease-duration=2s", "--renew-deadline=1500ms", "--retry-period=250ms"]


@pytest.fixture
def pair(apiserver: ApiServerProcess) -> Iterator[list[SchedulerProcess]]:
    procs = [SchedulerProcess(apiserver.url, apiserver.data_dir / f"scheduler-{i}.log",
                              *FAST, *ELECTION) for i in range(2)]
    for proc in procs:
        proc.start()
    yield procs
    for proc in procs:
        proc.stop(signal.SIGKILL)


@pytest.fixture
def cluster(http: httpx.Client, request: pytest.FixtureRequest) -> Cluster:
    ns = unique_name(request)
    r = http.post("/api/v1/namespaces", json={"metadata": {"name": ns}})
    assert r.status_code == 201, r.text
    return Cluster(http, ns)


def holder(http: httpx.Client) -> str:
    return http.get(LEASE).json()["spec"].get("holderIdentity") or ""


def leaders(procs: list[SchedulerProcess]) -> list[SchedulerProcess]:
    return [p for p in procs if p.proc.poll() is None and p.leading()]


def scheduled_by(cluster: Cluster, pod: str) -> str:
    event = cluster.wait_event(pod, "Scheduled")
    assert event["count"] == 1  # bound once, reported once
    return event["reportingInstance"]


def test_failover_release_and_restart(pair: list[SchedulerProcess], cluster: Cluster,
                                      http: httpx.Client, apiserver: ApiServerProcess):
    wait_until(lambda: len(leaders(pair)) == 1, 10, "one leader")
    first = leaders(pair)[0]
    standby = next(p for p in pair if p is not first)
    renewed = http.get(LEASE).json()["spec"]["renewTime"]
    wait_until(lambda: http.get(LEASE).json()["spec"]["renewTime"] != renewed, 5, "a renewal")
    assert leaders(pair) == [first]  # the standby saw the renewal and stayed a standby

    cluster.node("a")
    cluster.pod("before")
    cluster.wait_bound("before")
    first_identity = holder(http)
    assert scheduled_by(cluster, "before") == first_identity

    killed_at = time.monotonic()
    first.stop(signal.SIGKILL)
    wait_until(standby.leading, 10, "the standby taking over")
    assert time.monotonic() - killed_at < 5  # lease 2 s + a retry period, with slack
    assert holder(http) not in ("", first_identity)
    cluster.pod("after-failover")
    cluster.wait_bound("after-failover")
    assert scheduled_by(cluster, "after-failover") == holder(http)

    assert standby.stop(signal.SIGTERM) == 0  # clean exit ...
    assert holder(http) == ""  # ... that hands the Lease back at once

    cluster.pod("while-down")
    replacement = SchedulerProcess(apiserver.url, apiserver.data_dir / "scheduler-r.log",
                                   *FAST, *ELECTION).start()
    try:
        wait_until(replacement.leading, 5, "the restarted scheduler leading")
        cluster.wait_bound("while-down")
        for pod in ("before", "after-failover", "while-down"):
            assert len(cluster.events(pod, "Scheduled")) == 1  # nothing bound twice
        assert cluster.node_of("before") == cluster.n("a")
    finally:
        replacement.stop()


def test_leader_election_can_be_turned_off(apiserver: ApiServerProcess, cluster: Cluster):
    solo = SchedulerProcess(apiserver.url, apiserver.data_dir / "scheduler-solo.log",
                            *FAST, "--leader-elect=false").start()
    try:
        wait_until(solo.leading, 5, "a scheduler without election acting at once")
        cluster.node("solo")
        cluster.pod("solo-pod")
        assert cluster.wait_bound("solo-pod") == {"solo-pod": cluster.n("solo")}
    finally:
        assert solo.stop() == 0
