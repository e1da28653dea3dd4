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
from tests.unit.kubelet.fakemounter import FakeMounter
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
    return VolumeManager(tmp_path, ProjectedVolumes(api, TokenManager(api, clock)), clock,
                         mounter=FakeMounter())


def visible(root: Path) -> list[str]:
    """The names a container sees (the atomic writer's own start with '..')."""
    return sorted(n for n in os.listdir(root) if not n.startswith(".."))


async def test_the_api_access_volume(volumes: VolumeManager, api: FakeApi,
                                     tmp_path: Path) -> None:
    p = pod([API_ACCESS])
    await volumes.prepare(p)
    (mount,) = volumes.mounts_for(p, p.spec.containers[0])
    assert mount.container_path == PATH and mount.read_only
    root = Path(mount.host_path)
    assert root == tmp_path / "pods/u1/volumes/kubernetes.io~projected/kube-api-access-x2b4c"
    assert {f: (root / f).read_text() for f in visible(root)} == {
        "token": "token-1", "ca.crt": "PEM", "namespace": "ns1"}
    assert {oct(os.stat(root / f).st_mode & 0o777) for f in visible(root)} == {"0o644"}
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
    await volumes.cleanup("u1")
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
    assert visible(base / "kubernetes.io~configmap/opt") == []


async def test_items_map_keys_to_paths_and_modes(volumes: VolumeManager, api: FakeApi
                                                 ) -> None:
    api.objects[("configmaps", "ns1", "app")] = {
        "data": {"a": "A", "b": "B"}, "binaryData": {"bin": base64.b64encode(b"\xff").decode()}}
    p = pod([{"name": "cfg", "configMap": {"name": "app", "defaultMode": 0o440, "items": [
        {"key": "a", "path": "conf/a.txt"}, {"key": "bin", "path": "bin", "mode": 0o400}]}}])
    await volumes.prepare(p)
    root = volumes.pod_dir("u1") / "volumes/kubernetes.io~configmap/cfg"
    assert visible(root) == ["bin", "conf"]
    assert (root / "conf/a.txt").read_text() == "A"
    assert (root / "bin").read_bytes() == b"\xff"
    assert os.stat(root / "conf/a.txt").st_mode & 0o777 == 0o440
    assert os.stat(root / "bin").st_mode & 0o777 == 0o400
    (mount,) = volumes.mounts_for(p, p.spec.containers[0])
    assert mount.read_only  # API data is always mounted read-only


@pytest.mark.parametrize("volume, message", [
    ({"secret": {"secretName": "s", "items": [{"key": "nope", "path": "x"}]}},
     "secret references non-existent secret key: nope"),
    ({"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "nope", "path": "x"}]}},
     "configmap references non-existent config key: nope"),
    ({"secret": {"secretName": "absent"}}, 'secret "absent" not found'),
])
async def test_missing_objects_and_keys(volumes: VolumeManager, volume: dict, message: str
                                        ) -> None:
    p = pod([{"name": "v", **volume}])
    with pytest.raises(StartFailure) as e:
        await volumes.prepare(p)
    assert e.value.message == f'MountVolume.SetUp failed for volume "v" : {message}'


async def test_an_optional_key_that_is_missing_is_left_out(volumes: VolumeManager) -> None:
    p = pod([{"name": "v", "secret": {"secretName": "s", "optional": True, "items": [
        {"key": "nope", "path": "x"}, {"key": "k", "path": "y"}]}}])
    await volumes.prepare(p)
    assert visible(volumes.pod_dir("u1") / "volumes/kubernetes.io~secret/v") == ["y"]


async def test_an_update_reaches_the_files_after_the_refresh_period(
        tmp_path: Path, api: FakeApi, clock: ManualClock) -> None:
    volumes = VolumeManager(tmp_path, ProjectedVolumes(api, TokenManager(api, clock)), clock,
                            mounter=FakeMounter(), refresh_period=5.0)
    api.objects[("configmaps", "ns1", "app")] = {"data": {"greeting": "hello"}}
    p = pod([{"name": "cfg", "configMap": {"name": "app"}}])
    await volumes.prepare(p)
    root = volumes.pod_dir("u1") / "volumes/kubernetes.io~configmap/cfg"
    api.objects[("configmaps", "ns1", "app")] = {"data": {"greeting": "bonjour"}}
    clock.advance(1)
    await volumes.prepare(p)
    assert (root / "greeting").read_text() == "hello"  # not due yet
    clock.advance(4)
    await volumes.prepare(p)
    assert (root / "greeting").read_text() == "bonjour"
    del api.objects[("configmaps", "ns1", "app")]
    clock.advance(5)
    await volumes.prepare(p)  # a failed refresh keeps what the pod has
    assert (root / "greeting").read_text() == "bonjour"


async def test_a_secret_volume_is_on_a_tmpfs(tmp_path: Path, api: FakeApi,
                                             clock: ManualClock) -> None:
    mounter = FakeMounter()
    volumes = VolumeManager(tmp_path, ProjectedVolumes(api, TokenManager(api, clock)), clock,
                            mounter=mounter)
    p = pod([{"name": "sec", "secret": {"secretName": "s"}}])
    await volumes.prepare(p)
    root = volumes.pod_dir("u1") / "volumes/kubernetes.io~secret/sec"
    assert mounter.mounts == {root: (None, 0o1777)}
    await volumes.cleanup("u1")
    assert mounter.mounts == {} and not volumes.pod_dir("u1").exists()


async def test_labels_and_annotations_are_quoted(volumes: VolumeManager) -> None:
    p = pod([{"name": "info", "downwardAPI": {"items": [
        {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
        {"path": "tier", "fieldRef": {"fieldPath": "metadata.labels['tier']"}}]}}],
        labels={"tier": "web"}, annotations={"note": 'say "hi"\nthere'})
    await volumes.prepare(p)
    root = volumes.pod_dir("u1") / "volumes/kubernetes.io~downward-api/info"
    assert (root / "annotations").read_text() == 'note="say \\"hi\\"\\nthere"'
    assert (root / "tier").read_text() == "web"


async def test_sub_path_expr_mounts_from_the_environment(volumes: VolumeManager) -> None:
    p = pod([{"name": "scratch", "emptyDir": {}}])
    p.spec.containers[0].volumeMounts[0].subPathExpr = "logs/$(POD)"
    (mount,) = volumes.mounts_for(p, p.spec.containers[0], {"POD": "web"})
    assert mount.host_path == str(
        (volumes.pod_dir("u1") / "volumes/kubernetes.io~empty-dir/scratch/logs/web").resolve())
    assert not mount.read_only or p.spec.containers[0].volumeMounts[0].readOnly
