"""Secrets encrypted at rest, end to end: a real API server process whose store is the
EncryptingStore, a Secret written through the REST API, and the SQLite files on disk
searched for its value. Restarts change the EncryptionConfiguration as an operator
would: rotate to a new key, then decrypt back to identity."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port, wait_until

# The API server as __main__ builds it, with its store wrapped: what
# --encryption-provider-config does, without depending on the flag's wiring.
SERVE = """
import logging, sys, uvicorn
logging.basicConfig(level="INFO")
from tugboat.apiserver.app import build_app
from tugboat.apiserver.encryption import EncryptingStore, load_encryption_config
from tugboat.store import open_store
store = EncryptingStore(open_store(sys.argv[1]), load_encryption_config(sys.argv[2]))
uvicorn.run(build_app(store), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""

PASSWORD = b"correct-horse-battery-staple-7f3a"
KEY1 = base64.b64encode(os.urandom(32)).decode()
KEY2 = base64.b64encode(os.urandom(32)).decode()


def write_config(path: Path, *providers: str) -> Path:
    path.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n"
                    "resources:\n- resources: [secrets]\n  providers:\n"
                    + "".join(f"  - {p}\n" for p in providers))
    return path


def aescbc(name: str, secret: str) -> str:
    return f"aescbc: {{keys: [{{name: {name}, secret: '{secret}'}}]}}"


class EncryptedApiServer:
    def __init__(self, data: Path):
        self.data = data
        self.db = data / "state.db"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, config: Path) -> httpx.Client:
        log = open(self.data / "apiserver.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, f"sqlite:///{self.db}", str(config), str(self.port)],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: self._ready(url), 20, "the encrypting apiserver")
        return httpx.Client(base_url=url, timeout=15)

    def _ready(self, url: str) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError((self.data / "apiserver.log").read_text()[-2000:])
        return httpx.get(url + "/readyz", timeout=1).status_code == 200

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def on_disk(self) -> bytes:
        """Everything SQLite holds on disk: the database and its write-ahead log."""
        return b"".join(p.read_bytes() for p in self.data.glob("state.db*"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EncryptedApiServer]:
    s = EncryptedApiServer(tmp_path)
    yield s
    s.stop()


def create_secret(c: httpx.Client, name: str, value: bytes = PASSWORD) -> None:
    r = c.post("/api/v1/namespaces/default/secrets", json={
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
        "data": {"password": base64.b64encode(value).decode()}})
    assert r.status_code == 201, r.text


def password_of(c: httpx.Client, name: str) -> bytes:
    r = c.get(f"/api/v1/namespaces/default/secrets/{name}")
    assert r.status_code == 200, r.text
    return base64.b64decode(r.json()["data"]["password"])


def test_a_secret_is_not_readable_in_the_database_files(server: EncryptedApiServer,
                                                        tmp_path: Path) -> None:
    with server.start(write_config(tmp_path / "enc.yaml", aescbc("key1", KEY1))) as c:
        create_secret(c, "db")
        r = c.post("/api/v1/namespaces/default/configmaps", json={
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"},
            "data": {"note": "configmaps-are-not-configured"}})
        assert r.status_code == 201, r.text
        disk = server.on_disk()
        assert PASSWORD not in disk and base64.b64encode(PASSWORD) not in disk
        assert b"k8s:enc:aescbc:v1:key1:" in disk
        assert b"configmaps-are-not-configured" in disk  # only the configured resources
        assert password_of(c, "db") == PASSWORD
        items = c.get("/api/v1/namespaces/default/secrets").json()["items"]
        assert [base64.b64decode(s["data"]["password"]) for s in items] == [PASSWORD]


def test_rotation_then_decryption_keep_every_secret_readable(server: EncryptedApiServer,
                                                             tmp_path: Path) -> None:
    with server.start(write_config(tmp_path / "1.yaml", aescbc("key1", KEY1))) as c:
        create_secret(c, "old")
    server.stop()

    # Rotation: the new key writes, the old one still reads.
    with server.start(write_config(tmp_path / "2.yaml", aescbc("key2", KEY2),
                                   aescbc("key1", KEY1))) as c:
        assert password_of(c, "old") == PASSWORD
        create_secret(c, "new", b"rotated-value-91c2")
        assert b"k8s:enc:aescbc:v1:key2:" in server.on_disk()
    server.stop()

    # Decryption: identity first writes plaintext; both keys still read what they wrote.
    with server.start(write_config(tmp_path / "3.yaml", "identity: {}", aescbc("key2", KEY2),
                                   aescbc("key1", KEY1))) as c:
        assert password_of(c, "old") == PASSWORD
        assert password_of(c, "new") == b"rotated-value-91c2"
        create_secret(c, "plain", b"written-in-the-clear-5e")
        assert base64.b64encode(b"written-in-the-clear-5e") in server.on_disk()


def test_a_secret_whose_key_is_gone_is_kept_and_returns_with_its_key(
        server: EncryptedApiServer, tmp_path: Path) -> None:
    with server.start(write_config(tmp_path / "1.yaml", aescbc("key1", KEY1))) as c:
        create_secret(c, "kept")
    server.stop()

    # The operator dropped key1: the Secret cannot be read, so it is left out (and the
    # server says why in its log) — never served as garbage, never overwritten.
    with server.start(write_config(tmp_path / "2.yaml", aescbc("key2", KEY2))) as c:
        assert c.get("/api/v1/namespaces/default/secrets/kept").status_code == 404
        again = c.post("/api/v1/namespaces/default/secrets", json={
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kept"}})
        assert again.status_code == 409, again.text
    server.stop()
    log = (tmp_path / "apiserver.log").read_text()
    assert "/registry/core/secrets/default/kept" in log and "no matching prefix found" in log

    with server.start(write_config(tmp_path / "3.yaml", aescbc("key2", KEY2),
                                   aescbc("key1", KEY1))) as c:
        assert password_of(c, "kept") == PASSWORD
