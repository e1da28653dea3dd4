"""`tug label`, `tug annotate` and `tug edit`."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug, create, pod


def _meta(api: httpx.Client, ns: str, name: str = "web") -> dict:
    return api.get(f"/api/v1/namespaces/{ns}/pods/{name}").json()["metadata"]


def test_label(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", {"app": "web"}))
    assert tug.ok("label", "pod", "web", "tier=fe") == "pod/web labeled\n"
    r = tug("label", "pod", "web", "tier=be")
    assert r.code == 1
    assert r.err == "error: 'tier' already has a value (fe), and --overwrite is false\n"
    assert tug.ok("label", "pod/web", "tier=be", "--overwrite") == "pod/web labeled\n"
    assert _meta(api, ns)["labels"] == {"app": "web", "tier": "be"}
    assert tug.ok("label", "pod", "web", "tier-") == "pod/web labeled\n"
    assert tug.ok("label", "pod", "web", "--list") == "app=web\n"
    missing = tug("label", "pod", "web", "tier-").ok()
    assert missing.out == "pod/web not labeled\n" and missing.err == 'label "tier" not found.\n'
    assert tug.ok("label", "pods", "-l", "app=web", "env=dev") == "pod/web labeled\n"
    r = tug("label", "pod", "web", "bad key=x")
    assert r.code == 1 and "invalid label spec" in r.err


def test_annotate(tug: Tug, api: httpx.Client, ns: str) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web"))
    assert tug.ok("annotate", "pod", "web", "note=hello world") == "pod/web annotated\n"
    assert _meta(api, ns)["annotations"]["note"] == "hello world"
    assert tug.ok("annotate", "pod", "web", "note=bye", "--overwrite=true") == \
        "pod/web annotated\n"
    assert tug.ok("annotate", "pod", "web", "note-") == "pod/web annotated\n"
    assert "note" not in (_meta(api, ns).get("annotations") or {})


def test_edit(tug: Tug, api: httpx.Client, ns: str, tmp_path: Path) -> None:
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("web", {"app": "web"}))
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\np = sys.argv[1]\ntext = open(p).read()\n"
                      "open(p, 'w').write(text.replace('app: web', 'app: edited'))\n")
    env = {"KUBE_EDITOR": f"{sys.executable} {editor}"}
    assert tug.ok("edit", "pod", "web", env=env) == "pod/web edited\n"
    assert _meta(api, ns)["labels"] == {"app": "edited"}
    assert tug.ok("edit", "pod/web", env={"KUBE_EDITOR": "true"}) == \
        "Edit cancelled, no changes made.\n"
    r = tug("edit", "pod", "nope", env={"KUBE_EDITOR": "true"})
    assert r.code == 1 and r.err == 'Error from server (NotFound): pods "nope" not found\n'
