"""`tug completion bash` sourced into a real bash: the completion function, called as
bash calls it on <Tab>, offers verbs, and the names of the objects on the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug, create, pod
from tests.integration.cli.test_cli_patch import deployment, post


def complete(tug: Tug, words: list[str]) -> list[str]:
    """COMPREPLY after bash's completion function ran on `words` (cursor on the last)."""
    program = ('source <(tug completion bash)\n'
               'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))\n'
               '_tug_completion tug\n'
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {**tug.env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", program, "bash", *words], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_verbs_and_names(tug: Tug, api: httpx.Client) -> None:
    path = f"/apis/apps/v1/namespaces/{tug.namespace}/deployments"
    for name in ("web", "worker", "api"):
        post(api, path, deployment(name))
    server = ["tug", "-s", tug.server, "-n", tug.namespace]
    assert complete(tug, ["tug", "sca"]) == ["scale"]
    assert complete(tug, [*server, "get", "deployments", "w"]) == ["web", "worker"]
    assert complete(tug, [*server, "patch", "deploy", ""]) == ["api", "web", "worker"]
    assert complete(tug, [*server, "set", "image", "deploy/a"]) == ["deploy/api"]


def test_bash_completes_the_pod_of_exec_logs_attach_debug(tug: Tug, api: httpx.Client) -> None:
    create(api, f"/api/v1/namespaces/{tug.namespace}/pods", pod("web-1"))
    server = ["tug", "-s", tug.server, "-n", tug.namespace]
    for verb in ("exec", "logs", "attach", "debug"):
        assert complete(tug, [*server, verb, "w"]) == ["web-1"], verb
    assert complete(tug, [*server, "exec", "web-1", "--", "l"]) == []  # the command's own
    assert complete(tug, [*server, "events", "--for", "pods/w"]) == ["pods/web-1"]
