"""Reading Kubernetes' source for the generators (hack/protogen.py, hack/gofields.py): the
k8s.io/api group-versions and k8s.io/apimachinery packages Tugboat's protobuf tables cover,
and their files, from a checkout or a bare git directory (read at HEAD)."""

from __future__ import annotations

import subprocess
from pathlib import Path

PROTO = Path(__file__).resolve().parent.parent / "tugboat" / "api" / "proto"

# The stable API groups (what Tugboat serves and what the next issues will serve).
API_GROUP_VERSIONS = (
    "admissionregistration/v1", "apps/v1", "authentication/v1", "authorization/v1",
    "autoscaling/v1", "autoscaling/v2", "batch/v1", "certificates/v1", "coordination/v1",
    "core/v1", "discovery/v1", "events/v1", "flowcontrol/v1", "networking/v1", "node/v1",
    "policy/v1", "rbac/v1", "scheduling/v1", "storage/v1")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def read(repo: Path, path: str) -> str:
    """A file's text: from the checkout if it has one, else from HEAD."""
    if (repo / path).exists():
        return (repo / path).read_text()
    return _git(repo, "show", f"HEAD:{path}")


def listing(repo: Path, directory: str) -> list[str]:
    """The paths of the files directly in `directory` at HEAD."""
    return _git(repo, "ls-tree", "--name-only", "HEAD", f"{directory}/").split()


def commit(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD").strip()
