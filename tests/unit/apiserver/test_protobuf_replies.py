"""Replies in protobuf: which Accept headers choose it (order, q-values, wildcards, 406 when
nothing offered is acceptable), lists with their ListMeta, Status errors, and watch frames
as client-go's protobuf stream decoder reads them."""

from __future__ import annotations

import pytest

from tugboat.api.proto import codec
from tugboat.api.proto.wire import fields, read_varint
from tugboat.apiserver import errors, protobuf

PB, JSON = protobuf.MEDIA_TYPE, "application/json"


@pytest.mark.parametrize(("accept", "want"), [
    (None, False), ("", False), ("*/*", False), (JSON, False),
    (f"{PB},{JSON}", True),  # kubectl's typed clients
    (f"{PB}, {JSON}", True),
    (f"{JSON},{PB}", False),
    (f"{JSON};q=0.5,{PB}", True),
    (f"{PB};q=0.1,application/*;q=0.9", False),
    (f"application/*,{PB}", True),  # the more specific range first at the same q
    (f"{PB};as=Table;v=v1;g=meta.k8s.io,{JSON}", False),  # Tables are JSON only
    (f"{JSON};as=Table;v=v1;g=meta.k8s.io", False),  # a Table: the routes' business
    (f"{PB};q=0,{JSON}", False),
    ("application/yaml", False), ("text/html,*/*;q=0.8", False),
])
def test_negotiation(accept: str | None, want: bool) -> None:
    assert protobuf.wants_protobuf(accept) is want


def test_a_kind_without_a_message_is_json_or_not_acceptable() -> None:
    assert protobuf.wants_protobuf(f"{PB},{JSON}", encodable=False) is False
    with pytest.raises(errors.ApiError) as e:
        protobuf.wants_protobuf(PB, encodable=False)
    assert (e.value.code, e.value.reason) == (406, "NotAcceptable")
    assert e.value.message == ("only the following media types are accepted: "
                               "application/json, application/yaml")
    with pytest.raises(errors.ApiError):
        protobuf.wants_protobuf("text/html")
    assert not protobuf.encodable("metrics.k8s.io/v1beta1", "PodMetrics")
    assert protobuf.encodable("apps/v1", "Deployment")


def pod(name: str, rv: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "d", "uid": f"uid-{name}",
                         "resourceVersion": rv},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_lists_carry_list_meta_and_items() -> None:
    lst = {"apiVersion": "v1", "kind": "PodList",
           "metadata": {"resourceVersion": "9", "continue": "c1"},
           "items": [pod("a", "3"), pod("b", "4")]}
    raw = protobuf.encode_list(lst)
    assert raw is not None
    back = codec.decode(raw)
    assert back["metadata"] == {"resourceVersion": "9", "continue": "c1"}
    assert [i["metadata"]["name"] for i in back["items"]] == ["a", "b"]
    assert back["items"][0]["spec"] == lst["items"][0]["spec"]
    # The same object at the same resourceVersion is encoded once.
    assert protobuf.encode_list(lst) == raw
    assert ("k8s.io.api.core.v1.Pod", "uid-a", "3") in protobuf.CACHE.entries


def test_a_status_error_reads_back_with_its_reason() -> None:
    st = errors.ApiError(404, "NotFound", 'pods "x" not found').wire()
    raw = protobuf.encode(st)
    assert raw is not None and raw.startswith(b"k8s\x00")
    back = codec.decode(raw)
    assert (back["kind"], back["code"], back["reason"], back["message"]) == (
        "Status", 404, "NotFound", 'pods "x" not found')


def test_watch_frames() -> None:
    """A 4-byte big-endian length, then a bare WatchEvent (no magic) whose object.raw is
    the enveloped object."""
    frame = protobuf.watch_frame("ADDED", protobuf.encode(pod("a", "5")) or b"")
    size = int.from_bytes(frame[:4], "big")
    assert size == len(frame) - 4
    event = dict((n, v) for n, _w, v in fields(frame[4:]))
    assert event[1] == b"ADDED"
    raw = dict((n, v) for n, _w, v in fields(event[2]))[1]  # RawExtension.raw
    assert codec.decode(raw)["metadata"]["name"] == "a"  # type: ignore[arg-type]
    assert read_varint(frame, 4)[0] == 0x0A


def test_objects_that_do_not_fit_their_message_stay_json() -> None:
    bad = pod("a", "1")
    bad["spec"]["containers"][0]["ports"] = [{"containerPort": "eighty"}]
    assert protobuf.encode(bad) is None
