"""Request → authorization attributes, as Kubernetes' RequestInfoResolver derives them."""

from __future__ import annotations

import pytest

from tugboat.apiserver.auth.requestinfo import resolve
from tugboat.apiserver.auth.user import UserInfo

BOB = UserInfo("bob")

# (method, path, query, websocket) → (verb, group, resource, subresource, namespace, name)
RESOURCE_CASES = [
    ("GET", "/api/v1/namespaces/default/pods", "", False,
     ("list", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods", "watch=1", False,
     ("watch", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods", "watch=true&fieldSelector=metadata.name%3Dweb",
     False, ("watch", "", "pods", "", "default", "web")),
    ("GET", "/api/v1/pods", "", False, ("list", "", "pods", "", "", "")),
    ("GET", "/api/v1/watch/namespaces/default/pods", "", False,
     ("watch", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods/web", "", False,
     ("get", "", "pods", "", "default", "web")),
    ("HEAD", "/api/v1/namespaces/default/pods/web", "", False,
     ("get", "", "pods", "", "default", "web")),
    ("POST", "/api/v1/namespaces/default/pods", "", False,
     ("create", "", "pods", "", "default", "")),
    ("PUT", "/api/v1/namespaces/default/pods/web/status", "", False,
     ("update", "", "pods", "status", "default", "web")),
    ("PATCH", "/apis/apps/v1/namespaces/ns1/deployments/web/scale", "", False,
     ("patch", "apps", "deployments", "scale", "ns1", "web")),
    ("DELETE", "/api/v1/namespaces/default/pods/web", "", False,
     ("delete", "", "pods", "", "default", "web")),
    ("DELETE", "/api/v1/namespaces/default/pods", "", False,
     ("deletecollection", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods/web/log", "", False,
     ("get", "", "pods", "log", "default", "web")),
    ("POST", "/api/v1/namespaces/default/pods/web/exec", "command=ls", False,
     ("create", "", "pods", "exec", "default", "web")),
    ("GET", "/api/v1/namespaces/default/pods/web/exec", "command=ls", True,
     ("create", "", "pods", "exec", "default", "web")),
    ("GET", "/api/v1/namespaces/kube-system", "", False,
     ("get", "", "namespaces", "", "kube-system", "kube-system")),
    ("PUT", "/api/v1/namespaces/gone/finalize", "", False,
     ("update", "", "namespaces", "finalize", "gone", "gone")),
    ("GET", "/api/v1/namespaces", "", False, ("list", "", "namespaces", "", "", "")),
    ("GET", "/api/v1/nodes/n1", "", False, ("get", "", "nodes", "", "", "n1")),
    ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", False,
     ("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "")),
    ("POST", "/api/v1/namespaces/default/serviceaccounts/default/token", "", False,
     ("create", "", "serviceaccounts", "token", "default", "default")),
]


@pytest.mark.parametrize("method,path,query,ws,want", RESOURCE_CASES)
def test_resource_requests(method: str, path: str, query: str, ws: bool,
                           want: tuple[str, ...]) -> None:
    a = resolve(BOB, method, path, query, ws)
    assert a.resource_request
    assert (a.verb, a.api_group, a.resource, a.subresource, a.namespace, a.name) == want


@pytest.mark.parametrize("method,path,verb", [
    ("GET", "/healthz", "get"),
    ("GET", "/version", "get"),
    ("GET", "/api", "get"),
    ("GET", "/api/v1", "get"),
    ("GET", "/apis", "get"),
    ("GET", "/apis/apps/v1", "get"),
    ("GET", "/openapi/v3/apis/apps/v1", "get"),
    ("POST", "/foo", "post"),
])
def test_non_resource_requests(method: str, path: str, verb: str) -> None:
    a = resolve(BOB, method, path)
    assert not a.resource_request
    assert (a.verb, a.path) == (verb, path)


def test_version_is_kept() -> None:
    assert resolve(BOB, "GET", "/apis/apps/v1/deployments").api_version == "v1"
