"""computePodActions for init containers and native sidecars, on hand-made runtime states."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.client import Backoff
from tugboat.kubelet import decisions
from tugboat.kubelet.decisions import Kill, ProbeView, compute
from tugboat.kubelet.initcontainers import TerminationOrdering
from tugboat.kubelet.runtime import SANDBOX_NAME, PodRef, RuntimeContainer, State

from .conftest import NODE, make_pod

REF = PodRef("uid-web", "web", "default", NODE)
NOW = 1_800_000_000.0
SANDBOX_AT = NOW - 200


def rc(name: str, attempt: int = 0, state: State = State.RUNNING, exit_code: int | None = None,
       created: float = SANDBOX_AT + 1) -> RuntimeContainer:
    return RuntimeContainer(id=f"{name}-{attempt}", pod=REF, name=name, attempt=attempt,
                            state=state, image="busybox:1.35", exit_code=exit_code,
                            created_at=created, started_at=created,
                            finished_at=None if state == State.RUNNING else NOW - 1)


def exited(name: str, code: int, attempt: int = 0, created: float = SANDBOX_AT + 1
           ) -> RuntimeContainer:
    return rc(name, attempt, State.EXITED, code, created)


def sandbox(attempt: int = 0, running: bool = True) -> RuntimeContainer:
    c = rc(SANDBOX_NAME, attempt, State.RUNNING if running else State.EXITED,
           None if running else 0, SANDBOX_AT)
    c.ip = "10.1.1.1"
    return c


def backoff() -> Backoff:
    return Backoff(10, 300, clock=ManualClock(NOW))


def pod(*inits: dict[str, Any], policy: str | None = None, apps: int = 1) -> Any:
    containers = [{"name": f"app{i}" if i else "app", "image": "busybox:1.35"}
                  for i in range(apps)]
    return make_pod(containers=containers, restart_policy=policy,
                    initContainers=[{"image": "busybox:1.35", **i} for i in inits])


SIDECAR = {"name": "side", "restartPolicy": "Always"}


def started(a: decisions.PodActions) -> list[tuple[str, int]]:
    return [(s.spec.name, s.attempt) for s in a.start]


def test_a_new_pod_starts_only_its_first_init_container() -> None:
    a = compute(pod({"name": "one"}, {"name": "two"}), [], "Always", NOW, backoff(),
                ProbeView())
    assert a.create_sandbox and started(a) == [("one", 0)]


def test_app_containers_wait_for_a_running_init_container() -> None:
    a = compute(pod({"name": "one"}), [sandbox(), rc("one")], "Always", NOW, backoff(),
                ProbeView())
    assert not (a.start or a.kill or a.terminal)


def test_each_init_container_to_exit_0_starts_the_next_then_the_apps() -> None:
    p = pod({"name": "one"}, {"name": "two"}, apps=2)
    a = compute(p, [sandbox(), exited("one", 0)], "Always", NOW, backoff(), ProbeView())
    assert started(a) == [("two", 0)]
    a = compute(p, [sandbox(), exited("one", 0), exited("two", 0)], "Always", NOW, backoff(),
                ProbeView())
    assert started(a) == [("app", 0), ("app1", 0)]


def test_a_failed_init_container_under_never_fails_the_pod() -> None:
    a = compute(pod({"name": "one"}, policy="Never"), [sandbox(), exited("one", 1)], "Never",
                NOW, backoff(), ProbeView())
    assert a.terminal and not a.start


def test_a_failed_init_container_restarts_under_on_failure_and_always() -> None:
    for policy in ("OnFailure", "Always"):
        a = compute(pod({"name": "one"}, policy=policy), [sandbox(), exited("one", 1)],
                    policy, NOW, backoff(), ProbeView())
        assert started(a) == [("one", 1)] and a.start[0].restart and not a.terminal


def test_a_crash_looping_init_container_waits_in_back_off() -> None:
    b = backoff()
    b.next(decisions.crash_key("uid-web", "one"))
    a = compute(pod({"name": "one"}), [sandbox(), exited("one", 1, attempt=1)], "Always",
                NOW, b, ProbeView())
    assert not a.start and a.waiting["one"][0] == "CrashLoopBackOff"


def test_the_next_init_container_waits_for_the_sidecar_to_have_started() -> None:
    p = pod(SIDECAR, {"name": "two"})
    state = [sandbox(), rc("side")]
    assert started(compute(p, state, "Never", NOW, backoff(),
                           ProbeView(started=lambda _c: False))) == []
    assert started(compute(p, state, "Never", NOW, backoff(), ProbeView())) == [("two", 0)]


def test_a_sidecar_failing_its_startup_probe_is_killed() -> None:
    a = compute(pod(SIDECAR), [sandbox(), rc("side")], "Never", NOW, backoff(),
                ProbeView(startup_failed=lambda _c: True, started=lambda _c: False))
    assert [k.container.name for k in a.kill] == ["side"] and not a.start


def test_a_sidecar_is_restarted_whatever_the_pods_policy() -> None:
    p = pod(SIDECAR, policy="Never")
    a = compute(p, [sandbox(), exited("side", 0), rc("app")], "Never", NOW, backoff(),
                ProbeView())
    assert started(a) == [("side", 1)]


def test_app_containers_done_under_never_end_the_pod_and_stop_the_sidecar() -> None:
    p = pod(SIDECAR, policy="Never")
    a = compute(p, [sandbox(), rc("side"), exited("app", 0)], "Never", NOW, backoff(),
                ProbeView())
    assert a.terminal and [k.container.name for k in a.kill] == ["side"]
    # ... even while the sidecar itself waits to be restarted.
    a = compute(p, [sandbox(), exited("side", 1), exited("app", 0)], "Never", NOW, backoff(),
                ProbeView())
    assert a.terminal and not a.start and not a.waiting


def test_once_initialized_plain_init_containers_are_left_alone() -> None:
    p = pod({"name": "one"}, SIDECAR)
    a = compute(p, [sandbox(), exited("one", 0), rc("side"), exited("app", 1)], "Always", NOW,
                backoff(), ProbeView())
    assert started(a) == [("app", 1)]


def test_a_new_sandbox_runs_the_init_containers_again() -> None:
    p = pod({"name": "one"}, {"name": "two"})
    dead = [sandbox(running=False), exited("one", 0), exited("two", 0), rc("app")]
    a = compute(p, dead, "Always", NOW, backoff(), ProbeView())
    assert a.create_sandbox and a.sandbox_attempt == 1
    assert started(a) == [("one", 1)] and [k.container.name for k in a.kill] == ["app"]
    # In the new sandbox, the old instance of "two" does not count: it runs again.
    new = rc(SANDBOX_NAME, 1, created=NOW - 10)
    new.ip = "10.1.1.2"
    later = [new, exited("one", 0, attempt=1, created=NOW - 9), exited("two", 0),
             exited("app", 137)]
    a = compute(p, later, "Always", NOW, backoff(), ProbeView())
    assert started(a) == [("two", 1)]


def test_a_dead_sandbox_of_a_pod_that_succeeded_under_on_failure_is_not_recreated() -> None:
    p = pod({"name": "one"}, policy="OnFailure")
    a = compute(p, [sandbox(running=False), exited("one", 0), exited("app", 0)], "OnFailure",
                NOW, backoff(), ProbeView())
    assert a.terminal and not a.create_sandbox


@pytest.mark.anyio
async def test_sidecars_stop_after_the_app_containers_last_first() -> None:
    p = pod(SIDECAR, {"name": "side2", "restartPolicy": "Always"}, apps=2)
    kills = [Kill(rc(n), "Stopping") for n in ("side", "app", "side2", "app1")]
    ordering = TerminationOrdering(p, kills)
    stopped: list[str] = []

    async def stop(name: str) -> None:
        await ordering.wait_for_turn(name, 30)
        stopped.append(name)
        await asyncio.sleep(0.01)  # a stop takes a while: nobody may overtake it
        ordering.terminated(name)

    await asyncio.gather(*(stop(k.container.name) for k in kills))
    assert set(stopped[:2]) == {"app", "app1"} and stopped[2:] == ["side2", "side"]


@pytest.mark.anyio
async def test_a_sidecar_waits_for_its_turn_no_longer_than_its_grace() -> None:
    p = pod(SIDECAR, apps=1)
    ordering = TerminationOrdering(p, [Kill(rc(n), "Stopping") for n in ("side", "app")])
    waited = await ordering.wait_for_turn("side", 0.05)  # the app never stops
    assert 0.05 <= waited < 1
    assert await ordering.wait_for_turn("app", 30) == 0  # an app container never waits


@pytest.mark.anyio
async def test_a_sidecar_does_not_wait_for_an_ephemeral_container() -> None:
    """A debugger shell may hold on until its SIGKILL; the sidecar's turn comes with the
    app containers', as the kubelet orders only those."""
    p = pod(SIDECAR, apps=1)
    kills = [Kill(rc(n), "Stopping") for n in ("side", "app", "debugger")]
    ordering = TerminationOrdering(p, kills)
    ordering.terminated("app")
    assert await ordering.wait_for_turn("side", 5) < 1
