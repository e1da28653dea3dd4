"""The kubelet port with the real API server answering its reviews: a TLS kubelet whose
TokenReviews and SubjectAccessReviews go to tug-apiserver, where the token file
authenticates and RBAC (with Kubernetes' bootstrap policy) decides — system:masters may
do anything, a user bound to a role with nodes/stats may read stats and nothing else, a
user with no binding may do nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import ApiServerProcess
from tests.support.tlskubelet import TlsKubelet, run_pod

NODE = "rbac-node"
NS = "kubelet-rbac"
LOGS = f"/containerLogs/{NS}/web/app"
STATS_READER = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
    "metadata": {"name": "kubelet-stats-reader"},
    "rules": [{"apiGroups": [""], "resources": ["nodes/stats"], "verbs": ["get"]}]}
BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
    "metadata": {"name": "kubelet-stats-reader"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                "name": "kubelet-stats-reader"},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                  "name": "metrics-reader"}]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TlsKubelet]]:
    work = tmp_path_factory.mktemp("kubelet-rbac")
    tokens = work / "tokens.csv"
    tokens.write_text('metrics-token,metrics-reader,uid-1,"monitoring"\n')
    api = ApiServerProcess(work / "apiserver", extra=["--token-auth-file", str(tokens)])
    api.start()
    kubelet = TlsKubelet(work / "kubelet", NODE)
    try:
        with httpx.Client(base_url=api.url, timeout=10) as c:
            for path, obj in (("clusterroles", STATS_READER), ("clusterrolebindings", BINDING)):
                r = c.post(f"/apis/rbac.authorization.k8s.io/v1/{path}", json=obj)
                assert r.status_code == 201, r.text
        kubelet.start(api.url)  # the insecure port: the kubelet's own client may review
        yield api.url, kubelet
    finally:
        kubelet.stop()
        api.stop()


@pytest.fixture(scope="module")
def kubelet(cluster: tuple[str, TlsKubelet]) -> TlsKubelet:
    api_url, kubelet = cluster
    run_pod(api_url, NS, "web", NODE)
    return kubelet


def test_masters_read_logs_and_stats(kubelet: TlsKubelet) -> None:
    with kubelet.client("apiserver") as c:
        assert c.get(LOGS).status_code == 200
        assert c.get("/stats/summary").status_code == 200


def test_user_without_binding_is_forbidden(kubelet: TlsKubelet) -> None:
    with kubelet.client("bob") as c:
        for path, sub in ((LOGS, "proxy"), ("/stats/summary", "stats"), ("/pods", "proxy")):
            r = c.get(path)
            assert (r.status_code, r.text) == (
                403, f"Forbidden (user=bob, verb=get, resource=nodes, subresource={sub})")


def test_token_user_gets_what_its_role_grants(kubelet: TlsKubelet) -> None:
    headers = {"Authorization": "Bearer metrics-token"}
    with kubelet.client(headers=headers) as c:
        assert c.get("/stats/summary").status_code == 200
        r = c.get(LOGS)
        assert (r.status_code, r.text) == (
            403, "Forbidden (user=metrics-reader, verb=get, resource=nodes, "
                 "subresource=proxy)")
    with kubelet.client(headers={"Authorization": "Bearer not-a-token"}) as c:
        r = c.get("/stats/summary")
        assert (r.status_code, r.text) == (401, "Unauthorized")
