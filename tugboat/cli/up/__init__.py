"""`tug up`: the whole cluster on this host — the API server (SQLite in the data folder),
the scheduler, the controller manager and one kubelet named after the host — as child
processes with their logs in the data folder, secured as kubeadm sets a cluster up: a
cluster CA and a certificate per identity (pki.py, certlist.py), HTTPS on the secure port
with RBAC, the Node authorizer, admission, Secrets encrypted at rest and an audit log, each
daemon reaching the API server as itself through its own kubeconfig, and an admin
kubeconfig (~/.tug/config) that tug, kubectl and the Python client read unchanged. The
plain-HTTP insecure port stays closed unless `--insecure-port` asks for it (loopback only).
It prints each step, then supervises the daemons: one that exits is reported and started
again with backoff while the others keep serving (supervisor.py). Ctrl-C or SIGTERM (or
`tug down`, which signals the pid in the data folder's lock) stops every daemon; the pods'
containers keep running unless --cleanup asks to remove them (containers.py). Run again on
the same folder, it finds the same objects and certificates (renewing those about to
expire), and the kubelet adopts the containers that kept running.
"""

from __future__ import annotations

import re
import signal
import socket
import sys
import threading
from pathlib import Path

import typer

import tugboat
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.up import preflight
from tugboat.cli.up.apiserverconfig import ApiServerFiles, ensure_apiserver_files
from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.components import AdminView, UpConfig, daemons
from tugboat.cli.up.containers import remember_node, remove_node_containers
from tugboat.cli.up.hostaddresses import host_addresses
from tugboat.cli.up.kubeconfigs import write_kubeconfigs
from tugboat.cli.up.pki import PKIError
from tugboat.cli.up.proxyrules import remove_proxy_rules
from tugboat.cli.up.supervisor import Daemon, DaemonFailed, Supervisor
from tugboat.client.config import default_kubeconfig_path

MODULES = {"API server": "tugboat.apiserver.__main__",
           "scheduler": "tugboat.scheduler.__main__",
           "controller manager": "tugboat.controller.__main__",
           "service proxy": "tugboat.proxy.__main__",
           "cluster DNS": "tugboat.dns.__main__",
           "kubelet": "tugboat.kubelet.__main__"}
PAUSE_IMAGE = "tugboat/pause:3.9"
STEPS = 9

EXAMPLES = examples("""
    # Start a one-node cluster here (Ctrl-C or tug down stops it)
    tug up

    # Remove the pods' containers too when it stops
    tug up --cleanup

    # Keep its data elsewhere, serve HTTPS on another port
    tug up --data-dir /srv/tug --secure-port 7443

    # Also open the plain-HTTP insecure port on 127.0.0.1 (full access, no credentials)
    tug up --insecure-port 8080
""")


def node_name_for(hostname: str) -> str:
    """The host name as a valid node name (lower-case DNS-1123 subdomain)."""
    name = re.sub(r"[^a-z0-9.-]+", "-", hostname.lower()).strip("-.")
    return name[:253] or "node"


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
    progress.begin(f"locking the data folder {cfg.data_dir}")
    lock.acquire()
    remember_node(cfg.data_dir, cfg.node_name)  # for tug down
    progress.done()


def secure(cfg: UpConfig, progress: Progress) -> ApiServerFiles:
    """The CA, every certificate and key, the API server's files and every kubeconfig."""
    progress.begin(f"checking the certificates in {cfg.pki_dir}")
    try:
        pki, changes = ensure_certificates(cfg.pki_dir, cfg.node_name,
                                           host_addresses(cfg.node_name))
        files, more = ensure_apiserver_files(cfg.pki_dir, cfg.data_dir)
    except PKIError as e:
        raise CliError(str(e)) from None
    write_kubeconfigs(cfg.url, pki, cfg.data_dir, cfg.kubeconfig)
    progress.done(_summary(pki, changes + more))
    return files


def _summary(pki: ClusterPKI, changes: list[str]) -> str:
    if not changes:
        return "ok"
    if any(c == "created ca" for c in changes):
        return f"created a cluster CA and {len(pki.certs)} certificates"
    return "; ".join(changes)


