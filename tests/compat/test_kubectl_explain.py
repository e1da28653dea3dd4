"""Real kubectl explain reads the served OpenAPI v3 (issue 12): it finds a kind's schema by
its x-kubernetes-group-version-kind and walks fields through the $refs."""

from __future__ import annotations

from tests.compat.conftest import Kubectl


def test_explain_a_kind(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "deployments")
    assert "KIND:       Deployment" in out and "GROUP:      apps" in out
    assert "spec\t<DeploymentSpec>" in out


def test_explain_a_nested_field(kubectl: Kubectl) -> None:
    out = kubectl.ok("explain", "pods.spec.containers")
    assert "FIELD: containers <[]Container>" in out
    for field in ("image\t<string>", "ports\t<[]ContainerPort>", "env\t<[]EnvVar>"):
        assert field in out, out


def test_explain_fields_of_other_kinds(kubectl: Kubectl) -> None:
    assert "port\t<integer>" in kubectl.ok("explain", "services.spec.ports")
    out = kubectl.ok("explain", "clusterroles.rules")
    assert "GROUP:      rbac.authorization.k8s.io" in out and "verbs\t<[]string>" in out
