"""The Event the filter writes: `event()` is exactly the Event model's wire form (the
model is the shape, the function the fast way to build it), and micro_time formats as
datetime does, rounding included."""

from __future__ import annotations

import datetime as dt
import random

import orjson
import pytest

from tugboat.apiserver.audit.event import Event, ObjectReference, event, micro_time

FULL = dict(level="RequestResponse", auditID="a-1", stage="ResponseComplete",
            requestURI="/api/v1/namespaces/ns/pods?dryRun=All", verb="create",
            user={"username": "alice", "groups": ["dev"], "extra": {"k": ["v"]}},
            sourceIPs=["10.0.0.1", "127.0.0.1"], userAgent="kubectl/v1.32",
            responseStatus={"metadata": {}, "code": 201},
            requestObject={"metadata": {"name": "p", "labels": None}},
            responseObject={"kind": "Pod", "spec": {"nodeName": None}},
            requestReceivedTimestamp="2026-01-02T03:04:05.000006Z",
            stageTimestamp="2026-01-02T03:04:05.000107Z",
            annotations={"authorization.k8s.io/decision": "allow"})
REF = {"resource": "pods", "namespace": "ns", "name": "p", "uid": None, "apiGroup": None,
       "apiVersion": "v1", "resourceVersion": None, "subresource": "status"}


@pytest.mark.parametrize("fields", [
    {**FULL, "objectRef": REF},
    {k: v for k, v in FULL.items() if k in ("level", "auditID", "stage", "requestURI", "verb",
                                           "user", "requestReceivedTimestamp",
                                           "stageTimestamp")},
    {**FULL, "userAgent": None, "sourceIPs": [], "annotations": None, "objectRef": None},
])
def test_event_is_the_models_wire_form_key_for_key(fields: dict) -> None:
    ref = fields.get("objectRef")
    model = Event(**{**fields, "objectRef": ObjectReference(**ref) if ref else None})
    assert orjson.dumps(event(**fields)) == orjson.dumps(model.wire())


def test_micro_time_matches_datetime_to_the_microsecond() -> None:
    rng = random.Random(11)
    stamps = [rng.uniform(1e9, 2e9) for _ in range(20000)]
    stamps += [s + 5e-7 for s in range(1_700_000_000, 1_700_000_020)]  # ties round to even
    stamps += [1_700_000_000.9999996, 1_700_000_059.9999999, 0.0]
    for at in stamps:
        want = dt.datetime.fromtimestamp(at, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert micro_time(at) == want, at
