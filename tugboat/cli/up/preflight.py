"""What `tug up` checks before it starts anything, each failure one line saying what to
do: the daemons are installed, the Docker engine answers, and no other `tug up` holds the
data folder (an fcntl lock, released by the kernel if we die). Ports are not checked here:
a check before the daemon binds races with whoever binds in between, so each daemon binds
its own and says which flag changes a port it cannot have."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import IO

import tugboat
from tugboat.cli.errors import CliError


def check_installed(modules: dict[str, str]) -> None:
    """`modules`: daemon title → the module `python -m` runs. Looked up as files, not
    imported: the CLI never loads a daemon's code (they meet only over HTTP)."""
    root = Path(tugboat.__file__).parent.parent
    for title, module in modules.items():
        if not (root / (module.replace(".", "/") + ".py")).is_file():
            raise CliError(f"the {title} is not installed (no module {module}); reinstall "
                           f"Tugboat (make install) and run tug up again")


def docker_version() -> str:
    """The engine's version; a CliError saying how to start Docker if it does not answer."""
    if shutil.which("docker") is None:
        raise CliError("Docker is not installed (no docker command); install it (on Debian: "
                       "make docker) and run tug up again")
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise CliError("the Docker engine does not answer (docker info timed out); restart it "
                       "(sudo systemctl restart docker) and run tug up again") from None
    if done.returncode != 0 or not done.stdout.strip():
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise CliError(f"the Docker engine is not running ({why}); start it (sudo systemctl "
                       f"start docker, or make docker) and run tug up again")
    return done.stdout.strip()


def missing_images(images: list[str]) -> list[str]:
    return [image for image in images
            if subprocess.run(["docker", "image", "inspect", image], capture_output=True,
                              timeout=30).returncode != 0]


class DataDirLock:
    """An exclusive flock on `<data>/tug-up.lock` holding our pid, for one `tug up` per
    data folder; the pid is what `tug down` signals, and the lock tells it whether that
    pid is still a `tug up` (a pid file alone could name a reused pid)."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "tug-up.lock"
        self.file: IO[str] | None = None

    def holder(self) -> int | None:
        """The pid of the `tug up` holding the lock, or None when none does."""
        try:
            f = open(self.path)
        except FileNotFoundError:
            return None
        with f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                text = f.read().strip()
                return int(text) if text.isdigit() else -1
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            return None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        f = open(self.path, "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            pid = f.read().strip() or "?"
            f.close()
            raise CliError(f'another "tug up" (pid {pid}) is already running on '
                           f"{self.path.parent}; stop it first (Ctrl-C in its terminal, or kill "
                           f"{pid}) or use another folder with --data-dir") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self.file = f

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None
