"""Fixtures for the CLI suite: `tug`, which runs the real console script as a subprocess
against the suite's API server (with a private HOME, so no ~/.tug/config leaks in), in a
fresh namespace per test; and `api`, plain HTTP for arranging and checking state without
going through the CLI under test."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import ApiServerProcess

TUG = str(Path(sys.executable).parent / "tug")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def ok(self) -> Result:
        assert self.code == 0, f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"
        return self


class Tug:
    """Runs `tug ARGS...` with --server and -n set, like a user with a kubeconfig would."""

    def __init__(self, server: str, namespace: str, home: Path):
        self.server, self.namespace, self.home = server, namespace, home
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("KUBECONFIG", "TUG_SERVER")}
        self.env.update(HOME=str(home), PYTHONUNBUFFERED="1")

    def argv(self, args: tuple[str, ...], server: bool = True) -> list[str]:
        extra = ["--server", self.server, "-n", self.namespace] if server else []
        return [TUG, *extra, *args]

    def __call__(self, *args: str, input: str | None = None, timeout: float = 60,
                 server: bool = True, env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(self.argv(args, server), input=input, capture_output=True,
                              text=True, timeout=timeout, env={**self.env, **(env or {})})
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, **kw: Any) -> str:
        return self(*args, **kw).ok().out

    def popen(self, *args: str) -> Stream:
        proc = subprocess.Popen(self.argv(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.env)
        return Stream(proc)


class Stream:
    """A long-running `tug` (get -w, logs -f): lines read with deadlines, never sleeps."""

    def __init__(self, proc: subprocess.Popen[str]):
        self.proc = proc
        self.lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float = 15.0, count: int = 1) -> str:
        """The `count`-th line matching `pattern`, once it has been printed."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self._cond:
            while True:
                matches = [line for line in self.lines if rx.search(line)]
                if len(matches) >= count:
                    return matches[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no line matching {pattern!r} in {self.lines!r}")
                self._cond.wait(remaining)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="package")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    """One API server for the whole CLI suite (every test has its own namespace)."""
    proc = ApiServerProcess(tmp_path_factory.mktemp("cli-apiserver"))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def api(apiserver: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=apiserver.url, timeout=15.0) as c:
        yield c


@pytest.fixture
def ns(api: httpx.Client, request: pytest.FixtureRequest) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"{base}-{secrets.token_hex(3)}"
    r = api.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": name}})
    assert r.status_code == 201, r.text
    return name


@pytest.fixture
def tug(apiserver: ApiServerProcess, ns: str, tmp_path: Path) -> Tug:
    home = tmp_path / "home"
    home.mkdir()
    return Tug(apiserver.url, ns, home)


def pod(name: str, labels: dict[str, str] | None = None, node: str | None = None,
        **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.35",
                                 "command": ["sleep", "3600"]}], **spec}}
    if node:
        body["spec"]["nodeName"] = node
    return body


def create(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(path, json=body)
    assert r.status_code == 201, f"POST {path}: {r.status_code} {r.text}"
    return r.json()
