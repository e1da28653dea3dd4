"""Log options end to end, real containers through the API server and the kubelet:
sinceSeconds and sinceTime, limitBytes (also ending a followed stream), tailLines with
follow, timestamps in RFC3339Nano, the 422 for both kinds of since, real kubectl's and
tug's flags for them; and log rotation — a kubelet with a small --container-log-max-size
keeps a chatty container's log to its files while the newest lines stay readable."""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import (
    Api,
    KubeletProcess,
    inspect,
    node_containers,
    pod_manifest,
    remove_node_containers,
)
from tests.e2e.conftest import RUN
from tests.support.processes import ApiServerProcess, wait_until

KUBECTL = "/usr/bin/kubectl"
TUG = str(Path(sys.executable).with_name("tug"))
STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$")
GAP = 8  # seconds between the two lines of the `since` pod: the slack a loaded host gets


def log_path(ns: str, pod: str) -> str:
    return f"/api/v1/namespaces/{ns}/pods/{pod}/log"


def stamped(api: Api, ns: str, pod: str) -> list[tuple[float, str]]:
    """(Unix time, text) of each line, from the runtime's own timestamps."""
    out = []
    for line in api.http.get(log_path(ns, pod), params={"timestamps": "true"}).text.splitlines():
        m = STAMP.match(line)
        assert m, line
        when = dt.datetime.fromisoformat(m.group(1)[:26] + "+00:00")
        out.append((when.timestamp(), m.group(2)))
    return out


@pytest.fixture
def early_late(api: Api, node: str, ns: str) -> list[tuple[float, str]]:
    """A pod that wrote `early`, then GAP seconds later `late`; their timestamps."""
    api.create(ns, pod_manifest("el", node, f"echo early; sleep {GAP}; echo late; sleep 3600"))
    wait_until(lambda: "late" in api.http.get(log_path(ns, "el")).text, GAP + 30, "late")
    lines = stamped(api, ns, "el")
    assert [text for _, text in lines] == ["early", "late"]
    return lines



def kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir",
                           str(kubeconfig.parent / "cache"), *args],
                          capture_output=True, text=True, timeout=30)


def tug(api: Api, ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TUG, "--server", api.url, "-n", ns, *args],
                          capture_output=True, text=True, timeout=30)


def since_seconds_between(lines: list[tuple[float, str]]) -> int:
    """A sinceSeconds whose bound falls between `early` and `late` for the next few
    seconds (GAP less two: slow tools on a loaded host): just short of `early`'s age."""
    return math.floor(time.time() - lines[0][0]) - 1


def since_time_between(lines: list[tuple[float, str]]) -> str:
    """An RFC 3339 time (whole seconds, as kubectl sends) after `early`, before `late`."""
    t = math.floor(lines[0][0]) + 2
    assert lines[0][0] < t < lines[1][0]
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- since -------------------------------------------------------------------------------


def test_since_seconds_and_since_time(api: Api, ns: str,
                                      early_late: list[tuple[float, str]]) -> None:
    path = log_path(ns, "el")
    r = api.http.get(path, params={"sinceSeconds": since_seconds_between(early_late)})
    assert r.status_code == 200 and r.text == "late\n"
    assert api.http.get(path, params={"sinceSeconds": 3600}).text == "early\nlate\n"
    r = api.http.get(path, params={"sinceTime": since_time_between(early_late)})
    assert r.status_code == 200 and r.text == "late\n"
    assert api.http.get(path, params={"sinceTime": "2000-01-01T00:00:00Z"}).text == \
        "early\nlate\n"


