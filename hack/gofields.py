"""Generates tugboat/api/proto/gofields.json: for each protobuf field of Kubernetes' types,
what its Go struct field says about the JSON form, which the .proto files do not carry:

- the JSON name (a few differ from the protobuf name: admissionregistration's `Webhooks`
  is "webhooks" in JSON),
- `inline`: an embedded struct with an empty JSON name (Probe's ProbeHandler, Volume's
  VolumeSource), whose fields sit in the enclosing JSON object,
- `omitempty` and `pointer`: Go's protobuf encoder writes every non-pointer field, zero or
  not, so reading a zero back needs to know whether Go's JSON would have left it out
  (a non-pointer omitempty field) or kept it (`replicas: 0` is a pointer's zero).

Read from the types' Go source (the `json:` and `protobuf:` struct tags) of the same
k8s.io/api and k8s.io/apimachinery packages hack/protogen.py reads:

    python hack/gofields.py /path/to/kubernetes/api /path/to/kubernetes/apimachinery

Each path is a checkout or a bare git directory (read at HEAD); the commits are recorded
under "source"."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tugboat" / "api" / "proto" / "gofields.json"
API_PACKAGES = (
    "admissionregistration/v1", "apps/v1", "authentication/v1", "authorization/v1",
    "autoscaling/v1", "autoscaling/v2", "batch/v1", "certificates/v1", "coordination/v1",
    "core/v1", "discovery/v1", "events/v1", "flowcontrol/v1", "networking/v1", "node/v1",
    "policy/v1", "rbac/v1", "scheduling/v1", "storage/v1")
MACHINERY_PACKAGES = ("pkg/api/resource", "pkg/apis/meta/v1", "pkg/runtime",
                      "pkg/util/intstr")

STRUCT = re.compile(r"^type (\w+) struct \{")
PROTOBUF_TAG = re.compile(r'protobuf:"\w+,(\d+),')
JSON_TAG = re.compile(r'json:"([^"]*)"')


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def go_files(repo: Path, package: str) -> list[str]:
    names = git(repo, "ls-tree", "--name-only", "HEAD", f"{package}/").split()
    return [n for n in names if n.endswith(".go") and not n.endswith("_test.go")
            and "generated" not in n and not n.rsplit("/", 1)[-1].startswith("zz_")]


def parse(text: str, prefix: str, out: dict[str, dict[str, dict[str, object]]]) -> None:
    message = None
    for line in text.splitlines():
        m = STRUCT.match(line)
        if m:
            message = f"{prefix}.{m.group(1)}"
            continue
        if line.startswith("}"):
            message = None
            continue
        if message is None or "`" not in line:
            continue
        head, tags = line.split("`", 1)
        number, js = PROTOBUF_TAG.search(tags), JSON_TAG.search(tags)
        words = head.split()
        if number is None or js is None or not words or words[0].startswith("//"):
            continue
        name, *opts = js.group(1).split(",")
        embedded = len(words) == 1
        out.setdefault(message, {})[number.group(1)] = {
            "json": name, "omitempty": "omitempty" in opts,
            "pointer": words[-1].startswith("*"), "inline": embedded and not name}


def main(api: Path, machinery: Path) -> None:
    fields: dict[str, dict[str, dict[str, object]]] = {}
    for package in API_PACKAGES:
        for f in go_files(api, package):
            parse(git(api, "show", f"HEAD:{f}"), "k8s.io.api." + package.replace("/", "."),
                  fields)
    for package in MACHINERY_PACKAGES:
        for f in go_files(machinery, package):
            parse(git(machinery, "show", f"HEAD:{f}"),
                  "k8s.io.apimachinery." + package.replace("/", "."), fields)
    OUT.write_text(json.dumps({
        "source": {"generator": "hack/gofields.py",
                   "k8s.io/api": git(api, "rev-parse", "HEAD").strip(),
                   "k8s.io/apimachinery": git(machinery, "rev-parse", "HEAD").strip()},
        "fields": dict(sorted(fields.items()))}, sort_keys=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
