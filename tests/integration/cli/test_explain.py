"""`tug explain`: the documentation of types and fields, read from the server's OpenAPI v3,
printed as kubectl prints it (compared line for line with kubectl 1.32 against the same
server)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.cli.conftest import Tug

KUBECTL = "/usr/bin/kubectl"  # the version tug mimics (1.32)


def _kubectl(tug: Tug, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "explain", *args, "--server", tug.server,
                           "--cache-dir", str(cache)], capture_output=True, text=True,
                          timeout=60, env=tug.env)


def test_a_kind(tug: Tug) -> None:
    out = tug.ok("explain", "pods")
    assert out.startswith("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n")
    assert "    Pod is a collection of containers that can run on a host. This resource is\n" \
        in out
    assert "  spec\t<PodSpec>\n    Specification of the desired behavior of the pod." in out


def test_a_nested_field_with_its_types_description(tug: Tug) -> None:
    out = tug.ok("explain", "pods.spec.containers.livenessProbe.httpGet")
    assert "FIELD: httpGet <HTTPGetAction>\n" in out
    assert "HTTPGetAction describes an action based on HTTP Get requests." in out
    assert "  port\t<IntOrString> -required-\n" in out
    out = tug.ok("explain", "deploy.spec.strategy.rollingUpdate")
    assert out.startswith("GROUP:      apps\nKIND:       Deployment\n")
    assert "  maxSurge\t<IntOrString>\n" in out


def test_recursive_and_api_version(tug: Tug) -> None:
    out = tug.ok("explain", "deployments.spec.strategy", "--recursive")
    assert "FIELDS:\n  rollingUpdate\t<RollingUpdateDeployment>\n    maxSurge\t<IntOrString>\n" \
        in out
    out = tug.ok("explain", "hpa", "--api-version=autoscaling/v2")
    assert "KIND:       HorizontalPodAutoscaler\nVERSION:    v2\n" in out


def test_errors_as_kubectl_words_them(tug: Tug) -> None:
    r = tug("explain", "pods.spec.nosuch")
    assert r.code == 1 and r.err.strip() == 'error: field "nosuch" does not exist'
    r = tug("explain", "pods", "--output=bogus")
    assert (r.code, r.err) == (1, "error: unrecognized format: bogus\n")
    assert tug.ok("explain", "pods", "--output=plaintext").startswith("KIND:       Pod\n")
    r = tug("explain", "nosuchkind")  # a RESTMapper miss: kubectl prints no "error: "
    assert (r.code, r.err) == (1, 'the server doesn\'t have a resource type "nosuchkind"\n')
    r = tug("explain", "hpa", "--api-version=autoscaling/v9")
    assert r.code == 1 and \
        'couldn\'t find resource for "autoscaling/v9, Resource=horizontalpodautoscalers"' \
        in r.err


@pytest.mark.parametrize("args", [
    ("pods",), ("deployments",), ("services.spec.ports.targetPort",),
    ("clusterrolebindings.subjects",), ("pods.spec.containers.resources.limits",),
    ("pods.metadata.creationTimestamp",), ("events",), ("pods.spec.securityContext",),
    ("deployments", "--recursive"), ("hpa.spec.metrics", "--api-version=autoscaling/v2"),
    ("hpa",), ("nodemetrics",),
])
def test_the_same_page_as_kubectl(tug: Tug, tmp_path: Path, args: tuple[str, ...]) -> None:
    theirs = _kubectl(tug, tmp_path / "cache", *args)
    assert theirs.returncode == 0, theirs.stderr
    assert tug.ok("explain", *args) == theirs.stdout
