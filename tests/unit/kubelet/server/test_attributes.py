"""The kubelet's request → authorizer attributes mapping (Kubernetes' table)."""

from __future__ import annotations

import pytest

from tugboat.kubelet.server.attributes import (
    ANONYMOUS,
    User,
    forbidden_message,
    request_attributes,
    with_authenticated_group,
)

ALICE = User("alice", groups=("dev",))


@pytest.mark.parametrize(("method", "path", "verb", "subresource"), [
    ("GET", "/containerLogs/default/web/app", "get", "proxy"),
    ("GET", "/exec/default/web/app", "get", "proxy"),
    ("POST", "/exec/default/web/app", "create", "proxy"),
    ("POST", "/run/default/web/app", "create", "proxy"),
    ("POST", "/attach/default/web/app", "create", "proxy"),
    ("POST", "/portForward/default/web", "create", "proxy"),
    ("GET", "/pods", "get", "proxy"),
    ("GET", "/healthz", "get", "proxy"),
    ("GET", "/stats/summary", "get", "stats"),
    ("GET", "/stats", "get", "stats"),
    ("GET", "/statsextra", "get", "proxy"),  # a prefix of a word is not a subpath
    ("GET", "/metrics", "get", "metrics"),
    ("GET", "/metrics/cadvisor", "get", "metrics"),
    ("GET", "/logs/syslog", "get", "log"),
    ("GET", "/spec/", "get", "spec"),
    ("HEAD", "/pods", "get", "proxy"),
    ("PUT", "/pods", "update", "proxy"),
    ("PATCH", "/pods", "patch", "proxy"),
    ("DELETE", "/pods", "delete", "proxy"),
])
def test_path_and_method_map_to_nodes_subresources(method: str, path: str, verb: str,
                                                   subresource: str) -> None:
    a = request_attributes(ALICE, method, path, "node-a")
    assert (a.verb, a.resource, a.subresource, a.name, a.api_version) == \
        (verb, "nodes", subresource, "node-a", "v1")


def test_forbidden_message_is_kubernetes_text() -> None:
    a = request_attributes(ALICE, "GET", "/containerLogs/default/web/app", "node-a")
    assert forbidden_message(a) == \
        "Forbidden (user=alice, verb=get, resource=nodes, subresource=proxy)"


def test_authenticated_group_added_once_and_never_to_anonymous() -> None:
    assert with_authenticated_group(ALICE).groups == ("dev", "system:authenticated")
    assert with_authenticated_group(with_authenticated_group(ALICE)).groups == \
        ("dev", "system:authenticated")
    assert with_authenticated_group(ANONYMOUS) == ANONYMOUS
