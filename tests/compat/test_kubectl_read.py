"""Real kubectl reading from the server: version and discovery, `get` in every output form,
server-side Tables for each kind, `get -w`, `describe` with events (COMPAT.md §0, §1, §4,
§5, §11). Each test runs once per kubectl binary."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import yaml

from tests.compat.conftest import Kubectl, Rest, node_manifest, pod_manifest, pod_template
from tests.support.processes import wait_until


def columns(header: str) -> list[str]:
    """A kubectl table header's column names (they are separated by 2+ spaces)."""
    return re.split(r"\s{2,}", header.strip())


def rows(stdout: str) -> list[list[str]]:
    return [columns(line) for line in stdout.splitlines()[1:] if line.strip()]


def make_pods(rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha", {"app": "x", "tier": "fe"}))
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("beta", {"app": "y"}))


# -- version and discovery ------------------------------------------------------------------


def test_version_reports_a_1_32_server(kubectl: Kubectl) -> None:
    r = kubectl("version", "-o", "json")
    assert r.returncode == 0, r.stderr
    server = json.loads(r.stdout)["serverVersion"]
    assert (server["major"], server["minor"]) == ("1", "32")
    assert server["gitVersion"].startswith("v1.32.")

    r = kubectl("version")
    assert r.returncode == 0, r.stderr
    assert "Server Version: v1.32." in r.stdout


@pytest.mark.parametrize("resource,short,group_version", [
    ("pods", "po", "v1"), ("nodes", "no", "v1"), ("replicationcontrollers", "rc", "v1"),
    ("services", "svc", "v1"), ("endpoints", "ep", "v1"), ("events", "ev", "v1"),
    ("namespaces", "ns", "v1"), ("configmaps", "cm", "v1"),
    ("replicasets", "rs", "apps/v1"), ("deployments", "deploy", "apps/v1"),
    ("daemonsets", "ds", "apps/v1"),
])
def test_api_resources_lists_short_names(kubectl: Kubectl, resource: str, short: str,
                                         group_version: str) -> None:
    r = kubectl("api-resources", "--no-headers")
    assert r.returncode == 0, r.stderr
    entries = [line.split() for line in r.stdout.splitlines()]
    matching = [e for e in entries if e[0] == resource and group_version in e]
    assert matching, f"{resource} ({group_version}) missing from:\n{r.stdout}"
    assert short in matching[0][1].split(","), matching[0]


def test_api_resources_include_batch_jobs(kubectl: Kubectl) -> None:
    r = kubectl("api-resources", "--api-group=batch", "--no-headers")
    assert r.returncode == 0, r.stderr
    assert any(line.split()[0] == "jobs" for line in r.stdout.splitlines()), r.stdout


# -- get: output forms ----------------------------------------------------------------------


