"""Protobuf request bodies, as real kubectl 1.32 sends them (bytes captured with -v=9)."""

from __future__ import annotations

import pytest

from tugboat.apiserver import errors, protobuf

WHOAMI = bytes.fromhex(
    "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f76311211"
    "53656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800"
    "420012060a040a0012001a002200")
CAN_I = bytes.fromhex(  # kubectl auth can-i list pods/log -n default
    "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f763112175365"
    "6c665375626a6563744163636573735265766965771240"
    "0a100a0012001a0022002a0032003800420012220a200a0764656661756c7412046c69"
    "73741a0022002a04706f647332003a036c6f671a080800120"
    "01a0020001a002200")
CREATE_TOKEN = bytes.fromhex(  # kubectl create token default --duration=20m --audience=a1
    "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c54"
    "6f6b656e526571756573741221"
    "0a100a0012001a0022002a0032003800420012070a0261312"
    "0b0091a040a0012001a002200")


def test_self_subject_review() -> None:
    # Go writes every non-pointer field; what its JSON keeps of them is kept (status and
    # its userInfo are structs, never omitted).
    assert protobuf.decode(WHOAMI) == {"apiVersion": "authentication.k8s.io/v1",
                                       "kind": "SelfSubjectReview", "metadata": {},
                                       "status": {"userInfo": {}}}


def test_self_subject_access_review() -> None:
    assert protobuf.decode(CAN_I) == {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "metadata": {}, "spec": {"resourceAttributes": {
            "namespace": "default", "verb": "list", "resource": "pods", "name": "log"}},
        "status": {"allowed": False}}  # `json:"allowed"`: no omitempty


def test_token_request() -> None:
    assert protobuf.decode(CREATE_TOKEN) == {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {},
        "spec": {"audiences": ["a1"], "expirationSeconds": 1200}, "status": {"token": ""}}


def test_maps_of_extra_values() -> None:
    def field(number: int, payload: bytes) -> bytes:
        return bytes([number << 3 | 2, len(payload)]) + payload
    entry = field(1, b"scopes") + field(2, field(1, b"a") + field(1, b"b"))
    spec = field(3, b"bob") + field(4, b"dev") + field(5, entry)
    body = field(1, field(1, b"authorization.k8s.io/v1") + field(2, b"SubjectAccessReview")) + \
        field(2, field(2, spec))
    assert protobuf.decode(protobuf.MAGIC + body)["spec"] == {
        "user": "bob", "groups": ["dev"], "extra": {"scopes": ["a", "b"]}}


def test_a_kind_without_a_field_table_is_unsupported_media_type() -> None:
    body = protobuf.MAGIC + bytes.fromhex("0a070a02763112015a")  # v1 "Z"
    with pytest.raises(errors.ApiError) as e:
        protobuf.decode(body)
    assert (e.value.code, e.value.reason) == (415, "UnsupportedMediaType")


@pytest.mark.parametrize("body", [b"{}", protobuf.MAGIC + b"\x0a\xff", protobuf.MAGIC + b"\x0b"])
def test_garbage_is_a_bad_request(body: bytes) -> None:
    with pytest.raises(errors.ApiError) as e:
        protobuf.decode(body)
    assert e.value.code == 400
