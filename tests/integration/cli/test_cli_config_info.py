"""`tug config ...` writes kubeconfig files that tug and real kubectl both use;
`api-resources`, `cluster-info`, `version`; errors for an unreachable server."""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path

import httpx
import yaml

from tests.integration.cli.conftest import Tug, create, pod
from tests.support.processes import free_port
from tugboat.cli.runner import run

KUBECTL = "/usr/bin/kubectl"  # the version tug mimics (1.32), whatever is first on PATH


def test_config_verbs_build_a_working_kubeconfig(tug: Tug, api: httpx.Client, ns: str,
                                                 tmp_path: Path) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web"))
    f = str(tmp_path / "kubeconfig")

    def cfg(*args: str) -> str:
        return tug.ok("config", *args, "--kubeconfig", f, server=False)

    assert cfg("set-cluster", "local", f"--server={tug.server}") == 'Cluster "local" set.\n'
    assert cfg("set-credentials", "admin", "--token=s3cret") == 'User "admin" set.\n'
    assert cfg("set-context", "dev", "--cluster=local", "--user=admin",
               f"--namespace={ns}") == 'Context "dev" created.\n'
    assert cfg("use-context", "dev") == 'Switched to context "dev".\n'
    assert cfg("current-context") == "dev\n"
    assert cfg("set-context", "--current", f"--namespace={ns}") == 'Context "dev" modified.\n'
    view = yaml.safe_load(cfg("view"))
    assert view["users"] == [{"name": "admin", "user": {"token": "REDACTED"}}]
    assert view["current-context"] == "dev"
    assert yaml.safe_load(cfg("view", "--raw"))["users"][0]["user"]["token"] == "s3cret"
    assert cfg("get-contexts").splitlines()[1].split() == ["*", "dev", "local", "admin", ns]
    # the file alone is enough, through --kubeconfig or $KUBECONFIG
    assert tug.ok("get", "pods", "-o", "name", "--kubeconfig", f, server=False) == "pod/web\n"
    assert tug.ok("get", "pods", "-o", "name", server=False, env={"KUBECONFIG": f}) == \
        "pod/web\n"
    r = tug("config", "use-context", "nope", "--kubeconfig", f, server=False)
    assert r.code == 1 and r.err == 'error: no context exists with the name: "nope"\n'
    out = subprocess.run([KUBECTL, "--kubeconfig", f, "get", "pods", "-o", "name"],
                         capture_output=True, text=True, timeout=60, env=tug.env).stdout
    assert out == "pod/web\n"


def test_api_resources(tug: Tug) -> None:
    lines = tug.ok("api-resources").splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert ["pods", "po", "v1", "true", "Pod"] in [line.split() for line in lines]
    assert "deployments.apps" in tug.ok("api-resources", "-o", "name").split()
    cluster = tug.ok("api-resources", "--namespaced=false", "-o", "name").split()
    assert "nodes" in cluster and "pods" not in cluster
    assert tug.ok("api-resources", "-o", "wide").splitlines()[0].split()[-2:] == \
        ["VERBS", "CATEGORIES"]


def test_cluster_info_and_version(tug: Tug) -> None:
    assert tug.ok("cluster-info").startswith(
        f"Kubernetes control plane is running at {tug.server}\n")
    version = tug.ok("version").splitlines()
    assert version[0].startswith("Client Version: v") and version[1].startswith(
        "Server Version: v1.")
    assert "clientVersion" in yaml.safe_load(tug.ok("version", "--client", "-o", "yaml"))


def test_an_unreachable_server_is_named(tug: Tug) -> None:
    port = free_port()
    for args in (["get", "pods"], ["version"], ["apply", "-f", "-"], ["cluster-info"]):
        r = tug(*args, "--server", f"http://127.0.0.1:{port}", server=False,
                input="apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n")
        assert r.code == 1, args
        assert r.err.endswith(f"The connection to the server 127.0.0.1:{port} was refused - "
                              f"did you specify the right host or port?\n"), (args, r.err)
        assert "Traceback" not in r.err


def test_help_on_every_verb_has_an_example(tug: Tug) -> None:
    """In-process (the app's help is static); the subprocess checks below cover running it."""
    verbs = ["get", "describe", "apply", "create", "replace", "delete", "logs", "exec",
             "scale", "rollout", "rollout status", "rollout history", "rollout undo",
             "rollout restart", "wait", "top", "top node", "top pod", "cordon", "uncordon",
             "drain", "label", "annotate", "edit", "api-resources", "cluster-info", "version",
             "config", "config view", "config use-context", "config set-credentials",
             "config set-cluster", "config set-context", "config current-context", "up"]
    for verb in verbs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert run([*verb.split(), "--help"], {}) == 0, verb
        assert "Examples:" in out.getvalue() and "  tug " in out.getvalue(), verb
    assert "Usage: tug get" in tug.ok("get", "--help", server=False)


def test_usage_errors_are_one_line_and_a_hint(tug: Tug) -> None:
    r = tug("get", "pods", "--no-such-flag")
    assert r.code == 1
    assert r.err == "error: No such option: --no-such-flag\nSee 'tug get --help' for usage.\n"
    assert tug("frobnicate").code == 1


def test_shell_completion(tug: Tug, api: httpx.Client, ns: str) -> None:
    out = tug.ok("--show-completion", "bash", server=False, env={"SHELL": "/bin/bash"})
    assert "_TUG_COMPLETE" in out
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web-1"))

    def complete(*words: str) -> list[str]:
        env = {"_TUG_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["tug", *words]),
               "COMP_CWORD": str(len(words))}
        return tug.ok(server=False, env=env).split()

    assert complete("ge") == ["get"]
    assert complete("get", "deplo") == ["deploy", "deployments"]
    assert complete("-s", tug.server, "-n", ns, "get", "pods", "we") == ["web-1"]
    assert complete("-s", tug.server, "-n", ns, "describe", "pod/w") == ["pod/web-1"]
