"""`tug debug` without a kubelet (the e2e suite runs the containers): what it asks the
server for — an ephemeral container, a copy of the pod, a pod on a node — and kubectl's
refusals for what debug does not take."""

from __future__ import annotations

import re

import httpx

from tests.integration.cli.conftest import Tug, create, pod


def _pod(api: httpx.Client, ns: str, name: str) -> dict:
    r = api.get(f"/api/v1/namespaces/{ns}/pods/{name}", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def test_an_ephemeral_container_is_added(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("app"))
    r = tug("debug", "app", "--image=busybox:1.35", "--target=c").ok()
    m = re.search(r"^Defaulting debug container name to (debugger-[a-z0-9]{5})\.$", r.out, re.M)
    assert m, r.out
    [ec] = _pod(api, ns, "app")["spec"]["ephemeralContainers"]
    assert (ec["name"], ec["image"], ec["targetContainerName"]) == (m[1], "busybox:1.35", "c")
    assert ec["securityContext"]["capabilities"]["add"] == ["SYS_PTRACE"]  # general profile


def test_a_copy_of_the_pod(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("app", labels={"app": "web"}))
    tug.ok("debug", "app", "--copy-to=app-debug", "--set-image=*=busybox:1.36")
    copy = _pod(api, ns, "app-debug")
    assert [c["image"] for c in copy["spec"]["containers"]] == ["busybox:1.36"]
    assert "labels" not in copy["metadata"]  # no Service or controller picks it up
    assert copy["spec"]["shareProcessNamespace"] is True


def test_what_debug_does_not_take(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/configmaps",
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
    cases = {
        ("cm/cm",): 'error: "/v1, Kind=ConfigMap" not supported by debug',
        ("deployment/ghost",): 'Error from server (NotFound): deployments.apps "ghost" not '
                               "found",
        ("widgets/x",): 'error: the server doesn\'t have a resource type "widgets"',
        ("node/ghost",): 'Error from server (NotFound): nodes "ghost" not found',
        ("pod/ghost",): 'Error from server (NotFound): pods "ghost" not found',
    }
    for args, message in cases.items():
        r = tug("debug", *args, "--image=busybox:1.35")
        assert (r.code, r.err.strip()) == (1, message), args
