"""pods/{name}/log checks its options before it looks for a kubelet, as Kubernetes' log
REST does: an undecodable option is a 400, a broken rule a 422 Invalid of kind
PodLogOptions naming the field — so these hold for a pod no node runs yet."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.kube import assert_status, container


@pytest.fixture
def log_path(client: httpx.Client, ns: str) -> str:
    r = client.post(f"/api/v1/namespaces/{ns}/pods", json={
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [container()]}})
    assert r.status_code == 201, r.text
    return f"/api/v1/namespaces/{ns}/pods/web/log"


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"sinceSeconds": "5", "sinceTime": "2025-01-01T00:00:00Z"}, "",
     "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"),
    ({"sinceSeconds": "0"}, "sinceSeconds", "Invalid value: 0: must be greater than 0"),
    ({"limitBytes": "-1"}, "limitBytes", "Invalid value: -1: must be greater than 0"),
    ({"tailLines": "-3"}, "tailLines",
     "Invalid value: -3: must be greater than or equal to 0"),
])
def test_invalid_options(client: httpx.Client, log_path: str, params: dict[str, str],
                         field: str, message: str) -> None:
    body = assert_status(client.get(log_path, params=params), 422, "Invalid")
    assert body["details"]["kind"] == "PodLogOptions" and body["details"]["name"] == "web"
    causes = body["details"]["causes"]
    assert len(causes) == 1 and causes[0]["message"] == message
    assert causes[0].get("field", "") == field
    assert body["message"].startswith('PodLogOptions "web" is invalid: ')


@pytest.mark.parametrize("params", [{"sinceTime": "last tuesday"}, {"limitBytes": "lots"},
                                    {"follow": "sure"}])
def test_undecodable_options(client: httpx.Client, log_path: str,
                             params: dict[str, str]) -> None:
    assert_status(client.get(log_path, params=params), 400, "BadRequest")


def test_valid_options_reach_the_node_check(client: httpx.Client, log_path: str) -> None:
    r = client.get(log_path, params={"sinceTime": "2025-01-01T00:00:00Z", "limitBytes": "10",
                                     "tailLines": "0", "timestamps": "true"})
    body = assert_status(r, 400, "BadRequest")
    assert body["message"] == "pod web does not have a host assigned"
