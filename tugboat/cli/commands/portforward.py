"""`tug port-forward TYPE/NAME [LOCAL:]REMOTE...`: listen on local ports and forward each
connection to a pod's port, as kubectl does — a pod by name, or the pod a Deployment,
ReplicaSet, Service (...) selects; for a Service, REMOTE is a service port, turned into
the target port of the pod chosen (a named targetPort through the pod's container ports),
while the local port stays the service port when none is given."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from typing import Any

import typer

from tugboat.cli import targets
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.pods import find_pod
from tugboat.cli.portforwarding import ForwardTarget, PortPair, listen, serve
from tugboat.cli.session import Session
from tugboat.client.tls import ssl_context

Obj = dict[str, Any]

EXAMPLES = examples("""
    # Listen on ports 5000 and 6000 locally, forwarding to 5000 and 6000 in the pod
    tug port-forward pod/mypod 5000 6000

    # Listen on 8888 locally, forwarding to 5000 in a pod of the deployment
    tug port-forward deployment/mydeployment 8888:5000

    # Listen on a random local port, forwarding to the service's port named https
    tug port-forward service/myservice :https

    # Listen on 8888 on all addresses, forwarding to 5000 in the pod
    tug port-forward --address 0.0.0.0 pod/mypod 8888:5000
""")


def parse_port(text: str, what: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise CliError(f"Error parsing {what} port '{text}': should be between 0 and 65535")
    return int(text)


def service_target_port(service: Obj, pod: Obj, port: str) -> tuple[int, int]:
    """(service port, pod port) for a service port given by number or name."""
    ports = (service.get("spec") or {}).get("ports") or []
    name = service["metadata"]["name"]
    chosen = [p for p in ports if str(p.get("port")) == port or p.get("name") == port]
    if not chosen:
        if port.isdigit():
            raise CliError(f"Service {name} does not have a service port {port}")
        raise CliError(f"Service '{name}' does not have a named port '{port}'")
    svc_port, target = chosen[0], chosen[0].get("targetPort", chosen[0].get("port"))
    if isinstance(target, int) or str(target).isdigit():
        return int(svc_port["port"]), int(target)
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return int(svc_port["port"]), int(p["containerPort"])
    raise CliError(f"Pod '{pod['metadata']['name']}' does not have a named port '{target}'")


def pod_named_port(pod: Obj, name: str) -> int:
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == name:
                return int(p["containerPort"])
    raise CliError(f"Pod '{pod['metadata']['name']}' does not have a named port '{name}'")


def port_pairs(specs: list[str], pod: Obj, service: Obj | None) -> list[PortPair]:
    pairs = []
    for spec in specs:
        local_text, _, remote_text = spec.rpartition(":") if ":" in spec else ("", "", spec)
        if service is not None:
            svc_port, remote = service_target_port(service, pod, remote_text)
            default_local = svc_port
        elif remote_text.isdigit():
            remote = default_local = parse_port(remote_text, "remote")
        else:
            remote = default_local = pod_named_port(pod, remote_text)
        if remote == 0:
            raise CliError(f"Error parsing remote port '{remote_text}': should be between 1 "
                           f"and 65535")
        local = default_local if ":" not in spec else (
            parse_port(local_text, "local") if local_text else 0)
        pairs.append(PortPair(local, remote))
    return pairs


def addresses(text: str) -> list[str]:
    out: list[str] = []
    for item in (a.strip() for a in text.split(",")):
        out += ["127.0.0.1", "::1"] if item == "localhost" else [item]
    return out


def pod_and_service(session: Session, target: str) -> tuple[Obj, Obj | None]:
    """The running pod `target` means, and the Service when it names one."""
    service = None
    if "/" in target:
        info, name = targets.single([target], "port-forward")
        if info.kind == "Service":
            service = session.client.get(info, name, session.ns_for(info))
    pod = find_pod(session, target)
    phase = (pod.get("status") or {}).get("phase")
    if phase != "Running":
        raise CliError(f"unable to forward port because pod is not running. Current "
                       f"status={phase}")
    return pod, service


def listen_all(pairs: list[PortPair], address: str) -> list[tuple[socket.socket, PortPair]]:
    """A listener per address and pair, printing kubectl's "Forwarding from" lines; a
    random local port (0) is the same on every address once the first has it."""
    listeners = []
    for pair in pairs:
        bound = 0
        for addr in addresses(address):
            try:
                sock = listen(addr, pair.local)
            except OSError as e:
                if addr == "::1":
                    continue  # no IPv6 loopback here: 127.0.0.1 is enough, as for kubectl
                raise CliError(f"unable to listen on port {pair.local}: {e}") from None
            pair = PortPair(sock.getsockname()[1], pair.remote)
            shown = f"[{addr}]" if ":" in addr else addr
            print(f"Forwarding from {shown}:{pair.local} -> {pair.remote}", flush=True)
            listeners.append((sock, pair))
            bound += 1
        if not bound:
            raise CliError(f"unable to listen on any of the requested ports: {pair}")
    return listeners


def port_forward(ctx: typer.Context,
                 target: str = typer.Argument(..., help="TYPE/NAME or a pod name."),
                 ports: list[str] = typer.Argument(..., help="[LOCAL_PORT:]REMOTE_PORT..."),
                 address: str = typer.Option("localhost", "--address",
                                             help="Addresses to listen on (comma separated)."
                                                  " Only accepts IP addresses or localhost."),
                 pod_running_timeout: str = typer.Option(
                     "1m0s", "--pod-running-timeout",
                     help="How long to wait until at least one pod is running.")) -> None:
    """Forward one or more local ports to a pod."""
    del pod_running_timeout  # accepted for kubectl's command lines; the pod must be running
    session = session_of(ctx)
    pod, service = pod_and_service(session, target)
    pairs = port_pairs(ports, pod, service)
    cfg, meta = session.config, pod["metadata"]
    forward_to = ForwardTarget(
        cfg.server, f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/portforward",
        cfg.token, ssl_context(cfg) if cfg.server.startswith("https") else None)
    listeners = listen_all(pairs, address)
    for sock, pair in listeners:
        threading.Thread(target=serve, args=(sock, forward_to, pair), daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    for sock, _pair in listeners:
        sock.close()
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("port-forward", epilog=EXAMPLES, context_settings=CONTEXT)(port_forward)
