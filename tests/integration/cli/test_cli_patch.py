"""`tug patch`: strategic merge (the default), merge and JSON patches, inline or from a
file, on objects and their scale subresource, with kubectl's lines and errors."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug


def deployment(name: str = "web") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [
                                      {"name": "app", "image": "busybox:1.36"},
                                      {"name": "side", "image": "busybox:1.36"}]}}}}


def post(api: httpx.Client, path: str, body: dict) -> dict:
    """Create through the API (JSON asked for explicitly: httpx sends Accept */*)."""
    r = api.post(path, json=body, headers={"Accept": "application/json"})
    assert r.status_code == 201, r.text
    return r.json()


def get(api: httpx.Client, path: str) -> dict:
    r = api.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def test_patch_kinds(tug: Tug, api: httpx.Client, tmp_path: Path) -> None:
    path = f"/apis/apps/v1/namespaces/{tug.namespace}/deployments"
    post(api, path, deployment())
    # strategic: containers merge by name, the other container stays
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}'
    assert tug.ok("patch", "deployment", "web", "-p", patch) == "deployment.apps/web patched\n"
    spec = get(api, f"{path}/web")["spec"]["template"]["spec"]
    assert [(c["name"], c["image"]) for c in spec["containers"]] == [
        ("app", "nginx"), ("side", "busybox:1.36")]
    assert tug.ok("patch", "deploy/web", "-p", patch) == \
        "deployment.apps/web patched (no change)\n"
    # merge, given as YAML: the list is replaced
    assert tug.ok("patch", "deploy", "web", "--type=merge", "-p",
                  "spec: {replicas: 3}") == "deployment.apps/web patched\n"
    ops = tmp_path / "ops.json"
    ops.write_text('[{"op": "replace", "path": "/spec/replicas", "value": 4}]')
    assert tug.ok("patch", "deploy", "web", "--type", "json", "--patch-file", str(ops)) == \
        "deployment.apps/web patched\n"
    assert get(api, f"{path}/web")["spec"]["replicas"] == 4
    assert tug.ok("patch", "deploy", "web", "--subresource=scale", "-p",
                  '{"spec":{"replicas":2}}') == "scale.autoscaling/web patched\n"
    assert tug.ok("patch", "deploy", "web", "-p", '{"spec":{"replicas":5}}',
                  "-o", "jsonpath={.spec.replicas}") == "5"


def test_patch_dry_runs(tug: Tug, api: httpx.Client) -> None:
    path = f"/apis/apps/v1/namespaces/{tug.namespace}/deployments"
    post(api, path, deployment())
    for mode in ("client", "server"):
        out = tug.ok("patch", "deploy", "web", "-p", '{"spec":{"replicas":7}}',
                     f"--dry-run={mode}", "-o", "jsonpath={.spec.replicas}")
        assert out == "7"
    assert get(api, f"{path}/web")["spec"]["replicas"] == 1


def test_patch_errors(tug: Tug, api: httpx.Client) -> None:
    post(api, f"/apis/apps/v1/namespaces/{tug.namespace}/deployments", deployment())
    r = tug("patch", "deploy", "web")
    assert (r.code, r.err) == (1, "error: must specify --patch or --patch-file containing the "
                                  "contents of the patch\n")
    r = tug("patch", "deploy", "web", "-p", "{}", "--type=foo")
    assert r.err == 'error: --type must be one of [json merge strategic], not "foo"\n'
    r = tug("patch", "deploy", "nope", "-p", '{"spec":{"replicas":2}}')
    assert (r.code, r.err) == (1, 'Error from server (NotFound): deployments.apps "nope" not '
                                  "found\n")
    r = tug("patch", "deploy", "web", "--patch-file=/nonexistent")
    assert r.err == ("error: unable to read patch file: open /nonexistent: no such file or "
                     "directory\n")
    r = tug("patch", "deploy", "web", "-p", '{"spec":{"replicas":"x"}}')
    assert r.code == 1 and r.err.startswith('The Deployment "web" is invalid: spec.replicas')


def test_patch_errors_read_as_one_line(tug: Tug, api: httpx.Client) -> None:
    post(api, f"/apis/apps/v1/namespaces/{tug.namespace}/deployments", deployment())
    # a patch that is neither JSON nor YAML: one line, as Go's yaml words it
    r = tug("patch", "deploy", "web", "-p", "{bad")
    assert (r.code, r.err) == (1, 'error: unable to parse "{bad": yaml: line 1: expected \',\' '
                                  "or '}', but got '<stream end>'\n")
    # a JSON patch the object cannot take: the server's reason, as kubectl prints it
    r = tug("patch", "deploy", "web", "--type=json", "-p",
            '[{"op":"remove","path":"/spec/nope"}]')
    assert (r.code, r.err) == (1, "The request is invalid: the server rejected our request due "
                                  "to an error in our request: json patch operation 0 (remove "
                                  '/spec/nope): key "nope" not found\n')
