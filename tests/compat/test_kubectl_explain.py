"""Real kubectl explain (1.32 and 1.37) reads the served OpenAPI v3: it finds a kind's schema
by its x-kubernetes-group-version-kind, walks fields through the $refs, and prints
Kubernetes' own descriptions; the documents it fetched by hash come from its cache after."""

from __future__ import annotations

import re

from tests.compat.conftest import Kubectl
from tugboat.api.proto import descriptions, message_name
from tugboat.api.resources import RESOURCES


def _words(text: str) -> str:
    """kubectl wraps descriptions at 80 columns: compare with whitespace collapsed."""
    return " ".join(text.split())


def test_explain_every_served_kind(kubectl: Kubectl) -> None:
    docs = descriptions()
    for r in RESOURCES:
        out = kubectl.ok("explain", r.resource, f"--api-version={r.group_version}")
        assert f"KIND:       {r.kind}\n" in out, out
        assert f"VERSION:    {r.version}\n" in out, out
        if r.group:
            assert f"GROUP:      {r.group}\n" in out, out
        message = message_name(r.group_version, r.kind)
        if message is not None:  # metrics.k8s.io is not among k8s.io/api's messages
            assert _words(docs[message][""]) in _words(out), (r.resource, out)


def test_explain_prints_kubernetes_descriptions(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "pods")
    assert "Pod is a collection of containers that can run on a host." in _words(out)
    assert "Specification of the desired behavior of the pod." in _words(out)
    assert "spec\t<PodSpec>" in out and "<no description>" not in out


def test_explain_a_kind(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "deployments")
    assert "KIND:       Deployment" in out and "GROUP:      apps" in out
    assert "spec\t<DeploymentSpec>" in out


def test_explain_nested_fields(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "pods.spec.containers.livenessProbe.httpGet")
    assert "FIELD: httpGet <HTTPGetAction>" in out
    assert "port\t<IntOrString> -required-" in out
    assert "Name or number of the port to access on the container." in _words(out)
    out = kubectl.ok("explain", "deployments.spec.strategy.rollingUpdate")
    assert "FIELD: rollingUpdate <RollingUpdateDeployment>" in out
    assert "maxSurge\t<IntOrString>" in out and "maxUnavailable\t<IntOrString>" in out
    out = kubectl.ok("explain", "services.spec.ports.targetPort")
    assert "FIELD: targetPort <IntOrString>" in out
    assert "Number or name of the port to access on the pods targeted by the service." \
        in _words(out)
    out = kubectl.ok("explain", "pods.spec.containers.resources.limits")
    assert "FIELD: limits <map[string]Quantity>" in out


def test_explain_fields_of_other_kinds(kubectl: Kubectl) -> None:
    assert "port\t<integer> -required-" in kubectl.ok("explain", "services.spec.ports")
    out = kubectl.ok("explain", "clusterroles.rules")
    assert "GROUP:      rbac.authorization.k8s.io" in out and "verbs\t<[]string>" in out
    out = kubectl.ok("explain", "clusterrolebindings.subjects")
    assert "FIELD: subjects <[]Subject>" in out and "  kind\t<string>" in out
    out = kubectl.ok("explain", "hpa.spec", "--api-version=autoscaling/v2")
    assert "VERSION:    v2" in out and "scaleTargetRef\t<CrossVersionObjectReference>" in out
    assert "maxReplicas\t<integer> -required-" in out


def test_explain_recursive(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "deployments.spec.strategy", "--recursive")
    assert re.search(r"^  rollingUpdate\t<RollingUpdateDeployment>$", out, re.M), out
    assert re.search(r"^    maxSurge\t<IntOrString>$", out, re.M), out
    assert re.search(r"^  type\t<string>$", out, re.M), out
    out = kubectl.ok("explain", "pods", "--recursive")
    assert re.search(r"^        httpGet\t<HTTPGetAction>$", out, re.M), out


def test_explain_an_unknown_field_fails(kubectl: Kubectl) -> None:
    r = kubectl("explain", "pods.spec.nosuchfield")
    assert r.returncode != 0 and "nosuchfield" in r.stderr


def test_documents_come_from_kubectls_cache_the_second_time(kubectl: Kubectl) -> None:
    """The index names api/v1 by its hash: kubectl keeps that document (immutable) and
    revalidates the index by its ETag."""
    kubectl.ok("explain", "pods")
    r = kubectl("explain", "pods", "-v=8")
    assert r.returncode == 0, r.stderr
    # kubectl's -v=8 log: the request line, then the response's headers (both versions)
    _, found, after = r.stderr.partition("/openapi/v3/api/v1?hash=")
    assert found, r.stderr[-3000:]
    response = after.split("Response Body", 1)[0]
    assert "X-From-Cache: 1" in response, response


def test_explain_from_openapi_v2(kubectl: Kubectl) -> None:
    """The legacy output reads /openapi/v2 (as gnostic protobuf)."""
    out = kubectl.ok("explain", "pods.spec.containers.livenessProbe.httpGet",
                     "--output", "plaintext-openapiv2")
    assert "RESOURCE: httpGet <Object>" in out
    assert "HTTPGetAction describes an action based on HTTP Get requests." in _words(out)
    assert "port\t<string> -required-" in out
    out = kubectl.ok("explain", "deployments", "--output", "plaintext-openapiv2")
    assert "Deployment enables declarative updates for Pods and ReplicaSets." in _words(out)
