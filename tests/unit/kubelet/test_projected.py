"""Projected and downward API volumes on the host: the files a pod's kube-api-access
volume holds, their modes, the token's renewal at 80 % of its life, and what a missing
source does; plus the KUBERNETES_SERVICE_* variables."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.core import Pod
from tugboat.api.meta import Status
from tugboat.client import NotFound
from tugboat.kubelet.projected import ProjectedVolumes
from tugboat.kubelet.reasons import StartFailure
from tugboat.kubelet.serviceaccounttokens import TokenManager
from tugboat.kubelet.volumes import VolumeManager

pytestmark = pytest.mark.anyio
PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
API_ACCESS = {"name": "kube-api-access-x2b4c", "projected": {"defaultMode": 420, "sources": [
    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
        "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}


class FakeApi:
    """Answers GETs from `objects` and TokenRequests with numbered tokens."""

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {
            ("configmaps", "ns1", "kube-root-ca.crt"): {"data": {"ca.crt": "PEM"}},
            ("secrets", "ns1", "s"): {"data": {"k": base64.b64encode(b"\x00v").decode()}}}
        self.requests: list[dict[str, Any]] = []

    async def get(self, resource: str, name: str, namespace: str | None = None) -> dict:
        try:
            return self.objects[(resource, namespace or "", name)]
        except KeyError:
            raise NotFound(Status(code=404, reason="NotFound", message="nope")) from None

    async def create_token(self, sa: str, namespace: str | None = None, **kw: Any) -> dict:
        self.requests.append({"sa": sa, "namespace": namespace, **kw})
        exp = dt.datetime.fromtimestamp(self.clock() + kw["expiration_seconds"], dt.timezone.utc)
        return {"status": {"token": f"token-{len(self.requests)}",
                           "expirationTimestamp": exp.strftime("%Y-%m-%dT%H:%M:%SZ")}}


def pod(volumes: list[dict], **meta: Any) -> Pod:
    return Pod.model_validate({
        "metadata": {"name": "web", "namespace": "ns1", "uid": "u1", **meta},
        "spec": {"serviceAccountName": "default", "volumes": volumes, "containers": [
            {"name": "c", "image": "busybox",
             "resources": {"limits": {"memory": "64Mi"}},
             "volumeMounts": [{"name": volumes[0]["name"], "mountPath": PATH,
                               "readOnly": True}]}]}})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000.0)


@pytest.fixture
def api(clock: ManualClock) -> FakeApi:
    return FakeApi(clock)


@pytest.fixture
def volumes(tmp_path: Path, api: FakeApi, clock: ManualClock) -> VolumeManager:
    return VolumeManager(tmp_path, ProjectedVolumes(api, TokenManager(api, clock)), clock)


async def test_the_api_access_volume(volumes: VolumeManager, api: FakeApi,
                                     tmp_path: Path) -> None:
    p = pod([API_ACCESS])
    await volumes.prepare(p)
    (mount,) = volumes.mounts_for(p, p.spec.containers[0])
    assert mount.container_path == PATH and mount.read_only
    root = Path(mount.host_path)
    assert root == tmp_path / "pods/u1/volumes/kubernetes.io~projected/kube-api-access-x2b4c"
    assert {f: (root / f).read_text() for f in os.listdir(root)} == {
        "token": "token-1", "ca.crt": "PEM", "namespace": "ns1"}
    assert {oct(os.stat(root / f).st_mode & 0o777) for f in os.listdir(root)} == {"0o644"}
    assert oct(os.stat(root).st_mode & 0o777) == "0o755"
    assert api.requests == [{"sa": "default", "namespace": "ns1", "audiences": [],
                             "expiration_seconds": 3607, "bound_object": {
                                 "apiVersion": "v1", "kind": "Pod", "name": "web",
                                 "uid": "u1"}}]


async def test_the_token_is_renewed_at_80_percent(volumes: VolumeManager, api: FakeApi,
                                                  clock: ManualClock) -> None:
    p = pod([API_ACCESS])
    await volumes.prepare(p)
    root = Path(volumes.mounts_for(p, p.spec.containers[0])[0].host_path)
    clock.advance(0.8 * 3607 - 5)
    await volumes.prepare(p)
    assert (root / "token").read_text() == "token-1"
    clock.advance(10)
    await volumes.prepare(p)
    assert (root / "token").read_text() == "token-2"
    volumes.cleanup("u1")
    assert not root.exists()


async def test_a_missing_source_holds_the_pod_in_container_creating(
        volumes: VolumeManager, api: FakeApi) -> None:
    del api.objects[("configmaps", "ns1", "kube-root-ca.crt")]
    p = pod([API_ACCESS])
    with pytest.raises(StartFailure) as e:
        await volumes.prepare(p)
    assert e.value.reason == "ContainerCreating"
    assert e.value.message == ('MountVolume.SetUp failed for volume "kube-api-access-x2b4c" : '
                               'configmap "kube-root-ca.crt" not found')


async def test_downward_api_secret_and_config_map_volumes(volumes: VolumeManager) -> None:
    p = pod([{"name": "info", "downwardAPI": {"items": [
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
        {"path": "sub/name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 0o600},
        {"path": "mem", "resourceFieldRef": {"containerName": "c",
                                             "resource": "limits.memory", "divisor": "1Mi"}}]}},
        {"name": "sec", "secret": {"secretName": "s"}},
        {"name": "opt", "configMap": {"name": "absent", "optional": True}}],
        labels={"b": "2", "a": "1"})
    await volumes.prepare(p)
    base = Path(volumes.pod_dir("u1")) / "volumes"
    info = base / "kubernetes.io~downward-api/info"
    assert (info / "labels").read_text() == 'a="1"\nb="2"'
    assert (info / "sub/name").read_text() == "web"
    assert os.stat(info / "sub/name").st_mode & 0o777 == 0o600
    assert (info / "mem").read_text() == "64"
    assert (base / "kubernetes.io~secret/sec/k").read_bytes() == b"\x00v"
    assert os.listdir(base / "kubernetes.io~configmap/opt") == []
