"""`tug up`: the whole cluster on this host — the API server (SQLite in the data folder),
the scheduler, the controller manager and one kubelet named after the host — as child
processes with their logs in the data folder, plus a kubeconfig (~/.tug/config) that tug
and kubectl both read. It prints each step, then waits; Ctrl-C or SIGTERM stops every
daemon. Run again on the same folder, it finds the same objects, and the kubelet adopts
the containers that kept running.
"""

from __future__ import annotations

import re
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer

import tugboat
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.up import preflight
from tugboat.cli.up.supervisor import Daemon, DaemonFailed, Supervisor
from tugboat.client import write_kubeconfig
from tugboat.client.config import default_kubeconfig_path

MODULES = {"API server": "tugboat.apiserver.__main__",
           "scheduler": "tugboat.scheduler.__main__",
           "controller manager": "tugboat.controller.__main__",
           "kubelet": "tugboat.kubelet.__main__"}
PAUSE_IMAGE = "tugboat/pause:3.9"
STEPS = 7

EXAMPLES = examples("""
    # Start a one-node cluster here (Ctrl-C stops it)
    tug up

    # Keep its data elsewhere, on another port
    tug up --data-dir /srv/tug --port 9090
""")


@dataclass
class UpConfig:
    data_dir: Path
    host: str
    port: int
    node_name: str
    kubelet_port: int
    scheduler_port: int
    controller_port: int
    kubeconfig: Path

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"


def node_name_for(hostname: str) -> str:
    """The host name as a valid node name (lower-case DNS-1123 subdomain)."""
    name = re.sub(r"[^a-z0-9.-]+", "-", hostname.lower()).strip("-.")
    return name[:253] or "node"


def _get_ok(url: str) -> bool:
    return httpx.get(url, timeout=2).status_code == 200