def test_get_pods_prints_the_pod_table(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert columns(lines[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    body = rows(r.stdout)
    assert sorted(row[0] for row in body) == ["alpha", "beta"]
    assert all(row[1:4] == ["0/1", "Pending", "0"] for row in body), body


def test_get_with_short_name(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "po")
    assert r.returncode == 0, r.stderr
    assert sorted(row[0] for row in rows(r.stdout)) == ["alpha", "beta"]


def test_get_one_pod_is_a_one_row_table(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pod", "alpha")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 2, r.stdout
    assert columns(lines[0])[:3] == ["NAME", "READY", "STATUS"]
    assert columns(lines[1])[0] == "alpha"


def test_get_missing_pod_is_not_found(kubectl: Kubectl, ns: str) -> None:
    r = kubectl("get", "pod", "ghost")
    assert r.returncode != 0
    assert 'Error from server (NotFound): pods "ghost" not found' in r.stderr


def test_get_wide_adds_ip_and_node(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    rest.bind(ns, "alpha", "node-wide")
    r = kubectl("get", "pods", "-o", "wide")
    assert r.returncode == 0, r.stderr
    header = columns(r.stdout.splitlines()[0])
    assert header[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"} <= set(header), header
    by_name = {row[0]: row for row in rows(r.stdout)}
    assert by_name["alpha"][header.index("NODE")] == "node-wide"
    assert by_name["beta"][header.index("NODE")] == "<none>"


def test_get_yaml_and_json_are_full_objects(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    doc = yaml.safe_load(r.stdout)
    assert doc["kind"] == "List"
    assert sorted(i["metadata"]["name"] for i in doc["items"]) == ["alpha", "beta"]
    assert all(i["spec"]["containers"][0]["image"] == "nginx:1.25" for i in doc["items"])

    r = kubectl("get", "pod", "alpha", "-o", "json")
    assert r.returncode == 0, r.stderr
    pod = json.loads(r.stdout)
    assert (pod["kind"], pod["apiVersion"]) == ("Pod", "v1")
    assert pod["metadata"]["namespace"] == ns
    assert pod["metadata"]["labels"] == {"app": "x", "tier": "fe"}
    assert pod["metadata"]["uid"] and pod["metadata"]["resourceVersion"]


def test_get_name_output(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == ["pod/alpha", "pod/beta"]


def test_get_all_namespaces_shows_namespace_column(kubectl: Kubectl, rest: Rest,
                                                  ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "-A")
    assert r.returncode == 0, r.stderr
    assert columns(r.stdout.splitlines()[0])[:2] == ["NAMESPACE", "NAME"]
    mine = sorted(row[1] for row in rows(r.stdout) if row[0] == ns)
    assert mine == ["alpha", "beta"], r.stdout


def test_get_with_label_selector(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "-l", "app=x", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["pod/alpha"]
    r = kubectl("get", "pods", "-l", "app!=x", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["pod/beta"]


def test_get_with_field_selector(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "--field-selector", "metadata.name=beta")
    assert r.returncode == 0, r.stderr
    assert [row[0] for row in rows(r.stdout)] == ["beta"]


def test_get_show_labels(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    make_pods(rest, ns)
    r = kubectl("get", "pods", "--show-labels")
    assert r.returncode == 0, r.stderr
    header = columns(r.stdout.splitlines()[0])
    assert header[-1] == "LABELS"
    by_name = {row[0]: row[-1] for row in rows(r.stdout)}
    assert set(by_name["alpha"].split(",")) == {"app=x", "tier=fe"}
    assert by_name["beta"] == "app=y"


def test_get_empty_namespace(kubectl: Kubectl, ns: str) -> None:
    r = kubectl("get", "pods")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert f"No resources found in {ns} namespace." in r.stderr


# -- Tables for each kind -------------------------------------------------------------------

SELECTOR = {"app": "web"}
WORKLOADS = {
    "rc": ("/api/v1/namespaces/{ns}/replicationcontrollers", {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": SELECTOR, "template": pod_template(SELECTOR)}},
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]),
    "rs": ("/apis/apps/v1/namespaces/{ns}/replicasets", {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": SELECTOR},
                 "template": pod_template(SELECTOR)}},
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]),
    "deploy": ("/apis/apps/v1/namespaces/{ns}/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": SELECTOR},
                 "template": pod_template(SELECTOR)}},
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]),
    "ds": ("/apis/apps/v1/namespaces/{ns}/daemonsets", {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": SELECTOR}, "template": pod_template(SELECTOR)}},
        ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR",
         "AGE"]),
    "jobs": ("/apis/batch/v1/namespaces/{ns}/jobs", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "web"},
        "spec": {"template": pod_template({"job": "web"}, restart_policy="Never")}},
        ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]),
    "svc": ("/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": SELECTOR, "ports": [{"port": 80, "protocol": "TCP"}]}},
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]),
    "ep": ("/api/v1/namespaces/{ns}/endpoints", {
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
        "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}]},
        ["NAME", "ENDPOINTS", "AGE"]),
}


