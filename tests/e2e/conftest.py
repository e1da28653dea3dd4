"""End-to-end fixtures: one apiserver and one kubelet (real Docker) shared by the session,
with short backoffs (--backoff-base 1s --backoff-max 4s) and a manifests folder; a unique
node name per run so leftovers never clash; a fresh namespace per test; and every
container of the run's nodes removed at the end."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import Api, KubeletProcess, remove_node_containers, unmount_under
from tests.support.processes import ApiServerProcess, wait_until

RUN = secrets.token_hex(3)


def _docker_works() -> bool:
    try:
        subprocess.run(["docker", "image", "inspect", "busybox:1.35", "tugboat/pause:3.9"],
                       check=True, capture_output=True, timeout=20)
        return True
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture(scope="session", autouse=True)
def _needs_docker() -> None:
    if not _docker_works():
        pytest.fail("needs a Docker engine with busybox:1.35 and tugboat/pause:3.9 "
                    "(make images)")


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def cluster_api(e2e_dir: Path) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(e2e_dir / "apiserver")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def api(cluster_api: ApiServerProcess) -> Iterator[Api]:
    client = Api(cluster_api.url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def manifests(e2e_dir: Path) -> Path:
    folder = e2e_dir / "manifests"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def kubelet(cluster_api: ApiServerProcess, e2e_dir: Path, manifests: Path
            ) -> Iterator[KubeletProcess]:
    node = f"e2e-{RUN}"
    proc = KubeletProcess(cluster_api.url, node, e2e_dir / node, [
        "--backoff-base", "1s", "--backoff-max", "4s", "--node-status-update-frequency", "1s",
        "--manifests-dir", str(manifests), "--file-check-frequency", "1s",
        "--sync-frequency", "5s"])
    proc.start()
    wait_until(lambda: httpx.get(f"{cluster_api.url}/api/v1/nodes/{node}").status_code == 200,
               20, f"node {node} registered")
    yield proc
    proc.stop()
    remove_node_containers(node)
    unmount_under(e2e_dir / node)
    shutil.rmtree(e2e_dir / node / "root", ignore_errors=True)


@pytest.fixture
def node(kubelet: KubeletProcess) -> str:
    return kubelet.node


@pytest.fixture
def ns(api: Api, request: pytest.FixtureRequest) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    return api.namespace(f"{base}-{secrets.token_hex(2)}")


@pytest.fixture
def kubeconfig(api: Api, ns: str, tmp_path: Path) -> Path:
    """A kubeconfig for real kubectl: the API server's insecure port, the test's namespace."""
    path = tmp_path / "kubeconfig"
    path.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: t, cluster: {{server: "{api.url}"}}}}]
users: [{{name: t, user: {{}}}}]
contexts: [{{name: t, context: {{cluster: t, user: t, namespace: {ns}}}}}]
current-context: t
""")
    return path
