"""`tug cp` with real containers: a file and a directory into a pod and back out, into an
existing folder (the source keeps its name) or to a new path (renamed), `-c` for one
container of several, `ns/pod:` paths, and kubectl's errors — including a container
without `tar`, where tug says what the container said and exits with its code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cluster import Api, pod_manifest

TUG = str(Path(sys.executable).parent / "tug")


def tug(api: Api, ns: str, *args: str, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TUG, "--server", api.url, "-n", ns, *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def in_pod(api: Api, ns: str, pod: str, script: str, container: str = "main") -> str:
    r = tug(api, ns, "exec", pod, "-c", container, "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture
def box(api: Api, node: str, ns: str) -> str:
    pod = pod_manifest("box", node, "mkdir -p /data; exec sleep 3600")
    pod["spec"]["containers"].append({"name": "side", "image": "busybox:1.35",
                                      "imagePullPolicy": "IfNotPresent",
                                      "command": ["sleep", "3600"]})
    api.create(ns, pod)
    api.wait_phase(ns, "box", "Running")
    return "box"


def test_a_file_to_a_new_path_and_into_a_folder(api: Api, ns: str, box: str,
                                                tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n")
    r = tug(api, ns, "cp", str(tmp_path / "notes.txt"), f"{box}:/data/renamed.txt", "-c",
            "main")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert in_pod(api, ns, box, "cat /data/renamed.txt") == "first line\nsecond line\n"
    # An existing folder as the destination: the file keeps its own name inside it.
    r = tug(api, ns, "cp", "notes.txt", f"{ns}/{box}:/data", "-c", "main", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert in_pod(api, ns, box, "cat /data/notes.txt") == "first line\nsecond line\n"


def test_a_folder_there_and_back(api: Api, ns: str, box: str, tmp_path: Path) -> None:
    src = tmp_path / "site"
    (src / "css").mkdir(parents=True)
    (src / "index.html").write_text("<h1>hi</h1>\n")
    (src / "css" / "main.css").write_text("h1 { color: red }\n")
    (src / "empty").mkdir()
    r = tug(api, ns, "cp", str(src), f"{box}:/tmp/site", "-c", "side")
    assert r.returncode == 0, r.stderr
    listing = in_pod(api, ns, box, "cd /tmp/site && find . | sort", container="side")
    assert listing.split() == [".", "./css", "./css/main.css", "./empty", "./index.html"]

    back = tmp_path / "back"
    r = tug(api, ns, "cp", f"{box}:/tmp/site", str(back), "-c", "side")
    assert r.returncode == 0, r.stderr
    # kubectl prints the remote tar's complaint on stdout, as tug does.
    assert "removing leading '/'" in r.stdout
    assert (back / "index.html").read_text() == "<h1>hi</h1>\n"
    assert (back / "css" / "main.css").read_text() == "h1 { color: red }\n"
    assert (back / "empty").is_dir()


def test_a_file_out_of_the_pod(api: Api, ns: str, box: str, tmp_path: Path) -> None:
    in_pod(api, ns, box, "printf 'a\\0b' > /data/bin; ln -s /data/bin /data/link")
    r = tug(api, ns, "cp", f"{box}:/data/bin", str(tmp_path / "copy"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "copy").read_bytes() == b"a\0b"
    assert 'Defaulted container "main" out of: main, side' in r.stderr
    r = tug(api, ns, "cp", f"{box}:/data/link", str(tmp_path / "link"), "-c", "main")
    assert r.returncode == 0, r.stderr
    assert "warning: skipping symlink" in r.stderr
    assert not (tmp_path / "link").exists()


def test_errors(api: Api, node: str, ns: str, box: str, tmp_path: Path) -> None:
    r = tug(api, ns, "cp", str(tmp_path / "missing"), f"{box}:/data/x", "-c", "main")
    assert r.returncode == 1
    assert r.stderr.strip() == f"error: {tmp_path / 'missing'} doesn't exist in local filesystem"
    r = tug(api, ns, "cp", "a", "b")
    assert (r.returncode, r.stderr.strip()) == (
        1, "error: one of src or dest must be a remote file specification")
    r = tug(api, ns, "cp", f"{box}:/a", f"{box}:/b")
    assert r.stderr.strip() == "error: one of src or dest must be a local file specification"
    r = tug(api, ns, "cp", "a/b/c:/x", "y")
    assert r.stderr.strip() == ("error: filespec must match the canonical format: "
                                "[[namespace/]pod:]file/path")
    r = tug(api, ns, "cp", "ghost:/x", str(tmp_path / "y"))
    assert (r.returncode, r.stderr.strip()) == (
        1, 'Error from server (NotFound): pods "ghost" not found')
    r = tug(api, ns, "cp", f"{box}:/data/nothing-here", str(tmp_path / "y"), "-c", "main")
    assert r.returncode == 1
    assert "No such file or directory" in r.stdout
    assert r.stderr.strip().endswith("command terminated with exit code 1")


def test_a_container_without_tar(api: Api, node: str, ns: str, tmp_path: Path) -> None:
    api.create(ns, pod_manifest("bare", node, "rm /bin/tar; touch /gone; exec sleep 3600"))
    api.wait_phase(ns, "bare", "Running")
    in_pod(api, ns, "bare", "while [ ! -e /gone ]; do sleep 0.1; done")
    (tmp_path / "f").write_text("x")
    r = tug(api, ns, "cp", str(tmp_path / "f"), "bare:/tmp/f")
    assert r.returncode != 0 and r.returncode != 1, (r.returncode, r.stderr)
    assert "tar" in r.stdout + r.stderr
    assert r.stderr.strip().endswith(f"command terminated with exit code {r.returncode}")
