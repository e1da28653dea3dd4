"""The atomic writer's layout and updates, as Kubernetes' atomic_writer lays them out: a
timestamped version directory, `..data` naming it, user-visible names as symlinks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.clock import ManualClock
from tugboat.kubelet.atomicwriter import (
    AtomicWriter,
    FileProjection,
    PayloadError,
    validate_path,
)


def f(text: str, mode: int = 0o644) -> FileProjection:
    return FileProjection(text.encode(), mode)


@pytest.fixture
def writer(tmp_path: Path) -> AtomicWriter:
    return AtomicWriter(tmp_path / "vol", ManualClock(1_800_000_000.0))


def versions(root: Path) -> list[str]:
    return [n for n in os.listdir(root) if n.startswith("..") and n != "..data"]


def test_the_layout_is_versioned_directory_data_link_and_user_links(
        writer: AtomicWriter) -> None:
    assert writer.write({"a": f("1"), "dir/b": f("2", 0o600)})
    root = writer.target
    (version,) = versions(root)
    assert re.fullmatch(r"\.\.2027_01_15_08_00_00\.\d+", version)
    assert os.readlink(root / "..data") == version
    assert os.readlink(root / "a") == "..data/a"
    assert os.readlink(root / "dir") == "..data/dir"
    assert (root / "a").read_text() == "1" and (root / "dir/b").read_text() == "2"
    assert (root / "dir/b").stat().st_mode & 0o777 == 0o600
    assert (root / version).stat().st_mode & 0o777 == 0o755


def test_an_update_swaps_data_and_removes_the_old_version_and_dropped_names(
        writer: AtomicWriter) -> None:
    writer.write({"a": f("1"), "gone": f("x")})
    root = writer.target
    (old,) = versions(root)
    held = open(root / "a")  # a reader holding the old file keeps reading the old bytes
    writer.clock.advance(61)  # type: ignore[attr-defined]
    assert writer.write({"a": f("2")})
    (new,) = versions(root)
    assert new != old and os.readlink(root / "..data") == new
    assert (root / "a").read_text() == "2"
    assert not os.path.lexists(root / "gone")
    assert held.read() == "1"
    held.close()


def test_the_same_payload_writes_nothing(writer: AtomicWriter) -> None:
    assert writer.write({"a": f("1")})
    (version,) = versions(writer.target)
    assert not writer.write({"a": f("1")})
    assert versions(writer.target) == [version]
    assert writer.write({"a": f("1", 0o400)})  # a mode change is a change


def test_an_empty_payload_still_publishes_data(writer: AtomicWriter) -> None:
    assert writer.write({})
    assert (writer.target / "..data").is_dir()
    assert [n for n in os.listdir(writer.target) if not n.startswith("..")] == []


@pytest.mark.parametrize("path, message", [
    ("/etc/passwd", "must be relative path"),
    ("a/../../b", "must not contain '..'"),
    ("..data", "must not start with '..'"),
    ("", "must not be empty"),
    ("x" * 256, "elements must be 255 characters or less"),
])
def test_bad_paths_are_refused(path: str, message: str, writer: AtomicWriter) -> None:
    with pytest.raises(PayloadError, match=re.escape(message)):
        validate_path(path)
    with pytest.raises(PayloadError):
        writer.write({path: f("x")})
