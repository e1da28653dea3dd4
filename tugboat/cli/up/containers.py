"""Removing a stopped cluster's pods from Docker, as `kubeadm reset` removes a node's
containers: `tug down`, and `tug up --cleanup` when it stops. The kubelet leaves its
containers running when it stops (so a restarted kubelet adopts them); these remove every
container labelled with the node's name (io.tugboat.node, DESIGN §7), sandboxes included.

The node's name is kept in the data folder by `tug up`, so `tug down` finds the node
of the cluster it stops even when `tug up` was given --node-name."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tugboat.cli.errors import CliError

NODE_LABEL = "io.tugboat.node"
NODE_NAME_FILE = "node-name"


def remember_node(data_dir: Path, node_name: str) -> None:
    (data_dir / NODE_NAME_FILE).write_text(node_name + "\n")


def remembered_node(data_dir: Path) -> str | None:
    try:
        return (data_dir / NODE_NAME_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def _docker(*args: str, timeout: float = 60) -> str:
    try:
        done = subprocess.run(["docker", *args], capture_output=True, text=True,
                              timeout=timeout)
    except FileNotFoundError:
        raise CliError("Docker is not installed (no docker command); nothing to remove") \
            from None
    except subprocess.TimeoutExpired:
        raise CliError(f"docker {args[0]} timed out; is the Docker engine running?") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise CliError(f"docker {args[0]} failed: {why}")
    return done.stdout


def node_containers(node_name: str) -> list[str]:
    """Every container of the node, running or not."""
    return _docker("ps", "-aq", "--no-trunc", "--filter",
                   f"label={NODE_LABEL}={node_name}").split()


def remove_node_containers(node_name: str) -> int:
    """Remove (killing first) every container of the node; how many there were."""
    ids = node_containers(node_name)
    if ids:
        _docker("rm", "-f", "-v", *ids, timeout=120)
    return len(ids)
