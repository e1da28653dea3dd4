"""`tug apply|create|replace -f`: files, folders and stdin, kubectl's three-way apply, and
errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels:
{labels}
spec:
  containers:
  - name: c
    image: {image}
    command: ["sleep", "3600"]
"""
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _pod(name: str = "web", image: str = "busybox:1.35", **labels: str) -> str:
    labels = labels or {"app": name}
    return POD.format(name=name, image=image,
                      labels="\n".join(f"    {k}: {v}" for k, v in labels.items()))


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _live(api: httpx.Client, ns: str, name: str = "web") -> dict:
    return api.get(f"/api/v1/namespaces/{ns}/pods/{name}").json()


def test_apply_creates_then_is_unchanged_then_configures(tug: Tug, api: httpx.Client, ns: str,
                                                         tmp_path: Path) -> None:
    f = _write(tmp_path, "pod.yaml", _pod(app="web", tier="fe"))
    assert tug.ok("apply", "-f", f) == "pod/web created\n"
    live = _live(api, ns)
    assert json.loads(live["metadata"]["annotations"][LAST_APPLIED])["metadata"]["labels"] == \
        {"app": "web", "tier": "fe"}
    assert tug.ok("apply", "-f", f) == "pod/web unchanged\n"
    # someone else adds a label; the file drops "tier" and changes the image
    api.patch(f"/api/v1/namespaces/{ns}/pods/web", json={"metadata": {"labels": {"x": "y"}}},
              headers={"Content-Type": "application/merge-patch+json"})
    f2 = _write(tmp_path, "pod2.yaml", _pod(image="busybox:1.36", app="web"))
    assert tug.ok("apply", "-f", f2) == "pod/web configured\n"
    live = _live(api, ns)
    assert live["metadata"]["labels"] == {"app": "web", "x": "y"}
    assert live["spec"]["containers"][0]["image"] == "busybox:1.36"


def test_folders_stdin_and_multi_document_files(tug: Tug, api: httpx.Client, ns: str,
                                                 tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    _write(d, "a.yaml", _pod("a") + "---\n" + _pod("b"))
    _write(d, "c.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "c"}, "data": {"k": "v"}}))
    assert tug.ok("apply", "-f", str(d)) == "pod/a created\npod/b created\nconfigmap/c created\n"
    assert tug.ok("apply", "-f", "-", input=_pod("d")) == "pod/d created\n"
    assert tug.ok("apply", "-f", "-", "-o", "name", input=_pod("d")) == "pod/d\n"


def test_create_replace_and_server_side(tug: Tug, api: httpx.Client, ns: str,
                                        tmp_path: Path) -> None:
    f = _write(tmp_path, "p.yaml", _pod())
    assert tug.ok("create", "-f", f) == "pod/web created\n"
    again = tug("create", "-f", f)
    assert again.code == 1
    assert again.err == (f'Error from server (AlreadyExists): error when creating "{f}": '
                         f'pods "web" already exists\n')
    f2 = _write(tmp_path, "p2.yaml", _pod(image="busybox:1.36"))
    assert tug.ok("replace", "-f", f2) == "pod/web replaced\n"
    assert _live(api, ns)["spec"]["containers"][0]["image"] == "busybox:1.36"
    uid = _live(api, ns)["metadata"]["uid"]
    assert tug.ok("replace", "--force", "-f", f) == 'pod "web" deleted\npod/web replaced\n'
    assert _live(api, ns)["metadata"]["uid"] != uid
    f3 = _write(tmp_path, "p3.yaml", _pod("ssa"))
    assert tug.ok("apply", "--server-side", "-f", f3) == "pod/ssa serverside-applied\n"
    assert tug.ok("create", "namespace", f"{ns}-extra", server=True) == \
        f"namespace/{ns}-extra created\n"


def test_dry_runs_write_nothing(tug: Tug, api: httpx.Client, ns: str, tmp_path: Path) -> None:
    f = _write(tmp_path, "p.yaml", _pod())
    assert tug.ok("apply", "-f", f, "--dry-run=server") == "pod/web created (server dry run)\n"
    assert tug.ok("create", "-f", f, "--dry-run=client") == "pod/web created (dry run)\n"
    assert api.get(f"/api/v1/namespaces/{ns}/pods/web").status_code == 404


def test_file_errors(tug: Tug, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"
                                       "  labels: a: b\n")
    r = tug("apply", "-f", bad)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith(f"error: error parsing {bad}: error converting YAML to JSON: yaml: "
                            f"line 5: ")
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
    unknown = _write(tmp_path, "gadget.yaml", "apiVersion: v1\nkind: Gadget\nmetadata:\n"
                                              "  name: g\n")
    r = tug("apply", "-f", unknown)
    assert r.code == 1 and r.err == (f'error: resource mapping not found for name: "g" '
                                     f'namespace: "" from "{unknown}": no matches for kind '
                                     f'"Gadget" in version "v1"\n')
    assert tug("apply", "-f", str(tmp_path / "none.yaml")).err == \
        f'error: the path "{tmp_path / "none.yaml"}" does not exist\n'


def test_invalid_objects_and_namespace_mismatch(tug: Tug, tmp_path: Path) -> None:
    invalid = _write(tmp_path, "inv.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: inv\n"
                                           "spec:\n  containers:\n  - name: c\n")
    r = tug("apply", "-f", invalid)
    assert r.code == 1
    assert r.err.startswith('The Pod "inv" is invalid: ') and "image" in r.err
    assert r.err.count("\n") == 1
    other = _write(tmp_path, "other.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: o\n"
                                           "  namespace: elsewhere\n")
    r = tug("apply", "-f", other)
    assert r.code == 1 and 'does not match the namespace' in r.err


def test_server_side_after_client_side_takes_the_fields_over(tug: Tug, api: httpx.Client,
                                                             ns: str, tmp_path: Path) -> None:
    # kubectl's manager name for server-side apply ("kubectl") is the one the server's
    # upgrade path from client-side apply serves: the changed field is not a conflict
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: up}}\ndata: {{a: '{}'}}\n"
    f1 = _write(tmp_path, "c1.yaml", cm.format(1))
    f2 = _write(tmp_path, "c2.yaml", cm.format(2))
    tug.ok("apply", "-f", f1)
    r = tug("diff", "--server-side", "-f", f2)
    assert r.code == 1 and "+  a: \"2\"" in r.out, r.err
    assert tug.ok("apply", "--server-side", "-f", f2) == "configmap/up serverside-applied\n"
    live = api.get(f"/api/v1/namespaces/{ns}/configmaps/up").json()
    assert live["data"] == {"a": "2"}
    assert "kubectl" in {e["manager"] for e in live["metadata"]["managedFields"]}
