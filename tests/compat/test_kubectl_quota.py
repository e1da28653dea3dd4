"""ResourceQuota and LimitRange with real kubectl 1.32 and 1.37: `create quota` (its
typed client sends protobuf), `get quota` with the server's REQUEST/LIMIT columns,
`describe quota` and `describe limits` as kubectl lays them out, the 403 a pod over the
quota gets, and the defaults a LimitRange puts into a pod — with the admission plugins on,
as `tug up` runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.compat.conftest import Kubectl, Rest
from tests.support.processes import ApiServerProcess


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("quota-apiserver"), extra=[
        "--enable-admission-plugins", "LimitRanger,ResourceQuota"])
    proc.start()
    yield proc
    proc.stop()


def _status(rest: Rest, ns: str, name: str, hard: dict, used: dict) -> None:
    q = rest.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}")
    q["status"] = {"hard": hard, "used": used}
    r = rest.http.put(f"/api/v1/namespaces/{ns}/resourcequotas/{name}/status", json=q)
    assert r.status_code == 200, r.text


def tug(server: ApiServerProcess, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "tugboat.cli", "--server", server.url, *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_create_get_describe_quota(kubectl: Kubectl, rest: Rest, ns: str,
                                   apiserver: ApiServerProcess) -> None:
    assert kubectl.ok("create", "quota", "q", "--hard=pods=1,limits.memory=1Gi,cpu=1000m",
                      "--scopes=NotTerminating").strip() == "resourcequota/q created"
    q = rest.get(f"/api/v1/namespaces/{ns}/resourcequotas/q")
    assert q["spec"] == {"hard": {"cpu": "1", "limits.memory": "1Gi", "pods": "1"},
                         "scopes": ["NotTerminating"]}
    # what the resourcequota controller would write
    _status(rest, ns, "q", q["spec"]["hard"], {"cpu": "0", "limits.memory": "0", "pods": "0"})

    out = kubectl.ok("get", "quota").splitlines()
    assert out[0].split() == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert out[1].split()[0] == "q"
    assert out[1].split()[2:] == ["cpu:", "0/1,", "pods:", "0/1", "limits.memory:", "0/1Gi"]

    page = kubectl.ok("describe", "quota", "q")
    assert page.splitlines() == [
        "Name:       q",
        f"Namespace:  {ns}",
        "Scopes:     NotTerminating",
        " * Matches all pods that do not have an active deadline. These pods usually include "
        "long running pods whose container command is not expected to terminate.",
        "Resource       Used  Hard",
        "--------       ----  ----",
        "cpu            0     1",
        "limits.memory  0     1Gi",
        "pods           0     1",
    ]
    assert tug(apiserver, "describe", "quota", "q", "-n", ns) == page

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "busybox",
                        "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}}]}}
    assert kubectl.ok("apply", "-f", kubectl.manifest("p", pod)).strip() == "pod/p created"
    pod["metadata"]["name"] = "p2"
    r = kubectl("apply", "-f", kubectl.manifest("p2", pod))
    assert r.returncode == 1
    assert 'pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, ' \
           "limited: pods=1" in r.stderr


def test_limit_range_defaults_and_describe(kubectl: Kubectl, rest: Rest, ns: str,
                                           apiserver: ApiServerProcess) -> None:
    lr = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"}, "spec": {
        "limits": [{"type": "Container", "max": {"cpu": "500m"},
                    "default": {"cpu": "200m"}, "defaultRequest": {"cpu": "100m"}}]}}
    assert kubectl.ok("apply", "-f", kubectl.manifest("lr", lr)).strip() \
        == "limitrange/lr created"
    out = kubectl.ok("get", "limits").splitlines()
    assert out[0].split() == ["NAME", "CREATED", "AT"]
    assert out[1].split()[0] == "lr" and out[1].split()[1].endswith("Z")
    text = kubectl.ok("describe", "limits", "lr")
    assert tug(apiserver, "describe", "limits", "lr", "-n", ns) == text
    page = text.splitlines()
    assert page[2].split() == ["Type", "Resource", "Min", "Max", "Default", "Request",
                               "Default", "Limit", "Max", "Limit/Request", "Ratio"]
    assert page[4].split() == ["Container", "cpu", "-", "500m", "100m", "200m", "-"]

    assert kubectl.ok("run", "web", "--image=busybox").strip() == "pod/web created"
    spec = rest.get(f"/api/v1/namespaces/{ns}/pods/web")["spec"]
    assert spec["containers"][0]["resources"] == {"limits": {"cpu": "200m"},
                                                  "requests": {"cpu": "100m"}}
    big = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"}, "spec": {
        "containers": [{"name": "c", "image": "busybox",
                        "resources": {"limits": {"cpu": "1"}}}]}}
    r = kubectl("create", "-f", kubectl.manifest("big", big))
    assert r.returncode == 1
    assert "maximum cpu usage per Container is 500m, but limit is 1" in r.stderr
