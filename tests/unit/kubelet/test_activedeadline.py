"""activeDeadlineSeconds: how long is left, and the status of a pod past its deadline."""

from __future__ import annotations

from tugboat.api.core import PodStatus
from tugboat.api.meta import parse_rfc3339
from tugboat.kubelet import activedeadline

from .conftest import make_pod

STARTED = "2027-01-15T08:00:00Z"


def _epoch(stamp: str) -> float:
    return parse_rfc3339(stamp).timestamp()


def test_the_deadline_counts_from_start_time() -> None:
    pod = make_pod(activeDeadlineSeconds=30)
    status = PodStatus(phase="Running", startTime=STARTED)
    t0 = _epoch(STARTED)
    assert activedeadline.remaining(pod, status, t0 + 10) == 20
    assert not activedeadline.exceeded(pod, status, t0 + 29.9)
    assert activedeadline.exceeded(pod, status, t0 + 30)


def test_no_deadline_no_start_or_finished_means_nothing_to_wait_for() -> None:
    t0 = _epoch(STARTED)
    running = PodStatus(phase="Running", startTime=STARTED)
    assert activedeadline.remaining(make_pod(), running, t0) is None
    deadline = make_pod(activeDeadlineSeconds=5)
    assert activedeadline.remaining(deadline, PodStatus(phase="Pending"), t0) is None
    done = PodStatus(phase="Succeeded", startTime=STARTED)
    assert not activedeadline.exceeded(deadline, done, t0 + 100)


def test_a_pod_past_its_deadline_fails_with_kubernetes_reason() -> None:
    failed = activedeadline.failed(PodStatus(phase="Running", startTime=STARTED,
                                             podIP="10.88.0.2"))
    assert (failed.phase, failed.reason, failed.message) == (
        "Failed", "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline")
    assert failed.podIP == "10.88.0.2" and failed.startTime == STARTED
