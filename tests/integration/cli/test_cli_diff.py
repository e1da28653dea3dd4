"""`tug diff -f` as kubectl diff: a new object diffs against nothing, an applied file
against itself shows nothing and exits 0, a changed one shows the change as a unified
diff of LIVE-*/MERGED-* files named kubectl's way and exits 1, the live object never
changes, `--server-side` asks the server's apply, Secret values stay masked,
$KUBECTL_EXTERNAL_DIFF is honoured, and errors exit above 1."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.integration.cli.conftest import Tug

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {{app: web}}
data:
  color: {color}
  size: large
"""


def _write(tmp_path: Path, color: str) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(CONFIGMAP.format(color=color))
    return str(path)


def test_new_unchanged_and_changed(tug: Tug, api: httpx.Client, ns: str,
                                   tmp_path: Path) -> None:
    path = _write(tmp_path, "blue")
    r = tug("diff", "-f", path)
    assert r.code == 1, r.err
    name = f"v1.ConfigMap.{ns}.settings"
    assert re.search(rf"^diff -u -N /\S*/LIVE-\w+/{re.escape(name)} /\S*/MERGED-\w+/"
                     rf"{re.escape(name)}$", r.out, re.M), r.out
    assert re.search(rf"^--- /\S*/LIVE-\w+/{re.escape(name)}\t", r.out, re.M)
    assert "+  color: blue\n" in r.out and "+  name: settings\n" in r.out
    assert "last-applied-configuration" not in r.out  # kubectl's dry-run create of the file
    assert not any(line.startswith("-") and not line.startswith("---")
                   for line in r.out.splitlines())
    # Only a dry run: nothing was created.
    assert api.get(f"/api/v1/namespaces/{ns}/configmaps/settings").status_code == 404

    tug.ok("apply", "-f", path)
    r = tug("diff", "-f", path)
    assert (r.code, r.out, r.err) == (0, "", "")

    path = _write(tmp_path, "green")
    r = tug("diff", "-f", path)
    assert r.code == 1, r.err
    changed = [line for line in r.out.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert "-  color: blue" in changed and "+  color: green" in changed
    assert "managedFields" not in r.out
    # kubectl diff merges without rewriting the last-applied annotation: only the file's
    # change shows
    assert changed == ["-  color: blue", "+  color: green"], r.out
    live = api.get(f"/api/v1/namespaces/{ns}/configmaps/settings").json()
    assert live["data"]["color"] == "blue"


def test_server_side(tug: Tug, api: httpx.Client, ns: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "blue")
    tug.ok("apply", "--server-side", "-f", path)
    r = tug("diff", "--server-side", "-f", path)
    assert (r.code, r.out) == (0, ""), r.err
    r = tug("diff", "--server-side", "-f", _write(tmp_path, "red"))
    assert r.code == 1, r.err
    assert "+  color: red" in r.out and "-  color: blue" in r.out
    r = tug("diff", "--force-conflicts", "-f", path)
    assert (r.code, r.err.strip()) == (2, "error: --force-conflicts only works with "
                                          "--server-side")


def test_secrets_are_masked(tug: Tug, ns: str, tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n"
                    "data: {user: YWRtaW4=, pass: b2xk}\n")
    tug.ok("apply", "-f", str(path))
    path.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n"
                    "data: {user: YWRtaW4=, pass: bmV3}\n")
    r = tug("diff", "-f", str(path))
    assert r.code == 1, r.err
    assert "-  pass: '*** (before)'" in r.out and "+  pass: '*** (after)'" in r.out
    assert "user: '***'" in r.out
    # (kubectl's diff, too, shows the values kept in the last-applied annotation.)
    data = [line for line in r.out.splitlines() if re.match(r"^[-+ ]  (user|pass):", line)]
    assert data and not any("b2xk" in line or "bmV3" in line for line in data)


def test_external_diff_and_errors(tug: Tug, ns: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "blue")
    r = tug("diff", "-f", path, env={"KUBECTL_EXTERNAL_DIFF": "diff --brief"})
    assert r.code == 1
    assert re.fullmatch(r"Only in /\S*/MERGED-\w+: v1\.ConfigMap\.\S+\.settings\n|"
                        r"Files /\S+ and /\S+ differ\n", r.out), r.out
    r = tug("diff", "-f", str(tmp_path / "missing.yaml"))
    assert r.code == 2 and r.err.startswith("error: ")
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Nonsense\nmetadata: {name: x}\n")
    r = tug("diff", "-f", str(bad))
    assert r.code == 2 and 'no matches for kind "Nonsense"' in r.err
