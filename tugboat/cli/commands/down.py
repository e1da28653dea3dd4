"""`tug down`: stop the cluster `tug up` runs on a data folder and remove its pods'
containers, as `kind delete cluster` or `kubeadm reset` undo what set a cluster up.

The `tug up` to stop is found through the data folder's lock file (tug-up.lock): it holds
the pid, and the flock held on it says whether that pid is still the `tug up` — a bare pid
file could name a pid since reused by anything. The stop is the SIGTERM Ctrl-C would send;
`tug down` returns once the lock is released, that is once every daemon has stopped. The
containers are those labelled with the node's name that `tug up` recorded; the service
proxy's rules go with them (kube-proxy --cleanup, as kubeadm reset runs it). The cluster's
state, certificates and logs stay, so `tug up` on the same folder starts it again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import typer

from tugboat.api.durations import DurationError, parse_duration
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples
from tugboat.cli.up.containers import remembered_node, remove_node_containers
from tugboat.cli.up.preflight import DataDirLock
from tugboat.cli.up.proxyrules import remove_proxy_rules

EXAMPLES = examples("""
    # Stop the cluster tug up runs and remove its pods' containers
    tug down

    # The cluster of another data folder
    tug down --data-dir /srv/tug
""")


def stop_tug_up(data_dir: Path, timeout: float) -> None:
    lock = DataDirLock(data_dir)
    pid = lock.holder()
    if pid is None:
        print(f"no tug up is running on {data_dir}", flush=True)
        return
    if pid <= 0:
        raise CliError(f"{lock.path} is locked by a process that did not write its pid; "
                       f"stop that tug up yourself (Ctrl-C in its terminal)")
    print(f"stopping tug up (pid {pid}) ...", end="", flush=True)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it ended between the look and the signal: the lock is free now
    except PermissionError:
        print(" failed", flush=True)
        raise CliError(f"not allowed to stop tug up (pid {pid}): it runs as another user; "
                       f"run tug down as that user") from None
    deadline = time.monotonic() + timeout
    while lock.holder() is not None:
        if time.monotonic() > deadline:
            print(" failed", flush=True)
            raise CliError(f"tug up (pid {pid}) did not stop within {timeout:.0f}s; see the "
                           f"logs in {data_dir / 'logs'}, or kill {pid}")
        time.sleep(0.2)
    print(" stopped", flush=True)


def remove_containers(data_dir: Path, node_name: str | None) -> None:
    node = node_name or remembered_node(data_dir)
    if node is None:
        print(f"no node name is recorded in {data_dir}; give --node-name to remove a node's "
              f"containers", flush=True)
        return
    print(f"removing the containers of node {node} ...", end="", flush=True)
    try:
        removed = remove_node_containers(node)
    except CliError:
        print(" failed", flush=True)
        raise
    print(f" removed {removed}", flush=True)


def down(data_dir: Path = typer.Option(Path.home() / ".tug" / "data", "--data-dir",
                                       help="The data folder of the tug up to stop."),
         node_name: str = typer.Option(None, "--node-name",
                                       help="The node whose containers to remove (default: "
                                            "the one tug up recorded in the data folder)."),
         timeout: str = typer.Option("90s", "--timeout",
                                     help="How long to wait for tug up to stop (e.g. 90s)."),
         keep_containers: bool = typer.Option(False, "--keep-containers",
                                              help="Stop the cluster but leave the pods' "
                                                   "containers running (a later tug up "
                                                   "adopts them).")
         ) -> None:
    """Stop the cluster tug up runs and remove its pods' containers."""
    try:
        seconds = parse_duration(timeout)
    except DurationError as e:
        raise CliError(f'invalid argument "{timeout}" for "--timeout" flag: {e}') from None
    folder = data_dir.expanduser().absolute()
    stop_tug_up(folder, seconds)
    if not keep_containers:  # the pods go, and with them the rules that carried their traffic
        remove_containers(folder, node_name)
        print(f"removing the service proxy's rules ... {remove_proxy_rules()}", flush=True)


def register(app: typer.Typer) -> None:
    app.command("down", epilog=EXAMPLES, context_settings=CONTEXT)(down)
