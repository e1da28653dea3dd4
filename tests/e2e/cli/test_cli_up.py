"""`tug up` end to end on real Docker: from nothing to a secure cluster (a CA, HTTPS with
client certificates, each daemon as itself, anonymous requests refused) running the
examples, stopped with SIGTERM, started again — same certificates, the insecure port on
request — with the pod still Running and its container not restarted (the kubelet adopts
it); supervision (daemons killed with -9 are restarted while the others keep running, and
the cluster serves again), `tug down` (stops it and removes the pods' containers); and the
one-line refusals (Docker, busy port, busy data folder).

Uses its own data folder, kubeconfig, ports and node name, so it neither touches ~/.tug
nor the containers of other suites; every container of its node is removed at the end.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[3]
TUG = str(Path(sys.executable).parent / "tug")
KUBECTL = "/usr/bin/kubectl"
EXAMPLES = ROOT / "examples"


pytestmark = [
    pytest.mark.timeout(300),
]


class Cluster:
    """One `tug up` process and the `tug` commands that talk to it."""

    def __init__(self, tmp: Path):
        self.data = tmp / "data"
        self.kubeconfig = tmp / "kubeconfig"
        self.node = f"tug-e2e-{secrets.token_hex(3)}"
        self.ports = {flag: free_port() for flag in ("--secure-port", "--kubelet-port",
                                                     "--scheduler-port",
                                                     "--controller-manager-port",
                                                     "--proxy-port", "--dns-port",
                                                     "--dns-health-port")}
        home = tmp / "home"
        home.mkdir(exist_ok=True)
        self.env = {**{k: v for k, v in os.environ.items()
                       if k not in ("KUBECONFIG", "TUG_SERVER")},
                    "HOME": str(home), "PYTHONUNBUFFERED": "1"}
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []

    def up_argv(self, *extra: str) -> list[str]:
        argv = [TUG, "--kubeconfig", str(self.kubeconfig), "up", "--data-dir", str(self.data),
                "--node-name", self.node, *extra]
        for flag, port in self.ports.items():
            argv += [flag, str(port)]
        return argv

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports['--secure-port']}"

    def start(self, *extra: str) -> None:
        self.lines = []
        self.proc = subprocess.Popen(self.up_argv(*extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=self.env)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        self.wait_line(rf"^Tugboat is running at {re.escape(self.url)}", 150)

    def whoami(self, kubeconfig: Path) -> str:
        return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "auth", "whoami", "-o",
                               "jsonpath={.status.userInfo.username}"], capture_output=True,
                              text=True, timeout=60, env=self.env, check=True).stdout

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in self.lines):
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"tug up never printed {pattern!r}: {self.lines}")

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(90)
        self.proc = None
        return code

    def tug(self, *args: str, input: str | None = None, timeout: float = 150
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TUG, "--kubeconfig", str(self.kubeconfig), *args], input=input,
                              capture_output=True, text=True, timeout=timeout, env=self.env)

    def ok(self, *args: str, **kw: object) -> str:
        done = self.tug(*args, **kw)  # type: ignore[arg-type]
        assert done.returncode == 0, f"tug {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def daemon_pids(self) -> dict[str, int]:
        """tug up's children by module: "apiserver" → pid."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        pids = {}
        for pid in children.split():
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            module = argv[argv.index(b"-m") + 1].decode() if b"-m" in argv else ""
            pids[module.removeprefix("tugboat.")] = int(pid)
        return pids

    def containers(self, pod: str) -> set[str]:
        out = subprocess.run(["docker", "ps", "-q", "--no-trunc",
                              "--filter", f"label=io.tugboat.node={self.node}",
                              "--filter", f"label=io.tugboat.pod.name={pod}"],
                             capture_output=True, text=True, timeout=30).stdout
        return set(out.split())

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        ids = subprocess.run(["docker", "ps", "-aq", "--filter",
                              f"label=io.tugboat.node={self.node}"],
                             capture_output=True, text=True, timeout=30).stdout.split()
        if ids:
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, timeout=60)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.cleanup()


