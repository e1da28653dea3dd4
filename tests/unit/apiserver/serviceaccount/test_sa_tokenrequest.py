"""POST serviceaccounts/{name}/token: defaults, the 10-minute minimum, binding to a pod
(with its node) or secret, and Kubernetes' errors for what does not exist or does not
match."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from tests.support.clock import ManualClock
from tests.unit.apiserver.serviceaccount.fakes import Objects, write_rsa_key
from tugboat.api.resources import lookup
from tugboat.apiserver.errors import ApiError
from tugboat.apiserver.registry import WriteOptions
from tugboat.apiserver.reststorage import SUBRESOURCE_CREATES, Call
from tugboat.apiserver.serviceaccount.tokenrequest import (
    install_token_request,
    token_request_handler,
)
from tugboat.apiserver.serviceaccount.tokens import DEFAULT_ISSUER, TokenIssuer

pytestmark = pytest.mark.anyio


@pytest.fixture
def objects() -> Objects:
    objs = Objects()
    objs.put("serviceaccounts", "ns1", "builder", "sa-uid")
    objs.put("pods", "ns1", "web", "pod-uid",
             spec={"serviceAccountName": "builder", "nodeName": "n1"})
    objs.put("nodes", None, "n1", "node-uid")
    return objs


@pytest.fixture
def handler(tmp_path: Path):
    issuer = TokenIssuer(write_rsa_key(tmp_path / "sa.key"), clock=ManualClock(1_800_000_000.0))
    return token_request_handler(issuer)


def call(objects: Objects, body: dict, name: str = "builder") -> Call:
    return Call(objects, lookup("", "v1", "serviceaccounts"), "ns1", name, "token", body,
                WriteOptions(), None, None)  # type: ignore[arg-type]


async def test_defaults_and_the_returned_token(handler, objects: Objects) -> None:
    out, code = await handler(call(objects, {"apiVersion": "authentication.k8s.io/v1",
                                             "kind": "TokenRequest", "spec": {}}))
    assert code == 201
    assert out["kind"] == "TokenRequest" and out["apiVersion"] == "authentication.k8s.io/v1"
    assert out["metadata"]["name"] == "builder" and out["metadata"]["namespace"] == "ns1"
    assert out["spec"] == {"audiences": [DEFAULT_ISSUER], "expirationSeconds": 3600}
    assert out["status"]["expirationTimestamp"] == "2027-01-15T09:00:00Z"
    claims = jwt.decode(out["status"]["token"], options={"verify_signature": False})
    assert claims["sub"] == "system:serviceaccount:ns1:builder"
    assert claims["kubernetes.io"]["serviceaccount"] == {"name": "builder", "uid": "sa-uid"}


async def test_bound_to_a_pod_and_its_node(handler, objects: Objects) -> None:
    body = {"spec": {"audiences": ["api"], "expirationSeconds": 3607, "boundObjectRef": {
        "kind": "Pod", "apiVersion": "v1", "name": "web", "uid": "pod-uid"}}}
    out, _ = await handler(call(objects, body))
    claims = jwt.decode(out["status"]["token"], options={"verify_signature": False})
    assert claims["aud"] == ["api"] and claims["exp"] - claims["iat"] == 3607
    assert claims["kubernetes.io"]["pod"] == {"name": "web", "uid": "pod-uid"}
    assert claims["kubernetes.io"]["node"] == {"name": "n1", "uid": "node-uid"}


@pytest.mark.parametrize(("name", "body", "code", "message"), [
    ("ghost", {}, 404, 'serviceaccounts "ghost" not found'),
    ("builder", {"spec": {"expirationSeconds": 599}}, 422,
     'TokenRequest.authentication.k8s.io "builder" is invalid: spec.expirationSeconds: '
     "Invalid value: 599: may not specify a duration less than 10 minutes"),
    ("builder", {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                             "name": "gone"}}}, 404, 'pods "gone" not found'),
    ("builder", {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web",
                                             "uid": "old"}}}, 409,
     "the UID in the bound object reference (old) does not match the UID in record"),
    ("builder", {"spec": {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1",
                                             "name": "x"}}}, 400,
     "cannot bind token to object of type v1, Kind=ConfigMap"),
])
async def test_errors(handler, objects: Objects, name, body, code, message) -> None:
    with pytest.raises(ApiError) as e:
        await handler(call(objects, body, name))
    assert e.value.code == code and message in e.value.message


async def test_a_pod_of_another_service_account(handler, objects: Objects) -> None:
    objects.put("serviceaccounts", "ns1", "other", "other-uid")
    body = {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web"}}}
    with pytest.raises(ApiError) as e:
        await handler(call(objects, body, "other"))
    assert e.value.code == 400
    assert e.value.message == ('cannot bind token for serviceaccount "other" to pod running '
                               "with different serviceaccount name.")


def test_install_registers_the_subresource(tmp_path: Path) -> None:
    install_token_request(TokenIssuer(write_rsa_key(tmp_path / "sa.key")))
    assert ("", "serviceaccounts", "token") in SUBRESOURCE_CREATES


async def test_admission_sees_the_token_request(handler, objects: Objects) -> None:
    seen = []

    class Refuse:
        name = "Refuse"

        def validate(self, req) -> None:
            seen.append((req.subresource, req.operation.value, req.obj["spec"]["audiences"],
                         req.old["metadata"]["name"]))
            raise ApiError(403, "Forbidden", "no tokens today")

    objects.admission.validating.append(Refuse())
    with pytest.raises(ApiError, match="no tokens today"):
        await handler(call(objects, {"spec": {"audiences": ["a"]}}))
    assert seen == [("token", "CREATE", ["a"], "builder")]
