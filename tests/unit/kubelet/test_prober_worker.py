"""The prober worker, tick by tick, with an injected clock and a scripted probe: initial
delay, thresholds, startup gating, hold after a liveness failure, a new container."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.core import Container, Probe
from tugboat.kubelet.prober.results import Result, ResultsManager
from tugboat.kubelet.prober.worker import ProbeKind, Target, Worker

pytestmark = pytest.mark.anyio


class Script:
    """Probe results in order; records how often it ran."""

    def __init__(self, *results: Result):
        self.results = list(results)
        self.runs = 0

    async def __call__(self, *_args: Any) -> tuple[Result, str]:
        self.runs += 1
        return (self.results.pop(0) if self.results else Result.SUCCESS), "out"


def worker(kind: ProbeKind, script: Script, clock: ManualClock, target: list[Target | None],
           started: bool = True, **probe: Any) -> tuple[Worker, ResultsManager, list[str]]:
    changes: list[str] = []
    results = ResultsManager(changes.append)
    failures: list[str] = []
    w = Worker(kind, "uid", Container(name="c"), Probe(**probe), results, script,
               lambda: target[0], lambda _cid: started,
               lambda k, c, out: failures.append(out), clock=clock)
    return w, results, failures


def running(cid: str = "c1", started_at: float = 0.0) -> Target:
    return Target(cid, True, started_at, "10.0.0.9")


async def test_readiness_starts_failed_and_waits_for_success_threshold(clock: ManualClock) -> None:
    script = Script(Result.SUCCESS, Result.SUCCESS)
    w, results, _ = worker(ProbeKind.READINESS, script, clock, [running(started_at=clock.now)],
                           successThreshold=2)
    await w.probe_once()
    assert results.get("c1") == Result.FAILURE  # initial value; one success is not enough
    await w.probe_once()
    assert results.get("c1") == Result.SUCCESS


async def test_nothing_is_probed_before_the_initial_delay(clock: ManualClock) -> None:
    script = Script()
    w, results, _ = worker(ProbeKind.LIVENESS, script, clock, [running(started_at=clock.now)],
                           initialDelaySeconds=5)
    await w.probe_once()
    assert script.runs == 0 and results.get("c1") == Result.SUCCESS
    clock.advance(5)
    await w.probe_once()
    assert script.runs == 1


async def test_liveness_fails_after_failure_threshold_then_holds(clock: ManualClock) -> None:
    script = Script(Result.FAILURE, Result.FAILURE, Result.FAILURE, Result.FAILURE)
    target = [running()]
    w, results, failures = worker(ProbeKind.LIVENESS, script, clock, target, failureThreshold=3)
    for _ in range(2):
        await w.probe_once()
    assert results.get("c1") == Result.SUCCESS
    await w.probe_once()
    assert results.get("c1") == Result.FAILURE and len(failures) == 3
    await w.probe_once()
    assert script.runs == 3  # on hold until the container is replaced
    target[0] = running("c2")
    await w.probe_once()
    assert results.get("c1") is None and script.runs == 4
    assert results.get("c2") == Result.FAILURE or results.get("c2") == Result.SUCCESS


async def test_liveness_and_readiness_wait_for_the_startup_probe(clock: ManualClock) -> None:
    script = Script()
    w, _, _ = worker(ProbeKind.LIVENESS, script, clock, [running()], started=False)
    await w.probe_once()
    assert script.runs == 0
    startup, results, _ = worker(ProbeKind.STARTUP, script, clock, [running()], started=False)
    await startup.probe_once()
    assert script.runs == 1 and results.get("c1") == Result.SUCCESS


async def test_the_startup_probe_stops_once_started(clock: ManualClock) -> None:
    script = Script()
    w, _, _ = worker(ProbeKind.STARTUP, script, clock, [running()], started=True)
    await w.probe_once()
    assert script.runs == 0


async def test_a_stopped_container_is_a_failure_and_a_finished_one_ends_the_worker(
        clock: ManualClock) -> None:
    target = [running()]
    w, results, _ = worker(ProbeKind.READINESS, Script(), clock, target)
    await w.probe_once()
    target[0] = Target("c1", False, 0.0, None, exited_for_good=True)
    assert await w.probe_once() is False
    assert results.get("c1") == Result.FAILURE


async def test_result_changes_notify_the_pod(clock: ManualClock) -> None:
    changes: list[str] = []
    results = ResultsManager(changes.append)
    results.set("c", Result.FAILURE, "uid")
    results.set("c", Result.FAILURE, "uid")
    results.set("c", Result.SUCCESS, "uid")
    assert changes == ["uid", "uid"]