@pytest.mark.parametrize("short", sorted(WORKLOADS))
def test_get_kind_prints_its_columns(kubectl: Kubectl, rest: Rest, ns: str, short: str) -> None:
    path, obj, header = WORKLOADS[short]
    rest.create(path.format(ns=ns), obj)
    r = kubectl("get", short)
    assert r.returncode == 0, r.stderr
    assert columns(r.stdout.splitlines()[0]) == header, r.stdout
    assert [row[0] for row in rows(r.stdout)] == ["web"]


def test_get_endpoints_shows_addresses(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    path, obj, _ = WORKLOADS["ep"]
    rest.create(path.format(ns=ns), obj)
    r = kubectl("get", "ep", "web")
    assert r.returncode == 0, r.stderr
    assert rows(r.stdout)[0][1] == "10.1.2.3:80"


def test_get_namespaces(kubectl: Kubectl, ns: str) -> None:
    r = kubectl("get", "ns")
    assert r.returncode == 0, r.stderr
    assert columns(r.stdout.splitlines()[0]) == ["NAME", "STATUS", "AGE"]
    by_name = {row[0]: row for row in rows(r.stdout)}
    assert by_name[ns][1] == "Active"
    assert "default" in by_name and "kube-system" in by_name


def test_get_nodes(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    name = f"node-{uuid.uuid4().hex[:6]}"
    rest.create("/api/v1/nodes", node_manifest(name))
    r = kubectl("get", "nodes")
    assert r.returncode == 0, r.stderr
    assert columns(r.stdout.splitlines()[0]) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    row = {row[0]: row for row in rows(r.stdout)}[name]
    assert row[1:3] == ["Ready", "worker"]
    assert row[4] == "v1.32.4-tugboat"

    r = kubectl("get", "no", name, "-o", "wide")
    assert r.returncode == 0, r.stderr
    header = columns(r.stdout.splitlines()[0])
    assert header[5:] == ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                          "CONTAINER-RUNTIME"]
    row = rows(r.stdout)[0]
    assert row[5:] == ["10.9.8.7", "<none>", "Debian GNU/Linux 12", "6.1.0-test",
                       "docker://27.3.1"]


# -- events and describe --------------------------------------------------------------------


def make_event(rest: Rest, ns: str, pod: dict, name: str, reason: str, message: str,
               type_: str = "Normal") -> None:
    m = pod["metadata"]
    rest.create(f"/api/v1/namespaces/{ns}/events", {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": m["name"],
                           "namespace": ns, "uid": m["uid"]},
        "reason": reason, "message": message, "type": type_,
        "source": {"component": "kubelet"}, "count": 1,
        "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:00:00Z"})


