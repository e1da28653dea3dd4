"""`tug get`: kubectl's tables from the server's columns, and every output format."""

from __future__ import annotations

import json
import re
import subprocess

import httpx
import pytest
import yaml

from tests.integration.cli.conftest import Tug, create, pod

KUBECTL = "/usr/bin/kubectl"  # the version tug mimics (1.32), whatever is first on PATH


@pytest.fixture
def two_pods(api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", {"app": "web", "tier": "fe"}))
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("db", {"app": "db"}))


def _mask_age(text: str) -> str:
    return re.sub(r"(?<!\S)(\d+[smhdy])+(?!\S)", "AGE", text)


def test_table_is_kubectls(tug: Tug, two_pods: None) -> None:
    lines = tug.ok("get", "pods").splitlines()
    assert lines[0] == "NAME   READY   STATUS    RESTARTS   AGE"
    assert re.fullmatch(r"db     0/1     Pending   0          \d+s", lines[1])
    assert lines[2].startswith("web    0/1     Pending   0          ")


def test_same_text_as_real_kubectl(tug: Tug, two_pods: None) -> None:
    for args in (["get", "pods", "--show-labels"], ["get", "pods,svc"], ["get", "ns", "default"]):
        for _attempt in range(3):  # an age ticking between the two runs may shift columns
            ours = tug.ok(*args)
            theirs = subprocess.run([KUBECTL, *args, "--server", tug.server, "-n",
                                     tug.namespace], capture_output=True, text=True,
                                    timeout=60, env=tug.env).stdout
            if _mask_age(ours) == _mask_age(theirs):
                break
        assert _mask_age(ours) == _mask_age(theirs), args


def test_wide_all_namespaces_labels(tug: Tug, two_pods: None, ns: str) -> None:
    wide = tug.ok("get", "pods", "-o", "wide").splitlines()[0]
    assert re.fullmatch(r"NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +"
                        r"READINESS GATES", wide)
    everywhere = tug.ok("get", "pods", "-A", "--show-labels", "-l", "app=web").splitlines()
    head, row = everywhere[0], next(line for line in everywhere if line.startswith(ns))
    assert head.split()[0] == "NAMESPACE" and head.split()[-1] == "LABELS"
    assert row.split()[0] == ns and row.split()[-1] == "app=web,tier=fe"
    assert tug.ok("get", "pods", "-L", "tier").splitlines()[0].split()[-1] == "TIER"


def test_several_types_prefix_the_kind(tug: Tug, two_pods: None, api: httpx.Client,
                                       ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    out = tug.ok("get", "pods,svc")
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[1].startswith("pod/db")
    assert blocks[1].splitlines()[0].split()[:2] == ["NAME", "TYPE"]
    assert blocks[1].splitlines()[1].startswith("service/web")
    assert tug.ok("get", "pod/web", "svc/web", "-o", "name").split() == ["pod/web", "service/web"]


def test_yaml_json_name(tug: Tug, two_pods: None) -> None:
    one = yaml.safe_load(tug.ok("get", "pod", "web", "-o", "yaml"))
    assert one["kind"] == "Pod" and one["metadata"]["name"] == "web"
    many = json.loads(tug.ok("get", "pods", "-o", "json"))
    assert many["kind"] == "List" and [i["metadata"]["name"] for i in many["items"]] == \
        ["db", "web"]
    assert tug.ok("get", "pods", "-o", "name").split() == ["pod/db", "pod/web"]


def test_managed_fields_only_when_asked(tug: Tug, two_pods: None) -> None:
    # the server records who wrote each field; tug, as kubectl, prints it only when asked
    assert "managedFields" not in yaml.safe_load(tug.ok("get", "pod", "web", "-o", "yaml"))[
        "metadata"]
    shown = json.loads(tug.ok("get", "pod", "web", "-o", "json", "--show-managed-fields"))
    assert [e["operation"] for e in shown["metadata"]["managedFields"]] == ["Update"]


def test_jsonpath_and_custom_columns(tug: Tug, two_pods: None) -> None:
    assert tug.ok("get", "pods", "-o", "jsonpath={.items[*].metadata.name}") == "db web"
    assert tug.ok("get", "pod", "web", "-o", "jsonpath={.metadata.labels.tier}") == "fe"
    ranged = tug.ok("get", "pods", "-o",
                    'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}'
                    '{"\\n"}{end}')
    assert ranged == "db=busybox:1.35\nweb=busybox:1.35\n"
    cols = tug.ok("get", "pods", "-o", "custom-columns=NAME:.metadata.name,TIER:.metadata."
                  "labels.tier").splitlines()
    assert cols == ["NAME   TIER", "db     <none>", "web    fe"]


def test_selectors_and_empty_results(tug: Tug, two_pods: None, ns: str) -> None:
    assert tug.ok("get", "pods", "-l", "app=db", "-o", "name") == "pod/db\n"
    assert tug.ok("get", "pods", "--field-selector", "metadata.name=web",
                  "-o", "name") == "pod/web\n"
    empty = tug("get", "pods", "-l", "app=none").ok()
    assert empty.out == "" and empty.err == f"No resources found in {ns} namespace.\n"
    assert tug.ok("get", "pods", "--no-headers", "-l", "app=db").startswith("db ")


def test_missing_and_unknown(tug: Tug, two_pods: None) -> None:
    missing = tug("get", "pod", "nope")
    assert missing.code == 1 and missing.err == 'Error from server (NotFound): pods "nope" not found\n'
    partial = tug("get", "pods", "web", "nope", "-o", "name")
    assert partial.code == 1 and partial.out == "pod/web\n"
    assert tug("get", "pod", "nope", "--ignore-not-found").ok().out == ""
    unknown = tug("get", "gadgets")
    assert unknown.code == 1
    assert unknown.err == "error: the server doesn't have a resource type \"gadgets\"\n"
    mixed = tug("get", "pod/web", "nope")  # TYPE/NAME and a bare word: kubectl's builder
    assert (mixed.code, mixed.err) == (1, "error: there is no need to specify a resource type "
                                          "as a separate argument when passing arguments in "
                                          "resource/name form (e.g. 'tug get "
                                          "resource/<resource_name>' instead of 'tug get "
                                          "resource resource/<resource_name>'\n")
    bad = tug("get", "pods", "-o", "xml")
    assert bad.code == 1 and "unable to match a printer suitable for the output format" in bad.err


def test_cluster_scoped_and_files(tug: Tug, two_pods: None, tmp_path) -> None:  # noqa: ANN001
    assert "default" in tug.ok("get", "namespaces", "-o", "name")
    f = tmp_path / "p.yaml"
    f.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    assert tug.ok("get", "-f", str(f), "-o", "name") == "pod/web\n"
