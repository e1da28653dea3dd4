"""What authorization is asked for the connect subresources: port-forward's WebSocket GET is
`create pods/portforward` (reading a pod must not be enough to reach into it), and the
proxy subresources take the verb of their method, whatever path follows them, with the
`name:port` forms as the name — as Kubernetes' RequestInfoResolver says."""

from __future__ import annotations

import pytest

from tugboat.apiserver.auth.requestinfo import resolve
from tugboat.apiserver.auth.user import UserInfo

USER = UserInfo("someone")


@pytest.mark.parametrize("method, path, websocket, expected", [
    ("GET", "/api/v1/namespaces/ns/pods/web/portforward", True,
     ("create", "pods", "portforward", "web")),
    ("POST", "/api/v1/namespaces/ns/pods/web/portforward", False,
     ("create", "pods", "portforward", "web")),
    ("GET", "/api/v1/namespaces/ns/pods/web:8080/proxy/a/b", False,
     ("get", "pods", "proxy", "web:8080")),
    ("DELETE", "/api/v1/namespaces/ns/pods/web/proxy", False,
     ("delete", "pods", "proxy", "web")),
    ("PUT", "/api/v1/namespaces/ns/services/https:web:443/proxy/x", False,
     ("update", "services", "proxy", "https:web:443")),
    ("POST", "/api/v1/namespaces/ns/services/web/proxy/", False,
     ("create", "services", "proxy", "web")),
])
def test_connect_subresources(method: str, path: str, websocket: bool,
                              expected: tuple[str, str, str, str]) -> None:
    a = resolve(USER, method, path, "ports=8080", websocket)
    assert (a.verb, a.resource, a.subresource, a.name) == expected
    assert a.namespace == "ns" and a.resource_request
