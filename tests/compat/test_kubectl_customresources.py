"""Real kubectl (1.32 and 1.37) with CustomResourceDefinitions: `kubectl apply` a CRD, then a
custom object of it as soon as the CRD is served; `kubectl get` prints the CRD's printer
columns; an invalid object is refused naming the field; `kubectl explain` reads the kind's
schema from the OpenAPI v3 document."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.compat.conftest import Kubectl
from tests.support.processes import wait_until


@pytest.fixture
def group() -> str:
    return f"k{secrets.token_hex(3)}.example.com"


def crd(group: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "description": "What the gadget should be.",
                 "required": ["replicas"], "properties": {
                     "replicas": {"type": "integer", "minimum": 0,
                                  "description": "How many gadgets to run."},
                     "image": {"type": "string", "default": "busybox"}}},
        "status": {"type": "object", "properties": {"ready": {"type": "integer"}}}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"gadgets.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                               "shortNames": ["gd"]},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema},
                                   "subresources": {"status": {}},
                                   "additionalPrinterColumns": [
                                       {"name": "Replicas", "type": "integer",
                                        "jsonPath": ".spec.replicas"},
                                       {"name": "Image", "type": "string",
                                        "jsonPath": ".spec.image"}]}]}}


def gadget(group: str, name: str, replicas: Any) -> dict[str, Any]:
    return {"apiVersion": f"{group}/v1", "kind": "Gadget", "metadata": {"name": name},
            "spec": {"replicas": replicas}}


def test_apply_get_explain(kubectl: Kubectl, group: str) -> None:
    kubectl.ok("apply", "-f", kubectl.manifest("crd.yaml", crd(group)))
    wait_until(lambda: kubectl("get", f"gadgets.{group}").returncode == 0, 10,
               "kubectl to see the CRD's resource")
    kubectl.ok("apply", "-f", kubectl.manifest("g.yaml", gadget(group, "one", 3)))
    out = kubectl.ok("get", f"gadgets.{group}")
    header, row = out.splitlines()[:2]
    assert header.split() == ["NAME", "REPLICAS", "IMAGE"]
    assert row.split() == ["one", "3", "busybox"]
    # apply again with a change: a merge patch of the custom object
    kubectl.ok("apply", "-f", kubectl.manifest("g2.yaml", gadget(group, "one", 4)))
    assert kubectl.ok("get", f"gadgets.{group}", "one", "-o",
                      "jsonpath={.spec.replicas}") == "4"
    bad = kubectl("apply", "-f", kubectl.manifest("bad.yaml", gadget(group, "two", "many")))
    assert bad.returncode != 0
    assert "spec.replicas" in bad.stderr and "must be of type integer" in bad.stderr
    out = kubectl.ok("explain", f"gadgets.{group}.spec")
    assert "KIND:       Gadget" in out
    assert "How many gadgets to run." in " ".join(out.split())
    kubectl.ok("delete", "crd", f"gadgets.{group}")
