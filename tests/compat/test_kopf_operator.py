"""A real operator from the ecosystem against Tugboat: tests/compat/operators/webapp.py,
written with kopf, runs as `kopf run --standalone` (its own process, its own kubeconfig)
and reconciles a `WebApp` custom resource into a Deployment the WebApp owns; an update
of the WebApp is followed; kopf records what it did in the WebApp's status."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.conftest import Rest, write_kubeconfig
from tests.compat.operators.webapp import GROUP, PLURAL, VERSION
from tests.support.processes import ApiServerProcess, wait_until

OPERATOR = Path(__file__).parent / "operators" / "webapp.py"
KOPF = Path(sys.executable).parent / "kopf"
CRD_NAME = f"{PLURAL}.{GROUP}"


@pytest.fixture(scope="module")
def webapp_crd(rest: Rest) -> None:
    spec_schema = {"type": "object", "required": ["image"], "properties": {
        "replicas": {"type": "integer", "minimum": 0, "default": 1},
        "image": {"type": "string"}}}
    # kopf keeps its own bookkeeping under status: let it through the pruning.
    status_schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    r = rest.http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json={
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD_NAME},
        "spec": {"group": GROUP, "scope": "Namespaced",
                 "names": {"plural": PLURAL, "singular": "webapp", "kind": "WebApp"},
                 "versions": [{"name": VERSION, "served": True, "storage": True,
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {
                                   "type": "object", "properties": {
                                       "spec": spec_schema, "status": status_schema}}}}]}})
    assert r.status_code in (201, 409), r.text
    wait_until(lambda: rest.status_of(f"/apis/{GROUP}/{VERSION}") == 200, 10,
               "the WebApp CRD to be served")


@pytest.fixture
def operator(apiserver: ApiServerProcess, webapp_crd: None, ns: str,
             tmp_path: Path) -> Iterator[Path]:
    """`kopf run` watching the test's namespace, standalone (no peering objects)."""
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", apiserver.url, ns)
    log_path = tmp_path / "kopf.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(KOPF), "run", "--standalone", "--namespace", ns, "--verbose", str(OPERATOR)],
            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
            env={**os.environ, "KUBECONFIG": str(kubeconfig), "PYTHONUNBUFFERED": "1"})
    try:
        yield log_path
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _deployment(rest: Rest, ns: str, name: str) -> dict[str, Any] | None:
    r = rest.http.get(f"/apis/apps/v1/namespaces/{ns}/deployments/{name}")
    return r.json() if r.status_code == 200 else None


def _await(cond: Any, what: str, log_path: Path, timeout: float = 45.0) -> None:
    """A bounded wait that shows kopf's log when it runs out."""
    try:
        wait_until(cond, timeout, what)
    except TimeoutError as e:
        raise AssertionError(f"{e}\n--- kopf log ---\n{log_path.read_text()[-4000:]}") from e


def test_kopf_operator_reconciles_webapp(rest: Rest, ns: str, operator: Path) -> None:
    base = f"/apis/{GROUP}/{VERSION}/namespaces/{ns}/{PLURAL}"
    app = rest.create(base, {"apiVersion": f"{GROUP}/{VERSION}", "kind": "WebApp",
                             "metadata": {"name": "shop"},
                             "spec": {"replicas": 2, "image": "nginx:1.25"}})

    def deployed(replicas: int, image: str) -> bool:
        d = _deployment(rest, ns, "shop")
        return d is not None and d["spec"]["replicas"] == replicas and \
            d["spec"]["template"]["spec"]["containers"][0]["image"] == image

    _await(lambda: deployed(2, "nginx:1.25"), "the Deployment created by kopf", operator)
    dep = _deployment(rest, ns, "shop")
    assert dep is not None
    (ref,) = dep["metadata"]["ownerReferences"]
    assert (ref["apiVersion"], ref["kind"], ref["name"], ref["uid"]) == (
        f"{GROUP}/{VERSION}", "WebApp", "shop", app["metadata"]["uid"])
    assert ref["controller"] is True and ref["blockOwnerDeletion"] is True

    _await(lambda: (rest.get(f"{base}/shop").get("status") or {}).get("replicas") == 2,
           "the status kopf patched", operator)
    status = rest.get(f"{base}/shop")["status"]
    assert status["deployment"] == "shop" and status["image"] == "nginx:1.25"

    # An update of the WebApp reaches the Deployment (and the status follows).
    rest.merge_patch(f"{base}/shop", {"spec": {"replicas": 3, "image": "nginx:1.27"}})
    _await(lambda: deployed(3, "nginx:1.27"), "the Deployment following the WebApp",
           operator)
    _await(lambda: rest.get(f"{base}/shop")["status"].get("replicas") == 3,
           "the status after the update", operator)
    assert rest.get(f"{base}/shop")["status"]["image"] == "nginx:1.27"
    # kopf's own bookkeeping: the last handled spec, kept as an annotation.
    annotations = rest.get(f"{base}/shop")["metadata"].get("annotations") or {}
    assert "kopf.zalando.org/last-handled-configuration" in annotations

    # The operator's Events (kopf.info) on the WebApp: core/v1 Events, as kopf posts them.
    def webapp_events() -> list[dict[str, Any]]:
        items = rest.get(f"/api/v1/namespaces/{ns}/events")["items"]
        return [e for e in items if e["involvedObject"].get("kind") == "WebApp"
                and e["involvedObject"].get("uid") == app["metadata"]["uid"]]

    _await(lambda: {e["message"] for e in webapp_events() if e["reason"] == "Reconciled"}
           == {"Deployment shop: 2 x nginx:1.25", "Deployment shop: 3 x nginx:1.27"},
           "kopf's Events on the WebApp", operator)
