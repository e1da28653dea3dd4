"""/livez and /readyz as kube-apiserver serves them (named checks, ?verbose, ?exclude,
/readyz/<name>), the database's file modes, and flag combinations that cannot work
refused with one line and exit code 1."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ApiServerProcess, free_port


def test_readyz_verbose_names_every_check(client: httpx.Client) -> None:
    r = client.get("/readyz", params={"verbose": ""})
    assert r.status_code == 200
    assert r.text.splitlines() == ["[+]ping ok", "[+]etcd ok", "[+]disk-space ok",
                                   "[+]watch-cache ok", "readyz check passed"]
    assert (client.get("/readyz").text, client.get("/healthz").text) == ("ok", "ok")


def test_livez_verbose(client: httpx.Client) -> None:
    r = client.get("/livez?verbose")
    assert (r.status_code, r.text) == (200, "[+]ping ok\n[+]watch-cache ok\nlivez check passed\n")


def test_each_check_alone_and_excluded(client: httpx.Client) -> None:
    assert (client.get("/readyz/etcd").text, client.get("/readyz/watch-cache").text) == \
        ("ok", "ok")
    assert client.get("/readyz/no-such-check").status_code == 404
    r = client.get("/readyz", params=[("verbose", ""), ("exclude", "etcd"),
                                      ("exclude", "nope")])
    assert "[+]etcd excluded: ok" in r.text.splitlines()
    assert 'warn: some health checks cannot be excluded: no matches for "nope"' in r.text


def test_database_files_are_private(apiserver: ApiServerProcess, client: httpx.Client) -> None:
    client.post("/api/v1/namespaces", json={"metadata": {"name": "file-modes"}})
    files = [apiserver.db, Path(f"{apiserver.db}-wal"), Path(f"{apiserver.db}-shm")]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == \
        {f.name: 0o600 for f in files}


def run_apiserver(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A server that must refuse to start: its exit code and output."""
    return subprocess.run([sys.executable, "-m", "tugboat.apiserver", "--port", str(free_port()),
                           "--store", f"sqlite:///{tmp_path}/state.db", *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("flags", "says"), [
    (["--kubelet-client-certificate", "c.crt"], "--kubelet-client-key go together"),
    (["--kubelet-certificate-authority", "ca.crt"], "needs --kubelet-client-certificate"),
    (["--authorization-mode", "RBAC,RBAC"], "more than once"),
    (["--compaction-interval", "0s"], "--compaction-interval must be above 0"),
    (["--secure-port", "70000"], "--secure-port 70000"),
])
def test_unworkable_flags_are_refused_with_one_line(tmp_path: Path, flags: list[str],
                                                    says: str) -> None:
    done = run_apiserver(tmp_path, *flags)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and lines[0].startswith("tug-apiserver: ")
