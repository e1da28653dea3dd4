"""`tug delete`: names, files, selectors, --all; deletion options; waiting for the object
to go, as kubectl does."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug, create, pod
from tests.support.processes import wait_until


def _exists(api: httpx.Client, ns: str, name: str, kind: str = "pods") -> bool:
    return api.get(f"/api/v1/namespaces/{ns}/{kind}/{name}").status_code == 200


def test_by_name_selector_all_and_file(tug: Tug, api: httpx.Client, ns: str,
                                       tmp_path: Path) -> None:
    for name in ("a", "b", "c", "d"):
        create(api, f"/api/v1/namespaces/{ns}/pods", pod(name, {"app": name, "x": "1"}))
    assert tug.ok("delete", "pod", "a") == 'pod "a" deleted\n'
    assert not _exists(api, ns, "a")
    assert tug.ok("delete", "pods", "-l", "app=b", "-o", "name") == "pod/b\n"
    f = tmp_path / "c.yaml"
    f.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\n")
    assert tug.ok("delete", "-f", str(f)) == 'pod "c" deleted\n'
    assert tug.ok("delete", "pods", "--all") == 'pod "d" deleted\n'
    assert tug.ok("delete", "pods", "--all") == "No resources found\n"


def test_errors(tug: Tug) -> None:
    r = tug("delete", "pod", "nope")
    assert r.code == 1 and r.err == 'Error from server (NotFound): pods "nope" not found\n'
    assert tug("delete", "pod", "nope", "--ignore-not-found").ok().out == ""
    r = tug("delete", "pods")
    assert r.code == 1 and r.err == "error: resource(s) were provided, but no name was specified\n"
    r = tug("delete", "pod", "x", "--cascade=sideways")
    assert r.code == 1 and "invalid cascade value (sideways)" in r.err


def test_waits_until_a_graceful_deletion_finishes(tug: Tug, api: httpx.Client, ns: str) -> None:
    """A pod bound to a node is only marked; tug waits until (here) the test removes it,
    standing in for the node's kubelet."""
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("bound", node="some-node"))
    proc = tug.popen("delete", "pod", "bound")
    path = f"/api/v1/namespaces/{ns}/pods/bound"
    wait_until(lambda: api.get(path).json()["metadata"].get("deletionTimestamp"), 15,
               "the pod to be marked for deletion")
    assert proc.proc.poll() is None, "tug delete returned before the pod was gone"
    proc.wait_for(r'^pod "bound" deleted$')
    assert api.request("DELETE", path, json={"gracePeriodSeconds": 0}).status_code == 200
    assert proc.proc.wait(15) == 0


def test_no_wait_force_and_cascade(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("bound", node="some-node"))
    assert tug.ok("delete", "pod", "bound", "--wait=false") == 'pod "bound" deleted\n'
    assert _exists(api, ns, "bound")  # marked, not gone
    forced = tug("delete", "pod", "bound", "--force", "--grace-period=0").ok()
    assert forced.out == 'pod "bound" force deleted\n'
    assert forced.err.startswith("Warning: Immediate deletion does not wait for confirmation")
    assert not _exists(api, ns, "bound")
    create(api, f"/api/v1/namespaces/{ns}/replicationcontrollers", {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
        "spec": {"replicas": 0, "selector": {"app": "rc"}, "template": {
            "metadata": {"labels": {"app": "rc"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.35"}]}}}})
    assert tug.ok("delete", "rc", "rc", "--cascade=foreground", "--wait=false") == \
        'replicationcontroller "rc" deleted\n'
    live = api.get(f"/api/v1/namespaces/{ns}/replicationcontrollers/rc").json()
    assert live["metadata"]["finalizers"] == ["foregroundDeletion"]
