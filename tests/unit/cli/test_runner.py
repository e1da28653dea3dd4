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
