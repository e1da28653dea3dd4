"""The mount table as the kubelet reads it: /proc/self/mountinfo's mount points, with its
octal escapes for spaces and tabs undone."""

from __future__ import annotations

from pathlib import Path

from tugboat.kubelet.mounter import mount_points

MOUNTINFO = (
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "97 22 0:50 / /var/lib/tugboat/pods/u1/volumes/kubernetes.io~secret/s rw,relatime "
    "- tmpfs tmpfs rw,mode=1777\n"
    "98 22 0:51 / /tmp/with\\040space rw - tmpfs tmpfs rw\n"
)


def test_mount_points(tmp_path: Path) -> None:
    info = tmp_path / "mountinfo"
    info.write_text(MOUNTINFO)
    assert mount_points(str(info)) == [
        Path("/"), Path("/var/lib/tugboat/pods/u1/volumes/kubernetes.io~secret/s"),
        Path("/tmp/with space")]


def test_an_unreadable_table_is_empty(tmp_path: Path) -> None:
    assert mount_points(str(tmp_path / "absent")) == []
