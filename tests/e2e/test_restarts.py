"""Restart policies on real Docker (S4): every policy with exit 0 and exit ≠ 0, all six pods
at once; and CrashLoopBackOff with the kubelet's --backoff-base 1s --backoff-max 4s."""

from __future__ import annotations

import time

import pytest

from tests.e2e.cluster import (
    Api,
    container_status,
    phase_of,
    pod_manifest,
    restarts,
    waiting_reason,
)

# policy, exit code → restarted?, final phase (None: keeps running/restarting)
TABLE = [
    ("Always", 0, True, "Running"),
    ("Always", 3, True, "Running"),
    ("OnFailure", 0, False, "Succeeded"),
    ("OnFailure", 3, True, "Running"),
    ("Never", 0, False, "Succeeded"),
    ("Never", 3, False, "Failed"),
]


def _name(policy: str, code: int) -> str:
    return f"{policy.lower()}-exit-{code}"


def test_restart_policy_table(api: Api, node: str, ns: str) -> None:
    for policy, code, _restarts, _phase in TABLE:
        api.create(ns, pod_manifest(_name(policy, code), node, f"sleep 0.5; exit {code}",
                                    restart_policy=policy))
    for policy, code, restarted, phase in TABLE:
        name = _name(policy, code)
        if restarted:
            pod = api.wait_pod(ns, name, lambda p: restarts(p) >= 1, 30, f"{name} restarted")
            assert phase_of(pod) == phase
            last = container_status(pod)["lastState"]["terminated"]
            assert last["exitCode"] == code
        else:
            pod = api.wait_phase(ns, name, phase)
            assert container_status(pod)["state"]["terminated"]["exitCode"] == code
    time.sleep(1.5)  # long enough for a wrong restart to show
    for policy, code, restarted, _phase in TABLE:
        if not restarted:
            assert restarts(api.pod(ns, _name(policy, code))) == 0


def test_crash_loop_back_off(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("crasher", node, "echo crashing; exit 1"))
    seen: set[str] = set()

    def progressed(pod: dict) -> bool:
        reason = waiting_reason(pod)
        if reason:
            seen.add(reason)
        return restarts(pod) >= 4 and "CrashLoopBackOff" in seen

    started = time.monotonic()
    pod = api.wait_pod(ns, "crasher", progressed, 40, "crash loop")
    took = time.monotonic() - started
    # delays 0, 1, 2, 4 s (capped at 4): four restarts need at least ~7 s
    assert took >= 6, took
    assert phase_of(pod) == "Running"
    state = container_status(pod)["lastState"]["terminated"]
    assert state["exitCode"] == 1 and state["reason"] == "Error"
    message = api.wait_pod(ns, "crasher", lambda p: waiting_reason(p) == "CrashLoopBackOff")[
        "status"]["containerStatuses"][0]["state"]["waiting"]["message"]
    assert message.startswith("back-off ") and "restarting failed container=main" in message
    reasons = {e["reason"] for e in api.events(ns, "crasher")}
    assert {"BackOff", "Started", "Created"} <= reasons


@pytest.mark.parametrize("policy", ["OnFailure"])
def test_on_failure_stops_restarting_after_success(api: Api, node: str, ns: str,
                                                   policy: str) -> None:
    # fails twice (a counter in an emptyDir survives restarts), then succeeds
    script = ("n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; "
              "[ $n -ge 3 ]")
    pod = pod_manifest("flaky", node, script, restart_policy=policy,
                       volumeMounts=[{"name": "data", "mountPath": "/data"}])
    pod["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
    api.create(ns, pod)
    pod = api.wait_phase(ns, "flaky", "Succeeded", 40)
    assert restarts(pod) == 2
