"""`tug completion`: the scripts, and the candidates the app answers a completion request
with (verbs, generators, flags, resource types) — no server involved; the names of
objects, through a sourced bash script, are in tests/integration/cli."""

from __future__ import annotations

import pytest

from tugboat.cli.commands.completion import script
from tugboat.cli.errors import CliError
from tugboat.cli.runner import COMPLETE_VAR, run


def candidates(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               line: str) -> list[str]:
    """What bash's completion function gets for `line` (the cursor at its end)."""
    words = line.split(" ")
    monkeypatch.setenv(COMPLETE_VAR, "complete_bash")
    monkeypatch.setenv("COMP_WORDS", " ".join(words))
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:  # click leaves after answering
        run([], {COMPLETE_VAR: "complete_bash"})
    assert done.value.code == 0
    return capsys.readouterr().out.split()


def test_scripts() -> None:
    bash = script("bash")
    assert "complete -o default -F _tug_completion tug" in bash
    assert f"{COMPLETE_VAR}=complete_bash" in bash
    zsh = script("zsh")
    assert zsh.startswith("#compdef tug") and f"{COMPLETE_VAR}=complete_zsh" in zsh
    assert "complete --command tug" in script("fish")
    with pytest.raises(CliError, match='Unsupported shell type "tcsh".'):
        script("tcsh")
    with pytest.raises(CliError, match="Shell not specified."):
        script(None)


@pytest.mark.parametrize("line, expected", [
    ("tug pat", ["patch"]),
    ("tug set ", ["image", "env", "resources"]),
    ("tug create secret ", ["generic", "docker-registry", "tls"]),
    ("tug create service node", ["nodeport"]),
    ("tug get deplo", ["deploy", "deployments"]),
    ("tug patch deploy web --ty", ["--type"]),
    ("tug explain deplo", ["deploy", "deployments"]),
    ("tug events --for deplo", ["deploy/", "deployments/"]),
])
def test_candidates(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                    line: str, expected: list[str]) -> None:
    assert candidates(monkeypatch, capsys, line) == expected


def test_create_lists_the_generators(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    found = candidates(monkeypatch, capsys, "tug create ")
    for generator in ("namespace", "deployment", "job", "configmap", "secret", "service",
                      "serviceaccount", "role", "clusterrole", "rolebinding",
                      "clusterrolebinding", "token"):
        assert generator in found
    assert "ns" not in found  # aliases work but are not offered


def test_zsh_candidates(monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    """The zsh script's request: the words so far; the answer, zsh's _arguments call."""
    monkeypatch.setenv(COMPLETE_VAR, "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "tug set im")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        run([], {COMPLETE_VAR: "complete_zsh"})
    out = capsys.readouterr().out
    assert out.startswith("_arguments") and '"image"' in out and '"env"' not in out
