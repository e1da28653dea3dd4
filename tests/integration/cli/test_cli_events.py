"""`tug events` as kubectl events prints them: sorted by when each last happened, LAST
SEEN with "(xN over M)" for repeats, `--for TYPE/NAME`, `--types`, `-A` with a NAMESPACE
column, `-o`, an empty namespace said on stderr, and `-w` printing new events as they
come."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import httpx
import yaml

from tests.integration.cli.conftest import Tug, create


def _ago(seconds: int) -> str:
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def event(ns: str, kind: str, name: str, reason: str, message: str, *, type_: str = "Normal",
          first: int = 10, last: int = 10, count: int = 1, api_version: str = "v1"
          ) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{name}.{secrets.token_hex(4)}", "namespace": ns},
            "involvedObject": {"kind": kind, "name": name, "namespace": ns,
                               "apiVersion": api_version},
            "reason": reason, "message": message, "type": type_, "count": count,
            "firstTimestamp": _ago(first), "lastTimestamp": _ago(last),
            "source": {"component": "test"}}


def post(api: httpx.Client, ns: str, body: dict[str, Any]) -> None:
    create(api, f"/api/v1/namespaces/{ns}/events", body)


def test_a_namespace_events_sorted_by_last_seen(tug: Tug, api: httpx.Client, ns: str) -> None:
    post(api, ns, event(ns, "Pod", "web", "Pulled", "Image pulled", first=300, last=5,
                        count=3))
    post(api, ns, event(ns, "Pod", "web", "Scheduled", "Assigned to node-1", first=600,
                        last=600))
    post(api, ns, event(ns, "Deployment", "web", "ScalingReplicaSet", "Scaled up to 1",
                        first=90, last=90, api_version="apps/v1"))
    post(api, ns, event(ns, "Pod", "db", "BackOff", "Back-off restarting\n", type_="Warning",
                        first=30, last=30))
    lines = tug.ok("events").splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    # Seconds may tick between the writes and the listing.
    assert [line.split()[0] for line in lines[1:]][:1] == ["10m"]
    assert [r for line in lines[1:] for r in line.split()
            if r in ("Scheduled", "ScalingReplicaSet", "BackOff", "Pulled")] == [
        "Scheduled", "ScalingReplicaSet", "BackOff", "Pulled"]
    assert lines[1].split()[1:] == ["Normal", "Scheduled", "Pod/web", "Assigned", "to",
                                    "node-1"]
    assert re.match(r"\d+s \(x3 over 5m\d*s?\)\s+Normal\s+Pulled\s+Pod/web", lines[4]), lines
    assert lines[3].endswith("Back-off restarting")  # the message's newline trimmed
    # kubectl's columns: aligned, three spaces between.
    assert lines[0].index("TYPE") == lines[1].index("Normal")
    assert lines[0].index("OBJECT") == lines[2].index("Deployment/web")

    only = tug.ok("events", "--for", "pod/web").splitlines()
    assert [line.split()[-1] for line in only[1:]] == ["node-1", "pulled"]
    deploy = tug.ok("events", "--for", "deploy/web", "--no-headers").splitlines()
    assert len(deploy) == 1 and "ScalingReplicaSet" in deploy[0]

    warnings = tug.ok("events", "--types=Warning").splitlines()
    assert len(warnings) == 2 and "BackOff" in warnings[1]
    r = tug("events", "--types", "Bad")
    assert (r.code, r.err.strip()) == (1, "error: valid --types are Normal or Warning")
    r = tug("events", "--for", "web")
    assert (r.code, r.err.strip()) == (1, "error: --for must be in resource/name form")


def test_output_formats_and_all_namespaces(tug: Tug, api: httpx.Client, ns: str) -> None:
    post(api, ns, event(ns, "Pod", "one", "Started", "Started container c", last=20,
                        first=20))
    post(api, ns, event(ns, "Pod", "two", "Killing", "Stopping container c", last=10,
                        first=10))
    doc = yaml.safe_load(tug.ok("events", "-o", "yaml"))
    assert [e["involvedObject"]["name"] for e in doc["items"]] == ["one", "two"]
    assert all(e["kind"] == "Event" for e in doc["items"])
    # the typed list kubectl events prints, not get's generic List
    assert (doc["kind"], doc["metadata"]) == ("EventList", {})
    assert all("managedFields" not in e["metadata"] for e in doc["items"])
    names = tug.ok("events", "-o", "name").split()
    assert len(names) == 2 and all(n.startswith("event/") for n in names)

    everywhere = tug.ok("events", "-A").splitlines()
    assert everywhere[0].split()[:3] == ["NAMESPACE", "LAST", "SEEN"]
    assert any(line.startswith(ns) and "Pod/two" in line for line in everywhere)


def test_for_an_unknown_type(tug: Tug) -> None:
    r = tug("events", "--for", "widgets/x")  # a RESTMapper miss: kubectl prints no "error: "
    assert (r.code, r.err) == (1, 'the server doesn\'t have a resource type "widgets"\n')


def test_no_events(tug: Tug, ns: str) -> None:
    r = tug("events").ok()
    assert r.out == "" and r.err == f"No events found in {ns} namespace.\n"


def test_watch_prints_new_events(tug: Tug, api: httpx.Client, ns: str) -> None:
    post(api, ns, event(ns, "Pod", "old", "Created", "Created container c", last=30,
                        first=30))
    stream = tug.popen("events", "-w", "--types", "Warning,Normal")
    try:
        stream.wait_for(r"^LAST SEEN\s+TYPE")
        stream.wait_for(r"Pod/old\s+Created container c")
        post(api, ns, event(ns, "Pod", "new", "Unhealthy", "Liveness probe failed",
                            type_="Warning", last=1, first=1))
        line = stream.wait_for(r"Pod/new")
        assert line.split()[1:4] == ["Warning", "Unhealthy", "Pod/new"]
    finally:
        stream.stop()