def start_all(cfg: UpConfig, sup: Supervisor, progress: Progress,
              stopping: threading.Event, to_start: list[Daemon]) -> None:
    for daemon in to_start:
        if stopping.is_set():
            return
        progress.begin(f"starting the {daemon.title}")
        if daemon.prepare is not None:
            daemon.prepare()
        sup.start(daemon)
        sup.wait_ready(daemon, stopping.is_set)
        detail = {"API server": f"ready at {cfg.url}",
                  "cluster DNS": f"kube-dns 10.96.0.10 -> {cfg.advertise_address}:"
                                 f"{cfg.dns_port}",
                  "kubelet": f'node "{cfg.node_name}" is Ready'}.get(daemon.title, "running")
        progress.done(detail if not stopping.is_set() else "interrupted")


def run_cluster(cfg: UpConfig) -> int:
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    progress, lock = Progress(), preflight.DataDirLock(cfg.data_dir)
    sup = Supervisor(cfg.data_dir / "logs", report=lambda text: print(text, flush=True))
    view = AdminView(cfg.kubeconfig)
    try:
        preflight_checks(cfg, progress, lock)
        files = secure(cfg, progress)
        start_all(cfg, sup, progress, stopping, daemons(cfg, files, view))
        if not stopping.is_set():
            greet(cfg)
        while not stopping.wait(0.5):
            sup.tend()
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
        sup.stop_all()
        view.close()
        try:
            if cfg.cleanup and lock.file is not None:
                remove_containers(cfg.node_name)
                print(f"removing the service proxy's rules ... {remove_proxy_rules()}",
                      flush=True)
        finally:
            lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def remove_containers(node_name: str) -> None:
    print(f"removing the containers of node {node_name} ...", end="", flush=True)
    try:
        print(f" removed {remove_node_containers(node_name)}", flush=True)
    except CliError as e:
        print(f" failed: {e}", flush=True)


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
    insecure = f" and http://127.0.0.1:{cfg.insecure_port} (insecure port)" \
        if cfg.insecure_port else ""
    print(f"\nTugboat is running at {cfg.url}{insecure} (node {cfg.node_name}); Ctrl-C "
          f"or 'tug down' stops it.\nThe admin kubeconfig is {cfg.kubeconfig}; certificates are in "
          f"{cfg.pki_dir}, logs in {cfg.data_dir / 'logs'}. Try:\n"
          f"  {kubeconfig_hint}{first_command()}\n", flush=True)


def up(ctx: typer.Context,
       data_dir: Path = typer.Option(Path.home() / ".tug" / "data", "--data-dir",
                                     help="Where the cluster's state and logs live."),
       bind_address: str = typer.Option("0.0.0.0", "--bind-address",
                                        help="Address the API server's HTTPS port listens on."),
       secure_port: int = typer.Option(6443, "--secure-port",
                                       help="The API server's HTTPS port."),
       insecure_port: int = typer.Option(0, "--insecure-port",
                                         help="Also serve plain HTTP on 127.0.0.1 at this port, "
                                              "with full access and no credentials (0: off)."),
       node_name: str = typer.Option(None, "--node-name", help="The node's name (default: "
                                                                "this host's name)."),
       kubelet_port: int = typer.Option(10250, "--kubelet-port", help="The kubelet's port."),
       scheduler_port: int = typer.Option(10259, "--scheduler-port",
                                          help="The scheduler's /healthz and /metrics port."),
       controller_port: int = typer.Option(10257, "--controller-manager-port",
                                           help="The controller manager's /healthz port."),
       proxy_port: int = typer.Option(10256, "--proxy-port",
                                      help="The service proxy's /healthz and /metrics port."),
       dns_port: int = typer.Option(10053, "--dns-port",
                                    help="The port the cluster DNS answers on, on the Docker "
                                         "bridge (kube-dns's 10.96.0.10:53 leads there)."),
       dns_health_port: int = typer.Option(10054, "--dns-health-port",
                                           help="The cluster DNS's /healthz, /ready and "
                                                "/metrics port."),
       cleanup: bool = typer.Option(False, "--cleanup",
                                    help="When stopping, also remove the pods' containers "
                                         "and the service proxy's rules (as tug down does).")
       ) -> None:
    """Start a one-node cluster on this host (Ctrl-C or tug down stops it)."""
    session = session_of(ctx)
    kubeconfig = Path(session.options.kubeconfig or default_kubeconfig_path()).expanduser()
    cfg = UpConfig(data_dir.expanduser().absolute(), bind_address, secure_port, insecure_port,
                   node_name or node_name_for(socket.gethostname()), kubelet_port,
                   scheduler_port, controller_port, kubeconfig, cleanup, proxy_port, dns_port,
                   dns_health_port)
    code = run_cluster(cfg)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("up", epilog=EXAMPLES, context_settings=CONTEXT)(up)

