"""`tug cp`: files and directories to and from a container, kubectl's way — a tar stream
over exec (`tar -xmf - -C DIR` in the container for an upload, `tar cf - PATH` for a
download), so the container needs a `tar` binary and nothing else. Paths, warnings,
errors and exit codes are kubectl cp's: a remote failure prints what tar said and
"command terminated with exit code N", and tug exits N."""

from __future__ import annotations

import contextlib
import os
import posixpath
import sys
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import typer

from tugboat.cli import remotecommand
from tugboat.cli.commands.exec import exec_request
from tugboat.cli.errors import CliError, ExitCode
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.pods import pick_container
from tugboat.cli.session import Session

EXAMPLES = examples("""
    # !!!Important Note!!!
    # Requires that the 'tar' binary is present in your container
    # image.  If 'tar' is not present, 'tug cp' will fail.

    # Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
    tug cp /tmp/foo_dir <some-pod>:/tmp/bar_dir

    # Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
    tug cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>

    # Copy /tmp/foo local file to /tmp/bar in a remote pod in namespace <some-namespace>
    tug cp /tmp/foo <some-namespace>/<some-pod>:/tmp/bar

    # Copy /tmp/foo from a remote pod to /tmp/bar locally
    tug cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar
""")
SPEC_FORMAT = "filespec must match the canonical format: [[namespace/]pod:]file/path"


@dataclass
class FileSpec:
    path: str
    pod: str = ""
    namespace: str = ""