def test_get_events(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    pod = rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    make_event(rest, ns, pod, "alpha.1", "Pulling", "Pulling image nginx:1.25")
    for cmd in (["get", "events"], ["get", "ev"]):
        r = kubectl(*cmd)
        assert r.returncode == 0, r.stderr
        assert columns(r.stdout.splitlines()[0]) == ["LAST SEEN", "TYPE", "REASON", "OBJECT",
                                                     "MESSAGE"]
        assert rows(r.stdout)[0][1:] == ["Normal", "Pulling", "pod/alpha",
                                         "Pulling image nginx:1.25"]


def test_describe_pod_shows_its_events(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    pod = rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha", {"app": "x"}))
    other = rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("beta"))
    make_event(rest, ns, pod, "alpha.1", "Scheduled", "Successfully assigned alpha")
    make_event(rest, ns, pod, "alpha.2", "BackOff", "Back-off pulling image", "Warning")
    make_event(rest, ns, other, "beta.1", "Killing", "Stopping container beta")

    r = kubectl("describe", "pod", "alpha")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert re.search(r"^Name:\s+alpha$", out, re.M), out
    assert re.search(rf"^Namespace:\s+{ns}$", out, re.M), out
    assert re.search(r"^Status:\s+Pending$", out, re.M), out
    assert re.search(r"^Labels:\s+app=x$", out, re.M), out
    assert re.search(r"^\s+Image:\s+nginx:1.25$", out, re.M), out
    events = out.split("\nEvents:", 1)[1]
    assert re.search(r"Normal\s+Scheduled\s+\S+\s+kubelet\s+Successfully assigned alpha", events)
    assert re.search(r"Warning\s+BackOff\s+\S+\s+kubelet\s+Back-off pulling image", events)
    assert "Killing" not in events, "an event of another pod was shown"


def test_describe_pod_without_events(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    r = kubectl("describe", "pod", "alpha")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^Events:\s+<none>$", r.stdout, re.M), r.stdout


# -- watch ----------------------------------------------------------------------------------


def test_get_watch_prints_changes_as_they_happen(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    w = kubectl.watch("get", "pods", "-w")
    try:
        w.wait_for_line(lambda line: line.split()[:3] == ["alpha", "0/1", "Pending"])
        # the first row is on screen, so kubectl has listed; what follows comes by the watch
        rest.merge_patch(f"/api/v1/namespaces/{ns}/pods/alpha/status",
                         {"status": {"phase": "Running"}})
        w.wait_for_line(lambda line: line.split()[:3] == ["alpha", "0/1", "Running"])
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("beta"))
        w.wait_for_line(lambda line: line.split()[:1] == ["beta"])
    finally:
        w.stop()
    assert columns(w.lines[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert not [line for line in w.lines if line.startswith("NAME ")][1:], \
        f"header printed twice: {w.lines}"


def test_get_all_uses_categories(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    for short in ("rc", "svc", "deploy"):
        path, obj, _ = WORKLOADS[short]
        rest.create(path.format(ns=ns), obj)
    r = kubectl("get", "all")
    assert r.returncode == 0, r.stderr
    names = {line.split()[0] for line in r.stdout.splitlines()
             if line.strip() and not line.startswith("NAME")}
    assert {"pod/alpha", "replicationcontroller/web", "service/web",
            "deployment.apps/web"} <= names, r.stdout


def test_wait_for_jsonpath_follows_the_watch(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    opened = rest.watches_opened("pods")
    w = kubectl.watch("wait", "--for=jsonpath={.status.phase}=Running", "pod/alpha",
                      "--timeout=20s")
    try:
        wait_until(lambda: rest.watches_opened("pods") > opened, 15, "kubectl's watch")
        assert w.proc.poll() is None, "kubectl wait ended before the change"
        rest.merge_patch(f"/api/v1/namespaces/{ns}/pods/alpha/status",
                         {"status": {"phase": "Running"}})
        assert w.wait_for_line(lambda line: "condition met" in line) == \
            "pod/alpha condition met"
        assert w.proc.wait(10) == 0
    finally:
        w.stop()


def test_wait_for_delete_of_a_graceful_deletion(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    """The kubelet's part (removing the pod once stopped) is played here by a delete with
    gracePeriodSeconds=0; kubectl must notice it through its watch."""
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("alpha"))
    rest.bind(ns, "alpha", "node-1")
    path = f"/api/v1/namespaces/{ns}/pods/alpha"
    assert rest.http.delete(path).status_code == 200
    assert rest.get(path)["metadata"]["deletionTimestamp"]
    opened = rest.watches_opened("pods")
    w = kubectl.watch("wait", "--for=delete", "pod/alpha", "--timeout=20s")
    try:
        wait_until(lambda: rest.watches_opened("pods") > opened, 15, "kubectl's watch")
        assert w.proc.poll() is None, "kubectl wait ended before the deletion"
        r = rest.http.request("DELETE", path, json={"gracePeriodSeconds": 0})
        assert r.status_code == 200, r.text
        assert w.proc.wait(20) == 0
    finally:
        w.stop()
