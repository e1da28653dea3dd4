"""Removing the service proxy's packet-filter rules when a cluster is taken down for good
(`tug up --cleanup`, `tug down`), as `kubeadm reset` runs `kube-proxy --cleanup`: a stopped
proxy leaves its rules in place on purpose (running pods keep their Services), so only an
explicit clean-up removes them. The proxy's own `--cleanup` knows its chains; the CLI only
runs it (it never loads a daemon's code)."""

from __future__ import annotations

import subprocess
import sys

TIMEOUT = 30.0


def remove_proxy_rules() -> str:
    """Run `tug-proxy --cleanup`; "removed" or why it did not."""
    try:
        done = subprocess.run([sys.executable, "-m", "tugboat.proxy", "--cleanup"],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"failed: {e}"
    if done.returncode == 0:
        return "removed"
    last = (done.stderr.strip().splitlines() or ["exit code " + str(done.returncode)])[-1]
    return f"failed: {last}"
