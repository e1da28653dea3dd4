"""Global flags may go anywhere; boolean flags take kubectl's =true/=false form."""

from __future__ import annotations

import typer

from tugboat.cli.app import build_app
from tugboat.cli.argv import hoist_global_flags, normalize_bool_flags


def test_global_flags_move_before_the_verb() -> None:
    assert hoist_global_flags(["get", "pods", "-n", "kube-system", "--server=http://x"]) == \
        ["--namespace=kube-system", "--server=http://x", "get", "pods"]
    assert hoist_global_flags(["get", "pods", "-nfoo", "-s", "h:1"]) == \
        ["--namespace=foo", "--server=h:1", "get", "pods"]


def test_exec_command_after_double_dash_is_left_alone() -> None:
    args = ["exec", "web", "-n", "a", "--", "sh", "-c", "ls -n", "-n", "b"]
    assert hoist_global_flags(args) == \
        ["--namespace=a", "exec", "web", "--", "sh", "-c", "ls -n", "-n", "b"]


def test_config_verbs_keep_their_own_namespace_and_server_flags() -> None:
    args = ["config", "set-context", "dev", "--namespace=dev", "--kubeconfig", "/k"]
    assert hoist_global_flags(args) == \
        ["--kubeconfig=/k", "config", "set-context", "dev", "--namespace=dev"]


def test_a_flag_without_its_value_is_left_for_the_parser() -> None:
    assert hoist_global_flags(["get", "pods", "-n"]) == ["get", "pods", "-n"]


def test_boolean_flags_accept_true_and_false() -> None:
    command = typer.main.get_command(build_app())
    assert normalize_bool_flags(command, ["delete", "pod", "x", "--wait=false"]) == \
        ["delete", "pod", "x", "--no-wait"]
    assert normalize_bool_flags(command, ["get", "pods", "--show-labels=true"]) == \
        ["get", "pods", "--show-labels"]
    assert normalize_bool_flags(command, ["get", "pods", "--show-labels=false"]) == \
        ["get", "pods"]
    assert normalize_bool_flags(command, ["rollout", "status", "deploy/x", "--watch=false"]) == \
        ["rollout", "status", "deploy/x", "--no-watch"]
