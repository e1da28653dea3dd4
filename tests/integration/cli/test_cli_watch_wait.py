"""`tug get -w` prints changes as they happen; `tug wait` returns when the condition holds
and fails at its timeout."""

from __future__ import annotations

import httpx

from tests.integration.cli.conftest import Tug, create, pod

MERGE = {"Content-Type": "application/merge-patch+json"}


def test_watch_prints_each_change(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("first"))
    stream = tug.popen("get", "pods", "-w")
    try:
        assert stream.wait_for(r"^NAME +READY +STATUS +RESTARTS +AGE$")
        stream.wait_for(r"^first +0/1 +Pending +0 +\d+s$")
        create(api, f"/api/v1/namespaces/{ns}/pods", pod("second"))
        stream.wait_for(r"^second +0/1 +Pending")
        api.patch(f"/api/v1/namespaces/{ns}/pods/second/status", headers=MERGE,
                  json={"status": {"phase": "Running"}})
        stream.wait_for(r"^second +0/1 +Running")
        header_line = stream.lines[0]
        running = next(line for line in stream.lines if "Running" in line)
        # columns only ever widen (kubectl's remembered widths), so rows never fall behind
        assert running.index("Running") >= header_line.index("STATUS")
    finally:
        stream.stop()


def test_watch_one_object_as_names(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("solo"))
    stream = tug.popen("get", "pod", "solo", "-w", "-o", "name")
    try:
        stream.wait_for("^pod/solo$")
        api.patch(f"/api/v1/namespaces/{ns}/pods/solo", headers=MERGE,
                  json={"metadata": {"labels": {"changed": "yes"}}})
        stream.wait_for("^pod/solo$", count=2)
        create(api, f"/api/v1/namespaces/{ns}/pods", pod("other"))
        api.patch(f"/api/v1/namespaces/{ns}/pods/solo", headers=MERGE,
                  json={"metadata": {"labels": {"changed": "again"}}})
        stream.wait_for("^pod/solo$", count=3)
        assert "pod/other" not in stream.lines
    finally:
        stream.stop()


def test_wait_for_a_condition(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web"))
    waiter = tug.popen("wait", "--for=condition=Ready", "pod/web", "--timeout=30s")
    api.patch(f"/api/v1/namespaces/{ns}/pods/web/status", headers=MERGE, json={"status": {
        "conditions": [{"type": "Ready", "status": "True"}]}})
    waiter.wait_for("^pod/web condition met$")
    assert waiter.proc.wait(15) == 0


def test_wait_times_out(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web"))
    r = tug("wait", "--for=condition=Ready", "pod/web", "--timeout=1s")
    assert r.code == 1
    assert r.err == "error: timed out waiting for the condition on pods/web\n"
    r = tug("wait", "--for=condition=Ready", "pod/missing", "--timeout=1s")
    assert r.code == 1 and r.err == 'Error from server (NotFound): pods "missing" not found\n'


def test_wait_for_deletion_and_jsonpath(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("gone"))
    waiter = tug.popen("wait", "--for=delete", "pod/gone", "--timeout=30s")
    assert api.delete(f"/api/v1/namespaces/{ns}/pods/gone").status_code == 200
    waiter.wait_for("^pod/gone condition met$")
    assert waiter.proc.wait(15) == 0
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("phase"))
    waiter = tug.popen("wait", "--for=jsonpath={.status.phase}=Succeeded", "pods", "-l",
                       "app=phase", "--timeout=30s")
    api.patch(f"/api/v1/namespaces/{ns}/pods/phase/status", headers=MERGE,
              json={"status": {"phase": "Succeeded"}})
    waiter.wait_for("^pod/phase condition met$")
    assert waiter.proc.wait(15) == 0
