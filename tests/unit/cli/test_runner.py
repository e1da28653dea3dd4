"""How a `tug` command line ends when it names no verb, a group without its subcommand,
or a verb that does not exist: kubectl's exit codes and words."""

from __future__ import annotations

import pytest

from tugboat.cli.runner import run


def test_tug_alone_prints_its_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([], {}) == 0
    out, err = capsys.readouterr()
    assert "Basic Commands (Beginner):" in out and err == ""


@pytest.mark.parametrize("args", [["set"], ["create", "secret"], ["rollout"]])
def test_a_group_without_its_subcommand_is_a_usage_error(
        args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(args, {}) == 1  # kubectl's DefaultSubCommandRun: help on stderr, exit 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"Usage: tug {' '.join(args)} ")


def test_unknown_commands_in_cobras_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["gett"], {}) == 1
    assert capsys.readouterr().err == ('error: unknown command "gett" for "tug" (did you mean '
                                       '"get"?)\nSee \'tug --help\' for usage.\n')
    assert run(["set", "foo"], {}) == 1
    assert capsys.readouterr().err == ('error: unknown command "foo"\n'
                                       "See 'tug set --help' for usage.\n")


@pytest.mark.parametrize("args, line", [
    (["exec"], "error: pod, type/name or --filename must be specified\n"),
    (["attach"], "error: at least 1 argument is required for attach\n"),
    (["logs"], "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or "
               "TYPE/NAME is a required argument for the logs command\n"),
    (["debug", "web", "--image=busybox", "--profile=bogus"], "error: unknown profile: bogus\n"),
])
def test_a_verb_without_its_pod_in_kubectls_words(args: list[str], line: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(args, {}) == 1
    assert capsys.readouterr().err == line