def parse_spec(arg: str) -> FileSpec:
    """`[[namespace/]pod:]path`; without a colon, a local path."""
    i = arg.find(":")
    if i == 0:
        raise CliError(SPEC_FORMAT)
    if i < 0:
        return FileSpec(arg)
    pod, path = arg[:i], arg[i + 1:]
    pieces = pod.split("/")
    if len(pieces) > 2:
        raise CliError(SPEC_FORMAT)
    # A remote path is a Linux one: no trailing slash (kubectl's newRemotePath).
    path = path.replace("\\", "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return FileSpec(path, pieces[-1], pieces[0] if len(pieces) == 2 else "")


class Remote:
    """The pod one copy talks to, and its exec calls."""

    def __init__(self, session: Session, spec: FileSpec, container: str | None):
        self.session = session
        self.pod = session.client.get("pods", spec.pod, spec.namespace or session.namespace)
        phase = (self.pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise CliError(f"cannot exec into a container in a completed pod; current phase "
                           f"is {phase}")
        self.container = pick_container(self.pod, container)

    def run(self, command: list[str], stdin: BinaryIO | None, stdout: BinaryIO,
            stderr: BinaryIO) -> int:
        req = exec_request(self.session, self.pod, command, self.container,
                           stdin=stdin is not None)
        ws = remotecommand.open_connection(req)
        try:
            return remotecommand.run(ws, stdin, stdout, stderr)
        except remotecommand.RemoteCommandError as e:
            raise CliError(str(e)) from None

    def check(self, code: int) -> None:
        if code:
            print(f"command terminated with exit code {code}", file=sys.stderr)
            raise ExitCode(code)


def copy_to_pod(remote: Remote, src: str, dest: str, no_preserve: bool) -> None:
    if not os.path.lexists(src):
        raise CliError(f"{src} doesn't exist in local filesystem")
    with open(os.devnull, "wb") as null:
        if remote.run(["test", "-d", dest], None, null, null) == 0:
            dest = posixpath.join(dest, os.path.basename(os.path.normpath(src)))
    command = ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"] \
        if no_preserve else ["tar", "-xmf", "-"]
    dest = posixpath.normpath(dest)
    command += ["-C", posixpath.dirname(dest) or "."]
    with _pipe() as (reader, writer):
        def archive() -> None:
            with writer, tarfile.open(fileobj=writer, mode="w|", format=tarfile.GNU_FORMAT) as tar:
                tar.add(src, arcname=posixpath.basename(dest), recursive=True)

        threading.Thread(target=archive, daemon=True).start()
        code = remote.run(command, reader, sys.stdout.buffer, sys.stderr.buffer)
    remote.check(code)


def copy_from_pod(remote: Remote, src: str, dest: str) -> None:
    prefix = _strip_shortcuts(posixpath.normpath(src.lstrip("/\\")))
    prefix = "" if prefix == "." else prefix
    result: dict[str, int] = {}
    with _pipe() as (reader, writer):
        def download() -> None:
            with writer:
                # kubectl sends the remote tar's stderr to stdout ("tar: removing leading
                # '/' from member names").
                result["code"] = remote.run(["tar", "cf", "-", src], None, writer,
                                            sys.stdout.buffer)

        thread = threading.Thread(target=download, daemon=True)
        thread.start()
        try:
            _untar(reader, prefix, dest, remote, src)
        finally:
            while reader.read(64 * 1024):
                pass  # drain the rest, so the download's writes never block
            thread.join()
    remote.check(result.get("code", 1))


def _untar(stream: BinaryIO, prefix: str, dest: str, remote: Remote, src: str) -> None:
    warned = False
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
    except tarfile.ReadError:
        return  # nothing came: the remote tar failed, and says so
    base = os.path.abspath(dest)
    with tar:
        for member in tar:
            if not member.name.startswith(prefix):
                raise CliError("tar contents corrupted")
            target = os.path.normpath(os.path.join(dest, member.name[len(prefix):].lstrip("/")))
            if not _inside(base, os.path.abspath(target)):
                print(f'warning: file "{target}" is outside target destination, skipping',
                      file=sys.stderr)
                continue
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            if member.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            if member.issym() or member.islnk():
                hint = ""
                if not warned:
                    meta = remote.pod["metadata"]
                    hint = (f' (consider using "tug exec -n "{meta["namespace"]}" '
                            f'"{meta["name"]}" -- tar cf - "{src}" | tar xf -")')
                    warned = True
                print(f'warning: skipping symlink: "{target}" -> "{member.linkname}"{hint}',
                      file=sys.stderr)
                continue
            if not member.isfile():
                continue
            data = tar.extractfile(member)
            with open(target, "wb") as out:
                while data is not None and (chunk := data.read(64 * 1024)):
                    out.write(chunk)


def _inside(base: str, target: str) -> bool:
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def _strip_shortcuts(path: str) -> str:
    """Leading "../" removed (a path climbing above / in the container)."""
    while path.startswith("../"):
        path = path[3:]
    return "" if path == ".." else path


@contextlib.contextmanager
def _pipe() -> Iterator[tuple[Any, Any]]:
    r, w = os.pipe()
    reader, writer = os.fdopen(r, "rb"), os.fdopen(w, "wb")
    try:
        yield reader, writer
    finally:
        reader.close()
        with contextlib.suppress(OSError):
            writer.close()


def cp(ctx: typer.Context,
       args: list[str] = typer.Argument(None, help="<file-spec-src> <file-spec-dest>"),
       container: str = typer.Option(None, "--container", "-c",
                                     help="Container name. If omitted, use the "
                                          "kubectl.kubernetes.io/default-container "
                                          "annotation, else the first container."),
       no_preserve: bool = typer.Option(False, "--no-preserve",
                                        help="The copied file/directory's ownership and "
                                             "permissions will not be preserved in the "
                                             "container.")) -> None:
    """Copy files and directories to and from containers."""
    if not args or len(args) != 2:
        raise CliError("source and destination are required")
    src, dest = parse_spec(args[0]), parse_spec(args[1])
    if src.pod and dest.pod:
        raise CliError("one of src or dest must be a local file specification")
    if not src.path or not dest.path:
        raise CliError("filepath can not be empty")
    if not src.pod and not dest.pod:
        raise CliError("one of src or dest must be a remote file specification")
    session = session_of(ctx)
    if src.pod:
        copy_from_pod(Remote(session, src, container), src.path, dest.path)
    else:
        if not os.path.lexists(src.path):
            raise CliError(f"{src.path} doesn't exist in local filesystem")
        copy_to_pod(Remote(session, dest, container), src.path, dest.path, no_preserve)


def register(app: typer.Typer) -> None:
    app.command("cp", epilog=EXAMPLES, context_settings=CONTEXT)(cp)