def _apply_and_wait_for_examples(c: Cluster) -> None:
    """Every example, each waited on its own success condition."""
    for name in ("probes", "rc", "deployment", "job", "daemonset", "service", "podspec"):
        c.ok("apply", "-f", str(EXAMPLES / f"{name}.yaml"))
    c.ok("wait", "--for=condition=Ready", "pod/probes", "--timeout=120s")
    c.ok("wait", "--for=jsonpath={.status.readyReplicas}=2", "rc/rc-web", "--timeout=120s")
    assert c.ok("rollout", "status", "deploy/web", "--timeout=120s").endswith(
        'deployment "web" successfully rolled out\n')
    assert c.ok("rollout", "status", "ds/node-reporter", "--timeout=120s").endswith(
        'daemon set "node-reporter" successfully rolled out\n')
    c.ok("wait", "--for=condition=Complete", "job/compute", "--timeout=120s")
    endpoints = c.ok("get", "endpoints", "web", "-o",
                     "jsonpath={.subsets[*].addresses[*].ip}")
    assert len(endpoints.split()) == 2
    assert "6 x 7 = 42" in c.ok("logs", "job/compute")
    c.ok("wait", "--for=condition=Ready", "pod/configured", "--timeout=120s")
    wait_until(lambda: "level=debug user=admin" in c.ok("logs", "configured", "-c", "app"),
               30, "the podspec example's output")
    assert c.ok("logs", "configured", "-c", "app").startswith("prepared by configured\n")
    assert c.ok("exec", "configured", "-c", "app", "--", "sh", "-c",
                "cat /etc/app/greeting; echo; cat /work/started; echo $DB_PASSWORD") == \
        "hello from a ConfigMap\nstarted\ns3cret\n"


def _assert_secure(c: Cluster) -> None:
    """HTTPS with the cluster CA; the kubeconfig carries it and the admin certificate;
    every daemon is itself; anonymous requests reach only the health endpoints."""
    doc = yaml.safe_load(c.kubeconfig.read_text())
    assert doc["clusters"][0]["cluster"]["server"] == c.url
    assert {"client-certificate-data", "client-key-data"} <= set(doc["users"][0]["user"])
    assert c.whoami(c.kubeconfig) == "kubernetes-admin"
    for conf, user in (("scheduler.conf", "system:kube-scheduler"),
                       ("controller-manager.conf", "system:kube-controller-manager"),
                       ("kubelet.conf", f"system:node:{c.node}")):
        assert c.whoami(c.data / conf) == user
    ca = str(c.data / "pki" / "ca.crt")
    assert httpx.get(f"{c.url}/readyz", verify=ca).status_code == 200
    anonymous = httpx.get(f"{c.url}/api/v1/namespaces", verify=ca)
    assert anonymous.status_code == 403 and anonymous.json()["reason"] == "Forbidden"
    assert oct((c.data / "pki" / "ca.key").stat().st_mode & 0o777) == "0o600"


def test_up_runs_the_examples_and_adopts_its_containers_after_a_restart(
        cluster: Cluster) -> None:
    c = cluster
    c.start()
    assert f"[3/9] checking the certificates in {c.data / 'pki'} ... created a cluster CA " \
        "and 9 certificates" in c.lines
    _assert_secure(c)
    assert c.ok("get", "nodes", "-o", "name") .split() == [f"node/{c.node}"]
    assert c.ok("apply", "-f", str(EXAMPLES / "pod.yaml")) == "pod/hello created\n"
    c.ok("wait", "--for=condition=Ready", "pod/hello", "--timeout=120s")
    before = c.containers("hello")
    assert len(before) == 2  # the sandbox and the container
    # The pod finds the API server as pods do everywhere: by name through the cluster DNS
    # (kube-dns -> tug-dns on the bridge) and by ClusterIP through the service proxy.
    found = c.ok("exec", "hello", "--", "sh", "-c",
                 "nslookup kubernetes.default.svc.cluster.local; "
                 "nc -w 2 kubernetes.default 443 </dev/null && echo connected")
    assert "Address: 10.96.0.1" in found and "connected" in found, found

    assert "hello from Tugboat" in c.ok("logs", "hello")
    follow = subprocess.Popen([TUG, "--kubeconfig", str(c.kubeconfig), "logs", "-f", "hello"],
                              stdout=subprocess.PIPE, text=True, env=c.env)
    try:
        assert follow.stdout is not None
        assert follow.stdout.readline() == "hello from Tugboat\n"  # streamed, not at exit
        assert follow.poll() is None
    finally:
        follow.terminate()
        follow.wait(10)
    failed = c.tug("exec", "hello", "--", "sh", "-c", "exit 3")
    assert failed.returncode == 3 and "command terminated with exit code 3" in failed.stderr
    assert c.ok("exec", "-i", "hello", "--", "cat", input="through stdin\n") == \
        "through stdin\n"

    _apply_and_wait_for_examples(c)
    for name in ("probes", "rc", "deployment", "job", "daemonset", "service", "podspec"):
        c.ok("delete", "-f", str(EXAMPLES / f"{name}.yaml"), "--timeout=120s")

    second = subprocess.run(c.up_argv(), capture_output=True, text=True, timeout=60, env=c.env)
    assert second.returncode == 1
    assert re.fullmatch(r'error: another "tug up" \(pid \d+\) is already running on .*\n',
                        second.stderr)

    assert c.stop() == 0
    assert c.containers("hello") == before  # the kubelet leaves its containers running
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", c.ports["--secure-port"])) != 0  # it is gone

    insecure = free_port()
    c.start("--insecure-port", str(insecure), "--cleanup")
    assert f"[3/9] checking the certificates in {c.data / 'pki'} ... ok" in c.lines
    plain = httpx.get(f"http://127.0.0.1:{insecure}/api/v1/nodes/{c.node}")
    assert plain.status_code == 200  # the insecure port: full access, loopback only
    c.ok("wait", "--for=condition=Ready", "pod/hello", "--timeout=120s")
    assert c.ok("get", "pod", "hello", "-o",
                "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}") == \
        "Running 0"
    assert c.containers("hello") == before  # adopted, not restarted
    c.ok("delete", "pod", "hello", "--timeout=120s")
    assert c.containers("hello") == set()
    c.ok("apply", "-f", "-", input=SECOND_POD)
    c.ok("wait", "--for=condition=Ready", "pod/after-restarts", "--timeout=120s")
    assert c.stop() == 0  # --cleanup: its containers go too
    assert f"removing the containers of node {c.node} ... removed 2" in c.lines
    assert c.containers("after-restarts") == set()


