"""Issue 15 review: damaged protobuf bodies, as a buggy or hostile client sends them, against
a server whose address space is capped — every one is answered with a 4xx Status (or
accepted, where the damage still decodes), none is a 5xx, and the server keeps serving."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import ApiServerProcess
from tugboat.api.proto import codec

ADDRESS_SPACE_CAP = 1536 * 1024 * 1024
PROTOBUF = {"Content-Type": "application/vnd.kubernetes.protobuf", "Accept": "application/json"}
LABELS = {"app": "web"}
DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": LABELS, "annotations": {"a": "b"}},
    "spec": {"replicas": 3, "progressDeadlineSeconds": 60,
             "strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
             "selector": {"matchLabels": LABELS},
             "template": {"metadata": {"labels": LABELS}, "spec": {
                 "terminationGracePeriodSeconds": 3,
                 "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
                                 "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                                 "livenessProbe": {"httpGet": {"port": "http", "path": "/"}}}]}}},
}


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("capped-apiserver"),
                            address_space=ADDRESS_SPACE_CAP)
    proc.start()
    yield proc
    proc.stop()


def _mutations(good: bytes, count: int, seed: int) -> Iterator[bytes]:
    """The body with 1-4 bytes past the magic overwritten, truncated, or a run repeated."""
    rnd = random.Random(seed)
    for _ in range(count):
        b = bytearray(good)
        how = rnd.randrange(3)
        if how == 0:
            for _ in range(rnd.randint(1, 4)):
                b[rnd.randrange(4, len(b))] = rnd.randrange(256)
        elif how == 1:
            del b[rnd.randrange(5, len(b)):]
        else:
            i = rnd.randrange(4, len(b) - 8)
            b[i:i] = b[i:i + 8] * rnd.randint(2, 50)
        yield bytes(b)


def test_damaged_bodies_are_client_errors(client: httpx.Client, ns: str,
                                          apiserver: ApiServerProcess) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments"
    good = codec.encode(DEPLOYMENT)
    assert client.post(url, params={"dryRun": "All"}, content=good,
                       headers=PROTOBUF).status_code == 201
    seen: dict[int, int] = {}
    for body in _mutations(good, 400, seed=15):
        r = client.post(url, params={"dryRun": "All"}, content=body, headers=PROTOBUF)
        assert r.status_code < 500, (body.hex(), r.text[:500])
        if r.status_code >= 400:
            assert r.json()["kind"] == "Status", r.text[:500]
        seen[r.status_code] = seen.get(r.status_code, 0) + 1
    assert seen.get(400, 0) > 100, seen  # most damage is caught by the decoder
    assert apiserver.proc is not None and apiserver.proc.poll() is None
    assert client.post(url, content=good, headers=PROTOBUF).status_code == 201
