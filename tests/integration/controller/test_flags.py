"""`tug-controller-manager` refuses flags that cannot work before it starts anything: one
line on stderr, exit status 1 — the operator's first sight of the problem, rather than
healthy nodes flapping to Unknown later."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("flags", "says"), [
    (["--node-monitor-grace-period", "5s"], "longer than the kubelet's node lease renewal"),
    (["--node-monitor-period", "0s"], "--node-monitor-period must be greater than 0"),
])
def test_unworkable_flags_exit_1_with_one_line(flags: list[str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tugboat.controller", "--server", "http://127.0.0.1:9",
         "--port", "0", *flags], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and says in done.stderr
    assert "Traceback" not in done.stderr
