"""Kubernetes objects JSON -> protobuf -> JSON: the special messages as Kubernetes' own
marshallers write them, and a fuzz-style round trip of every example manifest, every seed
object of the fuzz suite (both as written and as the models default them), and
hypothesis-generated objects of many kinds drawn from the field tables themselves.

What protobuf cannot carry, and so is normalised before comparing (only this):
- an empty list or map is no entries on the wire, so it reads back absent;
- a zero scalar (0, false, "") of a non-pointer `omitempty` field reads back absent,
  because Go writes such fields always and its JSON leaves their zeros out;
- meta.v1.Time is whole seconds in JSON (Kubernetes' RFC 3339 form)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.fuzz import seeds
from tugboat.api.proto import codec, times
from tugboat.api.proto.wire import length_delimited, tag, varint
from tugboat.api.resources import RESOURCES

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
Obj = dict[str, Any]


def roundtrip(obj: Obj) -> Obj:
    return codec.decode(codec.encode(obj))


def pod(**spec: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i"}], **spec}}


# -- the special messages ------------------------------------------------------------------

def test_time_is_whole_seconds_and_microtime_six_digits() -> None:
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "l", "creationTimestamp": "2024-02-29T23:59:59Z"},
             "spec": {"acquireTime": "2024-02-29T23:59:59.000001Z",
                      "renewTime": "1969-12-31T23:59:59.500000Z"}}
    assert roundtrip(lease) == lease
    # A Timestamp {seconds, nanos} Go wrote with nanoseconds: Time drops them.
    ts = tag(1, 0) + varint(1_700_000_000) + tag(2, 0) + varint(999_999_999)
    meta = tag(8, 2) + length_delimited(ts)
    body = codec.envelope("v1", "ConfigMap", tag(1, 2) + length_delimited(meta))
    assert codec.decode(body)["metadata"] == {"creationTimestamp": "2023-11-14T22:13:20Z"}


def test_go_writes_a_zero_time_as_an_empty_message() -> None:
    meta = tag(8, 2) + length_delimited(b"") + tag(7, 0) + varint(0)
    body = codec.envelope("v1", "ConfigMap", tag(1, 2) + length_delimited(meta))
    assert codec.decode(body) == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}


def test_int_or_string_quantity_and_negative_ints() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 80, "targetPort": "http"},
                              {"port": 81, "targetPort": 0}]}}
    assert roundtrip(svc) == svc
    p = pod(terminationGracePeriodSeconds=-1)
    p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "250m", "memory": "1Gi"}}
    assert roundtrip(p) == p
    raw = codec.encode(p)
    assert varint(-1) in raw and len(varint(-1)) == 10


def test_raw_extension_embeds_json_or_a_protobuf_object() -> None:
    rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "r"},
           "data": {"spec": {"template": {"x": [1, "a", None]}}}, "revision": 3}
    assert roundtrip(rev) == rev
    inner = codec.encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    body = codec.envelope("apps/v1", "ControllerRevision",
                          tag(2, 2) + length_delimited(tag(1, 2) + length_delimited(inner)))
    assert codec.decode(body)["data"] == {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "c"}}


def test_fields_v1_bytes_maps_and_list_wrappers() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "c", "managedFields": [{"manager": "m", "operation": "Apply",
                                        "fieldsType": "FieldsV1",
                                        "fieldsV1": {"f:data": {"f:a": {}}}}]},
          "binaryData": {"b": base64.b64encode(b"\x00\xff").decode()}}
    assert roundtrip(cm) == cm
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "metadata": {}, "spec": {"user": "u", "extra": {"scopes": ["a", "b"], "none": []}},
           "status": {"allowed": True}}
    assert roundtrip(sar) == sar


def test_inlined_structs_and_json_names() -> None:
    """Probe's ProbeHandler and Volume's VolumeSource are embedded Go structs: one nested
    protobuf field, inline in JSON. BoundObjectReference.uid is `uID` in the .proto."""
    p = pod(volumes=[{"name": "v", "configMap": {"name": "cm", "defaultMode": 420}}])
    p["spec"]["containers"][0]["livenessProbe"] = {"httpGet": {"port": 80}, "periodSeconds": 3}
    assert roundtrip(p) == p
    tr = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {},
          "spec": {"boundObjectRef": {"kind": "Pod", "name": "p", "uid": "u-1"}},
          "status": {"token": ""}}
    assert roundtrip(tr) == tr


def test_zero_scalars_follow_go_json() -> None:
    """A pointer's zero is a value (`replicas: 0`); a non-pointer omitempty zero is absent;
    a field without omitempty keeps its zero (SubjectAccessReviewStatus.allowed)."""
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
         "spec": {"replicas": 0, "minReadySeconds": 0, "paused": False,
                  "template": {"metadata": {}, "spec": {"containers": []}}}}
    assert roundtrip(d)["spec"] == {"replicas": 0, "template": {"metadata": {}, "spec": {}}}


def test_unknown_fields_are_skipped() -> None:
    body = codec.envelope("v1", "ConfigMap", tag(99, 2) + length_delimited(b"x")
                          + tag(98, 0) + varint(5) + tag(4, 0) + varint(1))
    assert codec.decode(body) == {"apiVersion": "v1", "kind": "ConfigMap", "immutable": True}


@pytest.mark.parametrize(("ns", "text"), [
    (0, "0s"), (1, "1ns"), (1500, "1.5µs"), (2_000_000, "2ms"), (10**9, "1s"),
    (90 * 10**9, "1m30s"), (3600 * 10**9, "1h0m0s"), (-(3725 * 10**9 + 5 * 10**8), "-1h2m5.5s"),
])
def test_durations_as_go_prints_them(ns: int, text: str) -> None:
    assert times.go_duration(ns) == text
    assert times.parse_go_duration(text) == ns


def test_kinds_without_a_message() -> None:
    with pytest.raises(codec.Unencodable):
        codec.encode({"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics"})
    assert codec.message_for("v1", "Status") == f"{codec.META}.Status"
    assert codec.message_for("meta.k8s.io/v1", "DeleteOptions") == f"{codec.META}.DeleteOptions"


# -- the round trip --------------------------------------------------------------------------

def canonical(obj: Any, msg: str) -> Any:
    """obj as protobuf can carry it (see the module docstring)."""
    plan = {p[0]: p for p in codec._decode_plan(msg).values()}
    inlined = [p[2] for p in plan.values() if p[1] == "inline"]
    out: Obj = {}
    for k, v in obj.items():
        p = plan.get(k)
        if p is None:
            if any(k in {q[0] for q in codec._decode_plan(s).values()} for s in inlined):
                out.update(canonical({k: v}, next(
                    s for s in inlined if k in {q[0] for q in codec._decode_plan(s).values()})))
            elif k in ("apiVersion", "kind"):
                out[k] = v
            continue
        _, kind, sub, repeated, omit_zero = p
        if v is None or (isinstance(v, (list, dict)) and not v and (repeated or kind == "map")):
            continue
        if omit_zero and not isinstance(v, (list, dict)) and v in codec.ZEROS:
            continue
        if kind == "map" and sub[0] == "message":
            v = {mk: canonical(mv, sub[1]) for mk, mv in v.items()}
        elif kind == "message":
            v = [canonical(x, sub) for x in v] if repeated else canonical(v, sub)
        elif kind == "time":
            v = v[:19] + "Z"
        out[k] = v
    return out


def message_of(obj: Obj) -> str:
    msg = codec.message_for(obj["apiVersion"], obj["kind"])
    assert msg is not None, obj
    return msg


def fixtures() -> list[Obj]:
    objs = [d for f in sorted(EXAMPLES.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())
            if isinstance(d, dict) and d.get("kind")]
    # every seeded kind Kubernetes publishes a message for (not metrics.k8s.io, not
    # apiextensions: those are JSON only, as in Kubernetes)
    objs += [seeds.manifest(r) for r in seeds.seeded()
             if codec.message_for(r.api_version, r.kind) is not None]
    typed = []
    for o in objs:  # and as the models default them (every field the model fills in)
        info = next((r for r in RESOURCES if (r.api_version, r.kind) == (o["apiVersion"],
                                                                           o["kind"])), None)
        if info is not None:
            typed.append(info.model.model_validate(o).wire())
    return objs + typed


@pytest.mark.parametrize("obj", fixtures(), ids=lambda o: f"{o['kind']}-{o['metadata']['name']}")
def test_fixtures_survive_the_round_trip(obj: Obj) -> None:
    assert roundtrip(obj) == canonical(obj, message_of(obj))


# Kinds whose messages cover every special type: Time (Pod), MicroTime (Lease, events/v1
# Event), IntOrString and Quantity (Pod, Service, Deployment), RawExtension
# (ControllerRevision), bytes maps (Secret), list wrappers (SubjectAccessReview), a map of
# Times (PodDisruptionBudget), inlined structs (Pod).
KINDS = [("v1", "Pod"), ("v1", "Service"), ("v1", "Secret"), ("v1", "ConfigMap"),
         ("v1", "Node"), ("v1", "Event"), ("apps/v1", "Deployment"), ("apps/v1", "DaemonSet"),
         ("apps/v1", "ControllerRevision"), ("batch/v1", "Job"), ("rbac.authorization.k8s.io/v1",
                                                                  "ClusterRole"),
         ("autoscaling/v2", "HorizontalPodAutoscaler"), ("discovery.k8s.io/v1", "EndpointSlice"),
         ("coordination.k8s.io/v1", "Lease"), ("events.k8s.io/v1", "Event"),
         ("policy/v1", "PodDisruptionBudget"), ("authorization.k8s.io/v1", "SubjectAccessReview")]

TEXT = st.text(max_size=6)
WORD = st.text(min_size=1, max_size=6)
SECONDS = st.integers(-2**34, 2**35)


def _scalar(kind: str, sub: str | None, nonzero: bool) -> st.SearchStrategy[Any]:
    ints = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1),
            "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}
    if kind in ints:
        s = st.integers(*ints[kind])
        return s.filter(bool) if nonzero else s
    if kind == "string":
        return WORD if nonzero else TEXT
    if kind == "bool":
        return st.just(True) if nonzero else st.booleans()
    if kind == "bytes":
        return st.binary(min_size=1 if nonzero else 0, max_size=8).map(
            lambda b: base64.b64encode(b).decode())
    if kind in ("time", "microtime"):
        fmt = "%Y-%m-%dT%H:%M:%SZ" if kind == "time" else "%Y-%m-%dT%H:%M:%S.%fZ"
        return st.builds(lambda s, us: (times.EPOCH + timedelta(
            seconds=s, microseconds=us if kind == "microtime" else 0)).strftime(fmt),
            SECONDS.filter(lambda s: s > -62135596800 + 86400), st.integers(0, 999_999))
    if kind == "intstr":
        return st.one_of(st.integers(-2**31, 2**31 - 1), WORD)
    if kind == "quantity":
        return st.sampled_from(["0", "1", "250m", "1Gi", "1.5", "2k", "100Mi"])
    if kind in ("rawext", "fieldsv1"):
        return st.dictionaries(WORD, st.one_of(st.integers(-2**53, 2**53), TEXT, st.booleans()), max_size=3)
    if kind == "list":
        return st.lists(TEXT, max_size=3)
    raise AssertionError(kind)


def draw_object(draw: st.DrawFn, msg: str, depth: int = 0) -> Obj:
    out: Obj = {}
    for name, kind, sub, repeated, omit_zero in codec._decode_plan(msg).values():
        if not draw(st.booleans()):
            continue
        if kind in ("message", "inline"):
            if depth >= 5:
                continue
            if kind == "inline":
                out.update(draw_object(draw, sub, depth + 1))
                continue
            one: Any = st.builds(lambda _, s=sub, d=depth: draw_object(draw, s, d + 1), st.none())
        elif kind == "map":
            vkind, vsub = sub
            value = st.builds(lambda _, s=vsub, d=depth: draw_object(draw, s, d + 1),
                              st.none()) if vkind == "message" else _scalar(vkind, vsub, False)
            out[name] = draw(st.dictionaries(TEXT, value, min_size=1, max_size=3))
            continue
        else:
            one = _scalar(kind, sub, omit_zero and not repeated)
        out[name] = draw(st.lists(one, min_size=1, max_size=3)) if repeated else draw(one)
    return out


@st.composite
def objects(draw: st.DrawFn) -> Obj:
    api_version, kind = draw(st.sampled_from(KINDS))
    return {"apiVersion": api_version, "kind": kind,
            **draw_object(draw, message_of({"apiVersion": api_version, "kind": kind}))}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(objects())
def test_generated_objects_survive_the_round_trip(obj: Obj) -> None:
    assert roundtrip(obj) == obj


def test_every_time_reads_back_as_written() -> None:
    t = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"creationTimestamp": t}}
    assert roundtrip(obj) == obj
