"""Small helpers the integration tests share: object bodies, Status assertions, and a
watch reader that follows a real chunked watch stream on a background thread."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

Obj = dict[str, Any]
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
UID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def container(name: str = "c", image: str = "nginx:1.25", **extra: Any) -> Obj:
    return {"name": name, "image": image, **extra}


def pod(name: str, *containers: Obj, labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    meta: Obj = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": list(containers) or [container()], **spec}}


def configmap(name: str, labels: dict[str, str] | None = None, **data: str) -> Obj:
    meta: Obj = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def template(labels: dict[str, str], restart: str | None = None) -> Obj:
    spec: Obj = {"containers": [container()]}
    if restart:
        spec["restartPolicy"] = restart
    return {"metadata": {"labels": labels}, "spec": spec}


def deployment(name: str, replicas: int = 1) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": template({"app": name})}}


def replicaset(name: str, replicas: int = 1) -> Obj:
    d = deployment(name, replicas)
    d["kind"] = "ReplicaSet"
    return d


def replicationcontroller(name: str, replicas: int = 1, restart: str | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"app": name},
                     "template": template({"app": name}, restart)}}


def job(name: str, restart: str = "Never") -> Obj:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"containers": [container()],
                                           "restartPolicy": restart}}}}


def assert_status(resp: httpx.Response, code: int, reason: str | None = None) -> Obj:
    """The response is a Kubernetes Status error with this code (and reason)."""
    assert resp.status_code == code, (resp.status_code, resp.text[:2000])
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert body["kind"] == "Status", body
    assert body["apiVersion"] == "v1", body
    assert body["status"] == "Failure", body
    assert body["code"] == code, body
    assert isinstance(body.get("message"), str) and body["message"], body
    if reason is not None:
        assert body["reason"] == reason, body
    return body


def rv(obj: Obj) -> int:
    return int(obj["metadata"]["resourceVersion"])


def bind(client: httpx.Client, ns: str, name: str, node: str = "node-1") -> httpx.Response:
    return client.post(f"/api/v1/namespaces/{ns}/pods/{name}/binding", json={
        "apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node}})


class Watch:
    """A watch stream read on a thread. The constructor returns once the response headers
    are in, which (for this server) means the watcher is registered."""

    def __init__(self, base_url: str, path: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, open_timeout: float = 10.0):
        self.events: list[Obj] = []
        self.lines: list[bytes] = []
        self.status_code: int | None = None
        self.response_headers: httpx.Headers | None = None
        self.error: BaseException | None = None
        self.opened_at = 0.0
        self.ended_at: float | None = None
        self._cond = threading.Condition()
        self._opened = threading.Event()
        self._sock: socket.socket | None = None
        self._client = httpx.Client(base_url=base_url,
                                    timeout=httpx.Timeout(10.0, read=None))
        self._params = {**(params or {}), "watch": "true"}
        self._thread = threading.Thread(target=self._run, args=(path, headers), daemon=True)
        self._thread.start()
        if not self._opened.wait(open_timeout):
            raise TimeoutError(f"watch on {path} did not open")
        if self.error is not None and self.status_code is None:
            raise self.error

    def _run(self, path: str, headers: dict[str, str] | None) -> None:
        try:
            with self._client.stream("GET", path, params=self._params,
                                     headers=headers or {}) as r:
                self.status_code = r.status_code
                self.response_headers = r.headers
                stream = r.extensions.get("network_stream")
                if stream is not None:
                    self._sock = stream.get_extra_info("socket")
                self.opened_at = time.monotonic()
                self._opened.set()
                for line in r.iter_lines():
                    if not line.strip():
                        continue
                    ev = json.loads(line)
                    with self._cond:
                        self.events.append(ev)
                        self._cond.notify_all()
        except BaseException as e:  # noqa: BLE001 - reported to the test through .error
            self.error = e
        finally:
            self.ended_at = time.monotonic()
            self._opened.set()
            with self._cond:
                self._cond.notify_all()

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def wait(self, pred: Callable[[list[Obj]], bool], timeout: float = 10.0,
             what: str = "events") -> list[Obj]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not pred(self.events):
                left = deadline - time.monotonic()
                if left <= 0 or (self.ended and not pred(self.events)):
                    raise AssertionError(f"timed out waiting for {what}; got {self.events!r}"
                                         f" (error {self.error!r})")
                self._cond.wait(min(left, 0.2))
            return list(self.events)

    def wait_count(self, n: int, timeout: float = 10.0) -> list[Obj]:
        return self.wait(lambda evs: len(evs) >= n, timeout, f"{n} events")

    def wait_ended(self, timeout: float = 15.0) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "watch stream did not end"

    def close(self) -> None:
        if self._sock is not None and not self.ended:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        self._client.close()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def names(events: list[Obj]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"].get("name", "")) for e in events]
