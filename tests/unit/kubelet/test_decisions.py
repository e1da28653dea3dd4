"""The pod worker's decisions (computePodActions) on hand-made runtime states."""

from __future__ import annotations

from tests.support.clock import ManualClock
from tugboat.client import Backoff
from tugboat.kubelet import decisions
from tugboat.kubelet.decisions import ProbeView, compute
from tugboat.kubelet.runtime import SANDBOX_NAME, PodRef, RuntimeContainer, State

from .conftest import NODE, make_pod

REF = PodRef("uid-web", "web", "default", NODE)
NOW = 1_800_000_000.0


def rc(name: str, attempt: int = 0, state: State = State.RUNNING, exit_code: int | None = None,
       finished: float | None = None, image: str = "busybox:1.35") -> RuntimeContainer:
    return RuntimeContainer(id=f"{name}-{attempt}", pod=REF, name=name, attempt=attempt,
                            state=state, image=image, exit_code=exit_code,
                            started_at=NOW - 100, finished_at=finished, ip="10.1.1.1")


def sandbox(attempt: int = 0, running: bool = True) -> RuntimeContainer:
    return rc(SANDBOX_NAME, attempt, State.RUNNING if running else State.EXITED,
              None if running else 0, None if running else NOW - 1)


def backoff(clock: ManualClock | None = None) -> Backoff:
    return Backoff(10, 300, clock=clock or ManualClock(NOW))


def test_a_new_pod_gets_a_sandbox_and_its_containers() -> None:
    a = compute(make_pod(), [], "Always", NOW, backoff(), ProbeView())
    assert a.create_sandbox and a.sandbox_attempt == 0
    assert [(s.spec.name, s.attempt, s.restart) for s in a.start] == [("app", 0, False)]


def test_a_running_pod_needs_nothing() -> None:
    a = compute(make_pod(), [sandbox(), rc("app")], "Always", NOW, backoff(), ProbeView())
    assert not (a.create_sandbox or a.start or a.kill or a.remove or a.waiting or a.terminal)


def test_the_first_crash_restarts_at_once_with_the_next_attempt() -> None:
    exited = rc("app", 0, State.EXITED, 1, NOW - 1)
    a = compute(make_pod(), [sandbox(), exited], "Always", NOW, backoff(), ProbeView())
    assert [(s.attempt, s.restart) for s in a.start] == [(1, True)]


def test_a_crash_inside_the_backoff_waits_in_crash_loop_back_off() -> None:
    clock = ManualClock(NOW - 5)
    b = backoff(clock)
    b.next(decisions.crash_key("uid-web", "app"))  # restarted 5 s ago: delay now 10 s
    clock.now = NOW
    exited = rc("app", 1, State.EXITED, 1, NOW - 4)
    a = compute(make_pod(), [sandbox(), exited], "Always", NOW, b, ProbeView())
    assert not a.start
    reason, message = a.waiting["app"]
    assert reason == "CrashLoopBackOff"
    assert message.startswith("back-off 10s restarting failed container=app pod=web_default")
    assert a.requeue_after == 6.0


def test_after_the_backoff_it_restarts() -> None:
    clock = ManualClock(NOW - 30)
    b = backoff(clock)
    b.next(decisions.crash_key("uid-web", "app"))
    clock.now = NOW
    exited = rc("app", 1, State.EXITED, 1, NOW - 11)
    a = compute(make_pod(), [sandbox(), exited], "Always", NOW, b, ProbeView())
    assert [(s.attempt, s.restart) for s in a.start] == [(2, True)]


def test_never_and_on_failure_leave_finished_containers_alone() -> None:
    ok = rc("app", 0, State.EXITED, 0, NOW - 1)
    for policy in ("Never", "OnFailure"):
        a = compute(make_pod(), [sandbox(), ok], policy, NOW, backoff(), ProbeView())
        assert a.terminal and not a.start
    failed = rc("app", 0, State.EXITED, 2, NOW - 1)
    assert compute(make_pod(), [sandbox(), failed], "Never", NOW, backoff(),
                   ProbeView()).terminal
    assert compute(make_pod(), [sandbox(), failed], "OnFailure", NOW, backoff(),
                   ProbeView()).start


def test_a_failed_liveness_probe_kills_the_container() -> None:
    view = ProbeView(liveness_failed=lambda c: c.name == "app")
    a = compute(make_pod(), [sandbox(), rc("app")], "Always", NOW, backoff(), view)
    assert [k.message for k in a.kill] == ["Container app failed liveness probe, "
                                           "will be restarted"]


def test_a_failed_startup_probe_kills_the_container() -> None:
    view = ProbeView(startup_failed=lambda c: True)
    a = compute(make_pod(), [sandbox(), rc("app")], "Always", NOW, backoff(), view)
    assert "startup probe" in a.kill[0].message


def test_an_image_change_replaces_the_container() -> None:
    a = compute(make_pod(), [sandbox(), rc("app", image="busybox:1.34")], "Always", NOW,
                backoff(), ProbeView())
    assert "definition changed" in a.kill[0].message


def test_a_dead_sandbox_is_replaced_and_its_containers_killed() -> None:
    a = compute(make_pod(), [sandbox(0, running=False), rc("app")], "Always", NOW, backoff(),
                ProbeView())
    assert [k.container.name for k in a.kill] == ["app"]
    assert not a.create_sandbox  # the killed container's restart brings the new sandbox


def test_a_dead_sandbox_with_a_container_to_start_gets_a_new_attempt() -> None:
    exited = rc("app", 0, State.EXITED, 137, NOW - 1)
    a = compute(make_pod(), [sandbox(0, running=False), exited], "Always", NOW, backoff(),
                ProbeView())
    assert a.create_sandbox and a.sandbox_attempt == 1


def test_never_does_not_recreate_a_dead_sandbox() -> None:
    a = compute(make_pod(), [sandbox(0, running=False), rc("app")], "Never", NOW, backoff(),
                ProbeView())
    assert not a.create_sandbox and [k.container.name for k in a.kill] == ["app"]


def test_old_attempts_are_removed_keeping_one_for_previous_logs() -> None:
    cs = [sandbox(), *(rc("app", n, State.EXITED, 1, NOW - 100 + n) for n in range(3)),
          rc("app", 3)]
    a = compute(make_pod(), cs, "Always", NOW, backoff(), ProbeView())
    assert sorted(c.attempt for c in a.remove) == [0, 1]


def test_a_finished_pod_per_the_api_starts_nothing() -> None:
    exited = rc("app", 0, State.EXITED, 1, NOW - 1)
    a = compute(make_pod(), [sandbox(), exited], "Always", NOW, backoff(), ProbeView(),
                api_terminal=True)
    assert a.terminal and not a.start


def test_a_container_created_but_never_started_is_replaced() -> None:
    created = rc("app", 2, State.CREATED)
    a = compute(make_pod(), [sandbox(), created], "Always", NOW, backoff(), ProbeView())
    assert created in a.remove and [s.attempt for s in a.start] == [2]


def test_go_durations() -> None:
    assert [decisions.go_duration(s) for s in (0.5, 10, 80, 300)] == \
        ["500ms", "10s", "1m20s", "5m0s"]