def test_refusals_are_one_line(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    no_docker = subprocess.run(c.up_argv(), capture_output=True, text=True, timeout=60,
                               env={**c.env, "DOCKER_HOST": "unix:///nonexistent.sock"})
    assert no_docker.returncode == 1
    assert re.fullmatch(r"error: the Docker engine is not running \(.*\); start it .*\n",
                        no_docker.stderr)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", c.ports["--scheduler-port"]))
        busy.listen()
        in_use = subprocess.run(c.up_argv(), capture_output=True, text=True, timeout=120,
                                env=c.env)
    # the scheduler binds its own port (no check-then-bind race); tug up relays its line
    # with tug up's flag, after a few tries
    assert in_use.returncode == 1
    log = c.data / "logs" / "scheduler.log"
    assert in_use.stderr == (
        f"error: the scheduler exited with code 1 at each of 3 tries to start it; giving up: "
        f"tug-scheduler: port {c.ports['--scheduler-port']} is already in use on 127.0.0.1; "
        f"stop what uses it or pick another port with --scheduler-port (its log: {log})\n")
    assert "Traceback" not in no_docker.stderr + in_use.stderr


def _ready(url: str, ca: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", verify=ca, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


SECOND_POD = """
apiVersion: v1
kind: Pod
metadata: {name: after-restarts}
spec:
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
"""


def test_killed_daemons_are_restarted_and_tug_down_removes_the_containers(
        cluster: Cluster) -> None:
    c = cluster
    c.start()
    c.ok("apply", "-f", str(EXAMPLES / "pod.yaml"))
    c.ok("wait", "--for=condition=Ready", "pod/hello", "--timeout=120s")
    before = c.daemon_pids()
    assert set(before) == {"apiserver", "scheduler", "controller", "proxy", "dns", "kubelet"}

    os.kill(before["apiserver"], signal.SIGKILL)
    os.kill(before["scheduler"], signal.SIGKILL)
    c.wait_line(r"^the API server was killed by SIGKILL after \d+s; the last lines of "
                + re.escape(str(c.data / "logs" / "apiserver.log")), 30)
    c.wait_line(r"^restarting the scheduler in 1s \(restart 1\)$", 30)
    # served again: a new pod is scheduled (by the restarted scheduler) and started (by the
    # kubelet that kept running through the API server's restart)
    c.wait_line(r"^restarting the API server in 1s \(restart 1\)$", 30)
    ca = str(c.data / "pki" / "ca.crt")
    wait_until(lambda: _ready(c.url, ca), 60, "the API server to come back")
    c.ok("apply", "-f", "-", input=SECOND_POD)
    c.ok("wait", "--for=condition=Ready", "pod/after-restarts", "--timeout=120s")
    after = c.daemon_pids()
    assert after["kubelet"] == before["kubelet"]  # (the controller manager may have
    # exited too, on losing its lease while the API server was away: that is allowed)
    assert after["apiserver"] != before["apiserver"]
    assert after["scheduler"] != before["scheduler"]
    assert c.proc is not None and c.proc.poll() is None  # tug up itself kept running
    assert len(c.containers("hello")) == 2

    down = c.tug("down", "--data-dir", str(c.data), timeout=120)
    assert down.returncode == 0, down.stdout + down.stderr
    pid = c.proc.pid
    assert down.stdout == (f"stopping tug up (pid {pid}) ... stopped\n"
                           f"removing the containers of node {c.node} ... removed 4\n"
                           f"removing the service proxy's rules ... removed\n")
    assert c.proc.wait(10) == 0
    c.proc = None
    assert c.containers("hello") == c.containers("after-restarts") == set()
    again = c.tug("down", "--data-dir", str(c.data))
    assert again.stdout == (f"no tug up is running on {c.data}\n"
                            f"removing the containers of node {c.node} ... removed 0\n"
                            f"removing the service proxy's rules ... removed\n")
