"""Every file in examples/ applies cleanly (strict field validation) and asks only for the
local images, so it runs offline; the end-to-end suite runs them on real Docker."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.integration.cli.conftest import Tug

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXPECTED = {"pod.yaml": "pod/hello", "probes.yaml": "pod/probes",
            "rc.yaml": "replicationcontroller/rc-web", "deployment.yaml": "deployment.apps/web",
            "job.yaml": "job.batch/compute", "daemonset.yaml": "daemonset.apps/node-reporter",
            "service.yaml": "service/web",
            "podspec.yaml": "configmap/app-config\nsecret/app-secret\npod/configured",
            "rbac.yaml": "serviceaccount/viewer\nrolebinding.rbac.authorization.k8s.io/viewer-view"}


def _containers(doc: dict) -> list[dict]:
    spec = doc.get("spec") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or spec
    return (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])


def test_each_example_applies(tug: Tug) -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert sorted(p.name for p in files) == sorted(EXPECTED)
    names = [n for p in files for n in EXPECTED[p.name].split("\n")]
    assert tug.ok("apply", "-f", str(EXAMPLES)) == "".join(f"{n} created\n" for n in names)
    assert tug.ok("get", "-f", str(EXAMPLES), "-o", "name") == "".join(f"{n}\n" for n in names)
    # stringData is write-only (merged into data), so its Secret differs from what is stored
    # on every apply, as kubectl finds too; everything else is unchanged
    again = {n: "configured" if n == "secret/app-secret" else "unchanged" for n in names}
    assert tug.ok("apply", "-f", str(EXAMPLES)) == "".join(f"{n} {again[n]}\n" for n in names)


def test_examples_use_only_local_images() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            for c in _containers(doc):
                assert c["image"] == "busybox:1.35", path
                assert c["imagePullPolicy"] == "IfNotPresent", path


def test_the_probes_example_has_all_three_kinds() -> None:
    pod = yaml.safe_load((EXAMPLES / "probes.yaml").read_text())
    probes = {kind: handler for c in pod["spec"]["containers"]
              for kind in ("startupProbe", "livenessProbe", "readinessProbe") if kind in c
              for handler in c[kind] if handler in ("exec", "httpGet", "tcpSocket")}
    assert probes == {"startupProbe": "exec", "livenessProbe": "httpGet",
                      "readinessProbe": "tcpSocket"}
