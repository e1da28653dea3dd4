"""A node and its pods as network namespaces, so the proxy's iptables rules and routes
live only there and the host's are never touched.

The node is a namespace with a bridge (cbr0, 10.244.0.1/24); each pod is a namespace of
its own on a veth pair into that bridge, running a small TCP server that answers its
own name. The test process reaches into a namespace without leaving its own: a socket
belongs to the namespace it was created in, so a short-lived thread enters the
namespace (setns affects only the calling thread), creates the socket and ends. The API
server stays on the host's loopback; a relay listening inside the node namespace
carries the proxy's requests to it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

POD_SERVER = """
import socket, sys
name, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port)); s.listen(128)
while True:
    conn, _ = s.accept()
    with conn:
        conn.sendall(name.encode() + b"\\n")
"""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class NetNs:
    def __init__(self, prefix: str):
        self.name = f"{prefix}{secrets.token_hex(3)}"
        ip("netns", "add", self.name)
        self.exec("ip", "link", "set", "lo", "up")

    def exec(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], check=check,
                              capture_output=True, text=True)

    def popen(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        with open(log, "ab") as out:
            return subprocess.Popen(["ip", "netns", "exec", self.name, *argv], stdout=out,
                                    stderr=subprocess.STDOUT,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def inside(self, fn: Callable[[], T]) -> T:
        """Run `fn` on a thread that has entered this namespace."""
        result: dict[str, Any] = {}

        def target() -> None:
            try:
                fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
                try:
                    if _libc.setns(fd, CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns")
                finally:
                    os.close(fd)
                result["value"] = fn()
            except BaseException as e:  # handed back to the caller's thread
                result["error"] = e

        t = threading.Thread(target=target)
        t.start()
        t.join()
        if "error" in result:
            raise result["error"]
        return result["value"]

    def socket(self) -> socket.socket:
        return self.inside(socket.socket)

    def delete(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Pod:
    def __init__(self, node: Node, index: int, log_dir: Path, port: int = 8080):
        self.ns = NetNs("tugpod")
        self.ip, self.port = f"10.244.0.{index}", port
        self.name = f"pod-{index}"
        host_if, pod_if = f"tugv{secrets.token_hex(3)}", f"tugp{secrets.token_hex(3)}"
        node.ns.exec("ip", "link", "add", host_if, "type", "veth", "peer", "name", pod_if,
                     "netns", self.ns.name)
        node.ns.exec("ip", "link", "set", host_if, "master", "cbr0", "up")
        # A pod reaching itself through its Service comes back out of the port it went
        # in by (the kubelet's --hairpin-mode=hairpin-veth sets the same).
        node.ns.exec("ip", "link", "set", host_if, "type", "bridge_slave", "hairpin", "on")
        self.ns.exec("ip", "link", "set", pod_if, "name", "eth0")
        self.ns.exec("ip", "addr", "add", f"{self.ip}/24", "dev", "eth0")
        self.ns.exec("ip", "link", "set", "eth0", "up")
        self.ns.exec("ip", "route", "add", "default", "via", Node.IP)
        self.server = self.ns.popen([sys.executable, "-c", POD_SERVER, self.name, str(port)],
                                    log_dir / f"{self.name}.log")

    def delete(self) -> None:
        self.server.kill()
        self.server.wait()
        self.ns.delete()


class Node:
    IP = "10.244.0.1"

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.ns = NetNs("tugnode")
        self.ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.ns.exec("ip", "link", "add", "cbr0", "type", "bridge")
        self.ns.exec("ip", "addr", "add", f"{self.IP}/24", "dev", "cbr0")
        self.ns.exec("ip", "link", "set", "cbr0", "up")
        self.pods: list[Pod] = []
        self._relays: list[socket.socket] = []

    def pod(self, index: int) -> Pod:
        pod = Pod(self, index, self.log_dir)
        self.pods.append(pod)
        return pod

    def relay(self, upstream_port: int) -> int:
        """Listen on 127.0.0.1 inside the node; carry each connection to the host's
        127.0.0.1:`upstream_port`. Returns the port inside the node."""
        listener = self.ns.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self._relays.append(listener)
        threading.Thread(target=_accept, args=(listener, upstream_port), daemon=True).start()
        return listener.getsockname()[1]

    def delete(self) -> None:
        for listener in self._relays:
            with contextlib.suppress(OSError):
                listener.close()
        for pod in self.pods:
            pod.delete()
        self.ns.delete()


def _accept(listener: socket.socket, upstream_port: int) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        try:
            up = socket.create_connection(("127.0.0.1", upstream_port))
        except OSError:
            conn.close()
            continue
        for a, b in ((conn, up), (up, conn)):
            threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
