"""Client-side apply shared by kubectl and tug: the last-applied-configuration annotation
`tug apply` writes is byte for byte kubectl's for the same file, so `kubectl apply` after
`tug apply` finds nothing to do and the other way round; and `kubectl diff` of an
unchanged file shows nothing and exits 0 (client-side and --server-side), while a changed
file shows the change and exits 1. Each test runs with kubectl 1.32 and 1.37."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.compat.conftest import Kubectl, Rest, pod_template

TUG = str(Path(sys.executable).parent / "tug")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CM = "/api/v1/namespaces/{ns}/configmaps/cfg"
DEPLOY = "/apis/apps/v1/namespaces/{ns}/deployments/web"


def objects(value: str = "<b>a & b</b>") -> list[dict]:
    """A ConfigMap with what Go's encoder escapes (<, >, &) and non-ASCII text, and a
    Deployment with nested lists and quantities."""
    tmpl = pod_template({"app": "web"})
    tmpl["spec"]["containers"][0].update(ports=[{"containerPort": 80}],
                                         resources={"limits": {"cpu": "500m"}})
    return [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "cfg", "labels": {"app": "web"},
                      "annotations": {"team": "blue"}},
         "data": {"html": value, "unicode": "çødé ü", "number": "1"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": tmpl}},
    ]


def tug(kubectl: Kubectl, ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    kubeconfig = kubectl.base[kubectl.base.index("--kubeconfig") + 1]
    env = {**os.environ, "HOME": str(kubectl.workdir), "KUBECONFIG": kubeconfig}
    env.pop("TUG_SERVER", None)
    return subprocess.run([TUG, "--kubeconfig", kubeconfig, "-n", ns, *args],
                          capture_output=True, text=True, timeout=60, env=env)


def other_namespace(rest: Rest) -> str:
    name = f"t-{uuid.uuid4().hex[:10]}"
    rest.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": name}})
    return name


def last_applied(rest: Rest, path: str, ns: str) -> str:
    text = rest.get(path.format(ns=ns))["metadata"]["annotations"][LAST_APPLIED]
    return text.replace(f'"namespace":"{ns}"', '"namespace":"NS"')


def test_tug_writes_kubectls_last_applied_byte_for_byte(kubectl: Kubectl, rest: Rest,
                                                        ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    kubectl.ok("apply", "-f", f)
    theirs = other_namespace(rest)
    r = tug(kubectl, theirs, "apply", "-f", f)
    assert r.returncode == 0, r.stderr
    for path in (CM, DEPLOY):
        mine = last_applied(rest, path, theirs)
        assert mine == last_applied(rest, path, ns)
    text = last_applied(rest, CM, theirs)
    assert text.endswith("}\n") and "\\u003cb\\u003ea \\u0026 b" in text and "çødé" in text
    assert '"annotations":{"team":"blue"}' in text
    assert '"annotations":{}' in last_applied(rest, DEPLOY, theirs)


def test_kubectl_apply_after_tug_apply_is_unchanged(kubectl: Kubectl, rest: Rest,
                                                    ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    r = tug(kubectl, ns, "apply", "-f", f)
    assert r.returncode == 0, r.stderr
    rv = rest.get(CM.format(ns=ns))["metadata"]["resourceVersion"]
    out = kubectl.ok("apply", "-f", f)
    assert out.splitlines() == ["configmap/cfg unchanged", "deployment.apps/web unchanged"]
    assert rest.get(CM.format(ns=ns))["metadata"]["resourceVersion"] == rv


def test_tug_apply_after_kubectl_apply_is_unchanged(kubectl: Kubectl, rest: Rest,
                                                    ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    kubectl.ok("apply", "-f", f)
    r = tug(kubectl, ns, "apply", "-f", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["configmap/cfg unchanged",
                                     "deployment.apps/web unchanged"]


def test_diff_of_an_unchanged_file_is_empty(kubectl: Kubectl, ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    kubectl.ok("apply", "-f", f)
    r = kubectl("diff", "-f", f)
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr


def test_diff_of_an_unchanged_file_applied_by_tug_is_empty(kubectl: Kubectl, ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    assert tug(kubectl, ns, "apply", "-f", f).returncode == 0
    r = kubectl("diff", "-f", f)
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr


def test_server_side_diff_of_an_unchanged_file_is_empty(kubectl: Kubectl, ns: str) -> None:
    f = kubectl.manifest("app.yaml", *objects())
    kubectl.ok("apply", "--server-side", "-f", f)
    for args in (("diff", "--server-side", "-f", f), ("diff", "-f", f)):
        r = kubectl(*args)
        assert (r.returncode, r.stdout) == (0, ""), f"{args}: {r.stdout}{r.stderr}"


def test_diff_of_a_changed_file_shows_the_change(kubectl: Kubectl, rest: Rest,
                                                 ns: str) -> None:
    """Client-side diff after a client-side apply, --server-side after a server-side one
    (a server-side dry run over a client-side applied object rewrites its last-applied
    annotation from the applied file, as Kubernetes' lastAppliedUpdater does)."""
    f = kubectl.manifest("app.yaml", *objects())
    changed = kubectl.manifest("changed.yaml", *objects("plain"))
    for apply, diff in ((("apply", "-f", f), ("diff", "-f", changed)),
                        (("apply", "--server-side", "-f", f),
                         ("diff", "--server-side", "-f", changed))):
        kubectl.ok("delete", "--ignore-not-found", "--wait", "-f", f)
        kubectl.ok(*apply)
        r = kubectl(*diff)
        assert r.returncode == 1, f"{diff}: {r.stdout}{r.stderr}"
        assert "-  html: <b>a & b</b>" in r.stdout and "+  html: plain" in r.stdout, r.stdout
        assert "deployment" not in r.stdout.lower(), r.stdout
        assert rest.get(CM.format(ns=ns))["data"]["html"] == "<b>a & b</b>"  # a dry run
