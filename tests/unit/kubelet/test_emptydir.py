"""emptyDir: the tmpfs of a Memory emptyDir and its size, and the sizeLimit check that
evicts a pod whose disk emptyDir outgrew it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tests.unit.kubelet.fakemounter import FakeMounter
from tugboat.api.core import Pod
from tugboat.kubelet.emptydir import EmptyDirs, disk_usage, memory_size
from tugboat.kubelet.reasons import StartFailure

MI = 1024 * 1024


def pod(volume: dict[str, Any], limits: list[str | None]) -> Pod:
    return Pod.model_validate({
        "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
        "spec": {"volumes": [{"name": "scratch", **volume}], "containers": [
            {"name": f"c{i}", "image": "busybox:1.35",
             "resources": {"limits": {"memory": lim}} if lim else {}}
            for i, lim in enumerate(limits)]}})


@pytest.mark.parametrize("volume, limits, size", [
    ({"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, [None], 64 * MI),
    ({"emptyDir": {"medium": "Memory"}}, ["32Mi", "16Mi"], 48 * MI),
    ({"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, ["32Mi"], 32 * MI),
    ({"emptyDir": {"medium": "Memory"}}, ["32Mi", None], None),  # no pod limit
])
def test_memory_size(volume: dict, limits: list, size: int | None) -> None:
    p = pod(volume, limits)
    assert memory_size(p, p.spec.volumes[0]) == size


def test_a_memory_emptydir_is_a_tmpfs(tmp_path: Path) -> None:
    mounter = FakeMounter()
    p = pod({"emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}}, [None])
    path = EmptyDirs(mounter).set_up(p, p.spec.volumes[0], tmp_path / "scratch")
    assert path.is_dir() and path.stat().st_mode & 0o777 == 0o777
    assert mounter.mounts == {path: (8 * MI, 0o777)}
    EmptyDirs(mounter).set_up(p, p.spec.volumes[0], path)  # mounted once, not again
    assert len(mounter.mounts) == 1


def test_without_mount_rights_a_memory_emptydir_is_a_directory(tmp_path: Path) -> None:
    p = pod({"emptyDir": {"medium": "Memory"}}, [None])
    path = EmptyDirs(FakeMounter(usable=False)).set_up(p, p.spec.volumes[0], tmp_path / "s")
    assert path.is_dir()


def test_an_unknown_medium_fails(tmp_path: Path) -> None:
    p = pod({"emptyDir": {"medium": "Tape"}}, [None])
    with pytest.raises(StartFailure, match='unknown storage medium "Tape"'):
        EmptyDirs(FakeMounter()).set_up(p, p.spec.volumes[0], tmp_path / "s")


@pytest.mark.anyio
async def test_a_disk_emptydir_over_its_size_limit_evicts(tmp_path: Path) -> None:
    clock = ManualClock(100.0)
    usage = {"bytes": 0}
    dirs = EmptyDirs(FakeMounter(), clock, usage=lambda _p: usage["bytes"])
    p = pod({"emptyDir": {"sizeLimit": "1Mi"}}, [None])
    dirs.set_up(p, p.spec.volumes[0], tmp_path / "scratch")
    assert await dirs.over_limit(p, lambda _v: tmp_path / "scratch") is None
    usage["bytes"] = 2 * MI
    assert await dirs.over_limit(p, lambda _v: tmp_path / "scratch") is None  # not measured again yet
    clock.advance(10)
    assert await dirs.over_limit(p, lambda _v: tmp_path / "scratch") == (
        'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ')


def test_disk_usage_counts_written_blocks(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * (256 * 1024))
    assert disk_usage(tmp_path) >= 256 * 1024


@pytest.mark.anyio
async def test_the_usage_walk_stays_off_the_event_loop(tmp_path: Path) -> None:
    """A big emptyDir takes seconds to walk; every other pod's worker shares the loop."""
    walkers: list[threading.Thread] = []

    def usage(_p: Path) -> int:
        walkers.append(threading.current_thread())
        return 0

    dirs = EmptyDirs(FakeMounter(), ManualClock(100.0), usage=usage)
    p = pod({"emptyDir": {"sizeLimit": "1Mi"}}, [None])
    dirs.set_up(p, p.spec.volumes[0], tmp_path / "scratch")
    assert await dirs.over_limit(p, lambda _v: tmp_path / "scratch") is None
    assert walkers and walkers[0] is not threading.main_thread()
