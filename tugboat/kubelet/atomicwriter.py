"""The kubelet's atomic writer (pkg/volume/util/atomic_writer.go): how configMap, secret,
downwardAPI and projected volumes change under a running container without it ever seeing
half of an update. Every version of the payload goes into a fresh hidden directory
`..YYYY_MM_DD_hh_mm_ss.NNN`; the `..data` symlink names the current one and is swapped
with a rename (atomic on one filesystem); the names a user sees are symlinks into `..data`
(`key -> ..data/key`; for a nested path only its first component). So a reader either
resolves the old version or the new one, and an update touches one inode, not many files.

A subPath mount resolves these symlinks when the container starts, which is why it keeps
the version it was started with, as in Kubernetes."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DATA_DIR = "..data"
_DATA_DIR_TMP = "..data_tmp"


@dataclass(frozen=True)
class FileProjection:
    """One file of a volume's payload: its bytes and permission bits."""

    data: bytes
    mode: int


Payload = Mapping[str, FileProjection]


class PayloadError(ValueError):
    """A payload path that could escape the volume or clash with the writer's own names."""


def validate_path(path: str) -> str:
    """Kubernetes' validatePath: relative, no '..' element, not starting with '..' (the
    writer's own names), at most 4096 bytes, each element at most 255."""
    if not path:
        raise PayloadError("invalid path: must not be empty")
    if len(path.encode()) > 4096:
        raise PayloadError(f"invalid path: must be less than or equal to 4096 characters: {path}")
    p = PurePosixPath(path)
    if p.is_absolute():
        raise PayloadError(f"invalid path: must be relative path: {path}")
    if any(len(part.encode()) > 255 for part in p.parts):
        raise PayloadError(f"invalid path: elements must be 255 characters or less: {path}")
    if ".." in p.parts:
        raise PayloadError(f"invalid path: must not contain '..': {path}")
    if path.startswith(".."):
        raise PayloadError(f"invalid path: must not start with '..': {path}")
    return str(p)


class AtomicWriter:
    """Writes payloads into `target` (the volume's directory), one version at a time."""

    def __init__(self, target: Path, clock: Callable[[], float] = time.time):
        self.target = target
        self.clock = clock

    def write(self, payload: Payload) -> bool:
        """Make the volume hold exactly `payload`; False when it already did (nothing
        written). Raises PayloadError for a bad path, OSError when the disk refuses."""
        clean = {validate_path(rel): f for rel, f in payload.items()}
        self.target.mkdir(parents=True, exist_ok=True)
        old = self._current_version()
        if old is not None and self._holds(old, clean):
            self._link_user_visible(clean)  # a crash between swap and links leaves some out
            return False
        new = self._new_version()
        try:
            for rel, f in clean.items():
                path = new / rel
                path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                path.write_bytes(f.data)
                path.chmod(f.mode)
            # made 0700; readers (containers under other users) need to traverse it
            new.chmod(0o755)
            tmp_link = self.target / _DATA_DIR_TMP
            tmp_link.unlink(missing_ok=True)
            tmp_link.symlink_to(new.name)
            os.replace(tmp_link, self.target / DATA_DIR)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        self._link_user_visible(clean)
        self._remove_stale_user_visible(clean)
        if old is not None and old != new:
            shutil.rmtree(old, ignore_errors=True)
        return True

    def _current_version(self) -> Path | None:
        link = self.target / DATA_DIR
        try:
            name = os.readlink(link)
        except OSError:
            return None
        version = self.target / name
        return version if version.is_dir() else None

    def _new_version(self) -> Path:
        """A fresh `..YYYY_MM_DD_hh_mm_ss.NNNNNNNNN` directory (digits, as Go's MkdirTemp
        makes them), 0700 until it is complete."""
        stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime(self.clock()))
        while True:
            path = self.target / f"{stamp}{secrets.randbelow(10**9)}"
            try:
                path.mkdir(mode=0o700)
                return path
            except FileExistsError:
                continue

    @staticmethod
    def _holds(version: Path, payload: dict[str, FileProjection]) -> bool:
        """Whether `version` has exactly the payload's files, bytes and modes."""
        found = set()
        for dirpath, _dirs, names in os.walk(version):
            for n in names:
                found.add(str((Path(dirpath) / n).relative_to(version)))
        if found != set(payload):
            return False
        for rel, f in payload.items():
            path = version / rel
            try:
                if path.stat().st_mode & 0o7777 != f.mode or path.read_bytes() != f.data:
                    return False
            except OSError:
                return False
        return True

    def _link_user_visible(self, payload: dict[str, FileProjection]) -> None:
        for top in {PurePosixPath(rel).parts[0] for rel in payload}:
            link = self.target / top
            wanted = f"{DATA_DIR}/{top}"
            try:
                if os.readlink(link) == wanted:
                    continue
            except OSError:
                pass
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)  # a directory of an older, non-atomic layout
            else:
                link.unlink(missing_ok=True)
            link.symlink_to(wanted)

    def _remove_stale_user_visible(self, payload: dict[str, FileProjection]) -> None:
        tops = {PurePosixPath(rel).parts[0] for rel in payload}
        for entry in self.target.iterdir():
            if entry.name.startswith("..") or entry.name in tops:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