def _node_ready(cfg: UpConfig) -> bool:
    node = httpx.get(f"{cfg.url}/api/v1/nodes/{cfg.node_name}", timeout=2)
    if node.status_code != 200:
        return False
    conditions = (node.json().get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def daemons(cfg: UpConfig) -> list[Daemon]:
    data = cfg.data_dir
    return [
        Daemon("API server", "apiserver",
               ["-m", "tugboat.apiserver", "--host", cfg.host, "--port", str(cfg.port),
                "--store", f"sqlite:///{data / 'state.db'}"],
               lambda: _get_ok(f"{cfg.url}/readyz"), 60),
        Daemon("scheduler", "scheduler",
               ["-m", "tugboat.scheduler", "--server", cfg.url, "--bind-address", "127.0.0.1",
                "--port", str(cfg.scheduler_port)],
               lambda: _get_ok(f"http://127.0.0.1:{cfg.scheduler_port}/healthz"), 60),
        Daemon("controller manager", "controller-manager",
               ["-m", "tugboat.controller", "--server", cfg.url, "--bind-address", "127.0.0.1",
                "--port", str(cfg.controller_port)],
               lambda: _get_ok(f"http://127.0.0.1:{cfg.controller_port}/healthz"), 60),
        Daemon("kubelet", "kubelet",
               ["-m", "tugboat.kubelet", "--server", cfg.url, "--node-name", cfg.node_name,
                "--port", str(cfg.kubelet_port), "--root-dir", str(data / "kubelet"),
                "--manifests-dir", str(data / "manifests")],
               lambda: _node_ready(cfg), 90),
    ]


class Progress:
    """`[n/7] what ... result` lines, flushed as each step happens."""

    def __init__(self) -> None:
        self.step = 0
        self.open = False

    def begin(self, text: str) -> None:
        self.step += 1
        self.open = True
        print(f"[{self.step}/{STEPS}] {text} ...", end="", flush=True)

    def done(self, text: str = "ok") -> None:
        self.open = False
        print(f" {text}", flush=True)

    def fail(self) -> None:
        if self.open:
            self.done("failed")


def preflight_checks(cfg: UpConfig, progress: Progress, lock: preflight.DataDirLock) -> None:
    preflight.check_installed(MODULES)
    progress.begin("checking the Docker engine")
    version = preflight.docker_version()
    missing = preflight.missing_images([PAUSE_IMAGE])
    progress.done(f"Docker {version}")
    if missing:
        print(f"      warning: image {', '.join(missing)} is missing and no registry is "
              f"reachable offline; build it with 'make images'", flush=True)
    progress.begin(f"locking the data folder {cfg.data_dir} and checking the ports")
    lock.acquire()
    for what, host, port, flag in (("API server", cfg.host, cfg.port, "--port"),
                                   ("kubelet", "0.0.0.0", cfg.kubelet_port, "--kubelet-port"),
                                   ("scheduler", "127.0.0.1", cfg.scheduler_port,
                                    "--scheduler-port"),
                                   ("controller manager", "127.0.0.1", cfg.controller_port,
                                    "--controller-manager-port")):
        preflight.check_port(host, port, flag, what)
    progress.done()


def start_all(cfg: UpConfig, sup: Supervisor, progress: Progress,
              stopping: threading.Event) -> None:
    for daemon in daemons(cfg):
        if stopping.is_set():
            return
        progress.begin(f"starting the {daemon.title}")
        sup.start(daemon)
        sup.wait_ready(daemon, stopping.is_set)
        detail = {"API server": f"ready at {cfg.url}",
                  "kubelet": f'node "{cfg.node_name}" is Ready'}.get(daemon.title, "running")
        progress.done(detail if not stopping.is_set() else "interrupted")


def run_cluster(cfg: UpConfig) -> int:
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    progress, lock = Progress(), preflight.DataDirLock(cfg.data_dir)
    sup = Supervisor(cfg.data_dir / "logs")
    try:
        preflight_checks(cfg, progress, lock)
        start_all(cfg, sup, progress, stopping)
        if not stopping.is_set():
            progress.begin("writing the kubeconfig")
            write_kubeconfig(cfg.kubeconfig, cfg.url)
            progress.done(str(cfg.kubeconfig))
            greet(cfg)
        while not stopping.wait(0.5):
            dead = sup.exited()
            if dead is not None:
                raise DaemonFailed(dead, f"exited with code {dead.returncode}")
        print("\nstopping the cluster", flush=True)
        return 0
    except DaemonFailed as e:
        progress.fail()
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1
    except CliError:
        progress.fail()
        raise
    finally:
        sup.stop_all(report=lambda text: print(text, flush=True))
        lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def first_command() -> str:
    """Something to try: the pod example, by the shortest path that finds it."""
    for base in (Path.cwd(), Path(tugboat.__file__).resolve().parent.parent):
        pod = base / "examples" / "pod.yaml"
        if pod.exists():
            shown = pod.relative_to(Path.cwd()) if base == Path.cwd() else pod
            return f"tug apply -f {shown} && tug get pods -w"
    return "tug get nodes && tug api-resources"


def greet(cfg: UpConfig) -> None:
    kubeconfig_hint = "" if cfg.kubeconfig == default_kubeconfig_path() else \
        f"export KUBECONFIG={cfg.kubeconfig}\n  "
    print(f"\nTugboat is running at {cfg.url} (node {cfg.node_name}); Ctrl-C stops it.\n"
          f"Logs are in {cfg.data_dir / 'logs'}. Try:\n"
          f"  {kubeconfig_hint}{first_command()}\n", flush=True)


def up(ctx: typer.Context,
       data_dir: Path = typer.Option(Path.home() / ".tug" / "data", "--data-dir",
                                     help="Where the cluster's state and logs live."),
       host: str = typer.Option("127.0.0.1", "--host", help="Address the API server listens on."),
       port: int = typer.Option(8080, "--port", help="The API server's port."),
       node_name: str = typer.Option(None, "--node-name", help="The node's name (default: "
                                                                "this host's name)."),
       kubelet_port: int = typer.Option(10250, "--kubelet-port", help="The kubelet's port."),
       scheduler_port: int = typer.Option(10259, "--scheduler-port",
                                          help="The scheduler's /healthz and /metrics port."),
       controller_port: int = typer.Option(10257, "--controller-manager-port",
                                           help="The controller manager's /healthz port.")
       ) -> None:
    """Start a one-node cluster on this host (Ctrl-C stops it)."""
    session = session_of(ctx)
    kubeconfig = Path(session.options.kubeconfig or default_kubeconfig_path()).expanduser()
    cfg = UpConfig(data_dir.expanduser().absolute(), host, port,
                   node_name or node_name_for(socket.gethostname()), kubelet_port,
                   scheduler_port, controller_port, kubeconfig)
    code = run_cluster(cfg)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("up", epilog=EXAMPLES, context_settings=CONTEXT)(up)

