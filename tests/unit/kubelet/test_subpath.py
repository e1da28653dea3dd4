"""subPath and subPathExpr: expansion from the container's environment, creation of a
missing directory, refusal of paths that leave the volume."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tugboat.api.container import Container, VolumeMount
from tugboat.kubelet.reasons import StartFailure
from tugboat.kubelet.subpath import expand_sub_path_expr, resolve, sub_path_of

SPEC = Container(name="app", image="busybox:1.35")


@pytest.mark.parametrize("expr, expected", [
    ("$(POD_NAME)", "web-0"),
    ("logs/$(POD_NAME)/$(NS)", "logs/web-0/ns1"),
    ("cost$$", "cost$"),
    ("$$(POD_NAME)", "$(POD_NAME)"),
    ("plain", "plain"),
])
def test_expansion(expr: str, expected: str) -> None:
    assert expand_sub_path_expr(expr, {"POD_NAME": "web-0", "NS": "ns1"}) == expected


def test_a_variable_without_a_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="missing value for EMPTY, NOPE"):
        expand_sub_path_expr("$(NOPE)/$(EMPTY)", {"EMPTY": ""})
    vm = VolumeMount(name="v", mountPath="/x", subPathExpr="$(NOPE)")
    with pytest.raises(StartFailure) as e:
        sub_path_of(vm, SPEC, {})
    assert e.value.reason == "CreateContainerConfigError"
    assert e.value.message == "unable to provision SubPath `$(NOPE)`: missing value for NOPE"


def test_an_expansion_that_climbs_out_is_refused() -> None:
    vm = VolumeMount(name="v", mountPath="/x", subPathExpr="$(P)")
    with pytest.raises(StartFailure, match="must be a relative path"):
        sub_path_of(vm, SPEC, {"P": "../../etc"})


def test_a_missing_subpath_becomes_a_directory(tmp_path: Path) -> None:
    vm = VolumeMount(name="v", mountPath="/x", subPath="a/b")
    assert resolve(tmp_path, "a/b", vm, SPEC) == (tmp_path / "a/b").resolve()
    assert (tmp_path / "a/b").is_dir()


def test_a_symlink_out_of_the_volume_is_refused(tmp_path: Path) -> None:
    vol = tmp_path / "vol"
    vol.mkdir()
    os.symlink("/etc", vol / "escape")
    vm = VolumeMount(name="v", mountPath="/x", subPath="escape")
    with pytest.raises(StartFailure, match='not within volume path'):
        resolve(vol, "escape", vm, SPEC)


def test_a_file_behind_the_atomic_writers_links_resolves_to_its_version(tmp_path: Path
                                                                         ) -> None:
    (tmp_path / "..v1").mkdir()
    (tmp_path / "..v1/key").write_text("one")
    os.symlink("..v1", tmp_path / "..data")
    os.symlink("..data/key", tmp_path / "key")
    vm = VolumeMount(name="v", mountPath="/x", subPath="key")
    assert resolve(tmp_path, "key", vm, SPEC) == (tmp_path / "..v1/key").resolve()
