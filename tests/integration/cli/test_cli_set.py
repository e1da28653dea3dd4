"""`tug set image|env|resources` on workloads' pod templates and on pods: what changes on
the server, kubectl's lines, and objects left alone when nothing changes."""

from __future__ import annotations

import httpx
import yaml

from tests.integration.cli.conftest import Tug, pod
from tests.integration.cli.test_cli_patch import deployment, get, post


def _containers(api: httpx.Client, ns: str, name: str = "web") -> dict[str, dict]:
    d = get(api, f"/apis/apps/v1/namespaces/{ns}/deployments/{name}")
    return {c["name"]: c for c in d["spec"]["template"]["spec"]["containers"]}


def test_set_image(tug: Tug, api: httpx.Client) -> None:
    ns = tug.namespace
    post(api, f"/apis/apps/v1/namespaces/{ns}/deployments", deployment())
    assert tug.ok("set", "image", "deployment/web", "app=nginx:1.27") == \
        "deployment.apps/web image updated\n"
    assert _containers(api, ns)["app"]["image"] == "nginx:1.27"
    assert _containers(api, ns)["side"]["image"] == "busybox:1.36"
    assert tug.ok("set", "image", "deployment/web", "app=nginx:1.27") == ""  # no change
    assert tug.ok("set", "image", "deploy", "-l", "app=web", "*=busybox:1.37") == \
        "deployment.apps/web image updated\n"
    assert {c["image"] for c in _containers(api, ns).values()} == {"busybox:1.37"}
    post(api, f"/api/v1/namespaces/{ns}/configmaps",
         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})
    r = tug("set", "image", "configmap/cfg", "app=x")
    assert r.err == ("error: configmaps/cfg the object is not a pod or does not have a pod "
                     "template: *v1.ConfigMap\n")
    r = tug("set", "image", "deploy/web", "deploy/gone", "app=busybox:1.36")
    assert r.code == 1 and r.out == "deployment.apps/web image updated\n"
    assert r.err == 'Error from server (NotFound): deployments.apps "gone" not found\n'
    r = tug("set", "image", "deploy/web", "nope=x")
    assert (r.code, r.err) == (1, 'error: unable to find container named "nope"\n')
    post(api, f"/api/v1/namespaces/{ns}/pods", pod("solo"))
    assert tug.ok("set", "image", "pod", "solo", "c=busybox:1.37") == "pod/solo image updated\n"
    assert get(api, f"/api/v1/namespaces/{ns}/pods/solo")["spec"]["containers"][0][
        "image"] == "busybox:1.37"


def test_set_env(tug: Tug, api: httpx.Client) -> None:
    ns = tug.namespace
    post(api, f"/apis/apps/v1/namespaces/{ns}/deployments", deployment())
    post(api, f"/api/v1/namespaces/{ns}/configmaps",
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
            "data": {"log.level": "debug"}})
    assert tug.ok("set", "env", "deploy/web", "-c", "app", "MODE=fast", "SIZE=3") == \
        "deployment.apps/web env updated\n"
    assert _containers(api, ns)["app"]["env"] == [{"name": "MODE", "value": "fast"},
                                                  {"name": "SIZE", "value": "3"}]
    assert "env" not in _containers(api, ns)["side"]
    assert tug.ok("set", "env", "deploy/web", "-c", "app", "MODE=fast") == ""
    assert tug.ok("set", "env", "deploy/web", "MODE-") == "deployment.apps/web env updated\n"
    r = tug("set", "env", "deploy/web", "-c", "app", "--from=configmap/cfg", "--prefix=APP_")
    assert r.ok().out == "deployment.apps/web env updated\n"
    assert r.err == "Warning: key log.level transferred to LOG_LEVEL\n"
    assert tug.ok("set", "env", "deploy/web", "-c", "app", "--list") == (
        "# Deployment web, container app\nSIZE=3\n"
        "# APP_LOG_LEVEL from configmap cfg, key log.level\n")


def test_set_resources(tug: Tug, api: httpx.Client) -> None:
    ns = tug.namespace
    post(api, f"/apis/apps/v1/namespaces/{ns}/deployments", deployment())
    out = tug.ok("set", "resources", "deploy/web", "-c", "app",
                 "--limits=cpu=200m,memory=512Mi", "--requests=cpu=100m")
    assert out == "deployment.apps/web resource requirements updated\n"
    assert _containers(api, ns)["app"]["resources"] == {
        "limits": {"cpu": "200m", "memory": "512Mi"}, "requests": {"cpu": "100m"}}
    assert not _containers(api, ns)["side"].get("resources")
    r = tug("set", "resources", "deploy/web", "--limits=cpu=abc")
    assert r.err == ("error: quantities must match the regular expression "
                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n")
    r = tug("set", "resources", "deploy/web")
    assert (r.code, r.err) == (1, "error: you must specify an update to requests or limits "
                                  "(in the form of --requests/--limits)\n")
    out = tug.ok("set", "resources", "deploy/web", "--limits=memory=1Gi", "--dry-run=client")
    assert out == "deployment.apps/web resource requirements updated (dry run)\n"
    assert _containers(api, ns)["app"]["resources"]["limits"]["memory"] == "512Mi"


def test_printed_objects_keep_managed_fields_only_when_asked(tug: Tug, api: httpx.Client
                                                             ) -> None:
    post(api, f"/apis/apps/v1/namespaces/{tug.namespace}/deployments", deployment())
    plain = yaml.safe_load(tug.ok("set", "env", "deploy/web", "A=1", "-o", "yaml"))
    assert "managedFields" not in plain["metadata"]
    kept = yaml.safe_load(tug.ok("set", "env", "deploy/web", "A=2", "-o", "yaml",
                                 "--show-managed-fields"))
    assert {e["manager"] for e in kept["metadata"]["managedFields"]} >= {"kubectl-set"}
    patched = yaml.safe_load(tug.ok("patch", "deploy", "web", "-p", '{"spec":{"replicas":2}}',
                                    "-o", "yaml", "--show-managed-fields"))
    assert {e["manager"] for e in patched["metadata"]["managedFields"]} >= {"kubectl-patch"}


def test_set_refusals_in_kubectls_words(tug: Tug, api: httpx.Client) -> None:
    post(api, f"/apis/apps/v1/namespaces/{tug.namespace}/deployments", deployment())
    r = tug("set", "env", "deploy/web", "-e", "X")  # neither X=VALUE nor X-
    assert (r.code, r.err) == (1, "error: unknown environment variable: X\n")
    r = tug("set", "resources", "deploy/web", "--limits=cpu")
    assert (r.code, r.err) == (1, "error: Invalid argument syntax cpu, expected "
                                  "<resource>=<value>\n")
    r = tug("set", "env", "deploy/web", "--list", "-c", "nope")
    assert (r.code, r.out, r.err) == (0, "", 'Warning: Deployment/web does not have any '
                                             'containers matching "nope"\n')
