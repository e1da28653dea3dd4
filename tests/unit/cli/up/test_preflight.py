"""tug up's checks: one line saying what to do for each problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tugboat.cli.errors import CliError
from tugboat.cli.up import node_name_for
from tugboat.cli.up.preflight import DataDirLock, check_installed


def test_a_second_lock_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(CliError, match=r'another "tug up" \(pid \d+\) is already running'):
            DataDirLock(tmp_path).acquire()
    finally:
        first.release()
    again = DataDirLock(tmp_path)
    again.acquire()
    again.release()


def test_the_lock_names_the_tug_up_holding_it(tmp_path: Path) -> None:
    lock = DataDirLock(tmp_path)
    assert lock.holder() is None  # no lock file yet
    lock.acquire()
    try:
        assert DataDirLock(tmp_path).holder() == os.getpid()
    finally:
        lock.release()
    assert DataDirLock(tmp_path).holder() is None  # the file stays, but nobody holds it


def test_a_missing_daemon_is_named() -> None:
    with pytest.raises(CliError, match="the kubelet is not installed"):
        check_installed({"kubelet": "tugboat.no_such_daemon.__main__"})
    check_installed({"API server": "tugboat.apiserver.__main__"})


def test_node_names_from_host_names() -> None:
    assert node_name_for("My_Host.Example") == "my-host.example"
    assert node_name_for("___") == "node"