def test_both_kinds_of_since_are_invalid(api: Api, ns: str,
                                         early_late: list[tuple[float, str]]) -> None:
    r = api.http.get(log_path(ns, "el"), params={"sinceSeconds": 10,
                                                 "sinceTime": "2025-01-01T00:00:00Z"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "PodLogOptions"
    assert "at most one of `sinceTime` or `sinceSeconds` may be specified" in body["message"]
    for params in ({"limitBytes": 0}, {"tailLines": -2}, {"sinceSeconds": 0}):
        assert api.http.get(log_path(ns, "el"), params=params).status_code == 422, params
    r = api.http.get(log_path(ns, "el"), params={"sinceTime": "yesterday"})
    assert r.status_code == 400 and r.json()["reason"] == "BadRequest"


def test_kubectl_and_tug_since(api: Api, ns: str, early_late: list[tuple[float, str]],
                               kubeconfig: Path) -> None:
    r = kubectl(kubeconfig, "logs", "el", f"--since={since_seconds_between(early_late)}s")
    assert r.returncode == 0 and r.stdout == "late\n", r.stderr
    r = kubectl(kubeconfig, "logs", "el", f"--since-time={since_time_between(early_late)}")
    assert r.returncode == 0 and r.stdout == "late\n", r.stderr
    r = kubectl(kubeconfig, "logs", "el", "--since=1h")
    assert r.returncode == 0 and r.stdout == "early\nlate\n", r.stderr
    r = tug(api, ns, "logs", "el", f"--since={since_seconds_between(early_late)}s")
    assert r.returncode == 0 and r.stdout == "late\n", r.stderr
    r = tug(api, ns, "logs", "el", f"--since-time={since_time_between(early_late)}")
    assert r.returncode == 0 and r.stdout == "late\n", r.stderr
    r = tug(api, ns, "logs", "el", "--since=1h", "--since-time=2025-01-01T00:00:00Z")
    assert r.returncode != 0
    assert "at most one of `sinceTime` or `sinceSeconds` may be specified" in r.stderr


# -- limitBytes, tail, timestamps ----------------------------------------------------------


@pytest.fixture
def ticker(api: Api, node: str, ns: str) -> str:
    """A pod writing `line N` every 0.2 s, forever; returned once line 5 is out."""
    api.create(ns, pod_manifest("ticker", node, "i=0; while true; do i=$((i+1)); "
                                "echo line $i; sleep 0.2; done"))
    wait_until(lambda: "line 5\n" in api.http.get(log_path(ns, "ticker")).text, 30, "line 5")
    return "ticker"


def test_limit_bytes_cuts_even_a_followed_stream(api: Api, ns: str, ticker: str) -> None:
    r = api.http.get(log_path(ns, ticker), params={"limitBytes": 10})
    assert r.status_code == 200 and r.text == "line 1\nlin"
    with api.http.stream("GET", log_path(ns, ticker), timeout=20,
                         params={"follow": "true", "limitBytes": 20}) as r:
        assert r.status_code == 200
        body = r.read()  # ends at the limit although the container keeps writing
    assert body == b"line 1\nline 2\nline 3\n"[:20]


def test_tail_then_follow(api: Api, ns: str, ticker: str) -> None:
    numbers: list[int] = []
    with api.http.stream("GET", log_path(ns, ticker), timeout=20,
                         params={"follow": "true", "tailLines": 2}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            numbers.append(int(line.split()[1]))
            if len(numbers) == 5:
                break
    assert numbers[0] >= 4  # the tail: not from the start
    assert numbers == list(range(numbers[0], numbers[0] + 5))  # then followed, no gaps


def test_timestamps_are_rfc3339_nano(api: Api, ns: str, ticker: str,
                                     kubeconfig: Path) -> None:
    text = api.http.get(log_path(ns, ticker), params={"timestamps": "true",
                                                      "tailLines": 3}).text
    lines = text.splitlines()
    assert len(lines) == 3 and all(STAMP.match(line) for line in lines), lines
    r = kubectl(kubeconfig, "logs", ticker, "--timestamps", "--tail=1", "--limit-bytes=200")
    assert r.returncode == 0 and STAMP.match(r.stdout.strip()), (r.stdout, r.stderr)
    # Docker's json-file reader can come back empty while the ticker is mid-write (seen once
    # in a full run): read again until the first four bytes come, as a user would.
    wait_until(lambda: kubectl(kubeconfig, "logs", ticker, "--limit-bytes=4").stdout == "line",
               20, "kubectl logs --limit-bytes=4")
    wait_until(lambda: tug(api, ns, "logs", ticker, "--limit-bytes=4").stdout == "line",
               20, "tug logs --limit-bytes=4")
    r = tug(api, ns, "logs", ticker, "--tail=1", "--timestamps")
    assert r.returncode == 0 and STAMP.match(r.stdout.strip()), (r.stdout, r.stderr)


def test_previous_instance(api: Api, node: str, ns: str, kubeconfig: Path) -> None:
    r = kubectl(kubeconfig, "logs", "-p", "nothing-yet")
    assert r.returncode != 0
    api.create(ns, pod_manifest("crasher", node, "echo boot $(cat /proc/sys/kernel/random/uuid)"
                                "; sleep 1; exit 1"))
    api.wait_pod(ns, "crasher", lambda p: any(
        (s.get("restartCount") or 0) >= 1 for s in p["status"].get("containerStatuses") or []),
        40, "a restart")
    r = kubectl(kubeconfig, "logs", "-p", "crasher")
    assert r.returncode == 0 and r.stdout.startswith("boot "), r.stderr
    r = tug(api, ns, "logs", "-p", "crasher")
    assert r.returncode == 0 and r.stdout.startswith("boot "), r.stderr


# -- rotation ------------------------------------------------------------------------------

MAX_SIZE = 64 * 1024


@pytest.fixture(scope="module")
def rotating_node(cluster_api: ApiServerProcess, e2e_dir: Path) -> Iterator[str]:
    """A kubelet of its own, rotating each container's log at 64Ki, two files kept."""
    node = f"e2e-logrot-{RUN}"
    proc = KubeletProcess(cluster_api.url, node, e2e_dir / node, [
        "--container-log-max-size", "64Ki", "--container-log-max-files", "2",
        "--node-status-update-frequency", "1s"])
    proc.start()
    wait_until(lambda: httpx.get(f"{cluster_api.url}/api/v1/nodes/{node}").status_code == 200,
               20, f"node {node} registered")
    yield node
    proc.stop()
    remove_node_containers(node)


def test_a_chatty_container_is_rotated(api: Api, ns: str, rotating_node: str) -> None:
    # ~1.6 MB of output (several MB as json-file lines), written as fast as sh can.
    api.create(ns, pod_manifest("chatty", rotating_node,
                                "i=0; while [ $i -lt 30000 ]; do echo \"line $i "
                                "padding-padding-padding\"; i=$((i+1)); done; echo done; "
                                "sleep 3600"))
    wait_until(lambda: api.http.get(log_path(ns, "chatty"), params={"tailLines": 1}).text
               == "done\n", 90, "the last line")
    text = api.http.get(log_path(ns, "chatty")).text
    lines = text.splitlines()
    # The newest lines are all there, in order, across the rotated file and the current one.
    assert lines[-2:] == ["line 29999 padding-padding-padding", "done"]
    first = int(lines[0].split()[1])
    assert lines[:-1] == [f"line {i} padding-padding-padding" for i in range(first, 30000)]
    # The oldest went with the dropped files: what is kept fits in two 64Ki files.
    assert first > 0 and len(text) < 2 * MAX_SIZE
    app = [c for c in node_containers(rotating_node)
           if inspect(c)["Config"]["Labels"].get("io.tugboat.container.name") == "main"]
    log_config = inspect(app[0])["HostConfig"]["LogConfig"]
    assert log_config == {"Type": "json-file",
                          "Config": {"max-size": str(MAX_SIZE), "max-file": "2"}}
