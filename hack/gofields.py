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
import sys
from pathlib import Path

from kubesource import API_GROUP_VERSIONS, PROTO, commit, listing, read

OUT = PROTO / "gofields.json"
MACHINERY_PACKAGES = ("pkg/api/resource", "pkg/apis/meta/v1", "pkg/runtime",
                      "pkg/util/intstr")

STRUCT = re.compile(r"^type (\w+) struct \{")
PROTOBUF_TAG = re.compile(r'protobuf:"\w+,(\d+),')
JSON_TAG = re.compile(r'json:"([^"]*)"')


def go_files(repo: Path, package: str) -> list[str]:
    return [n for n in listing(repo, package) if n.endswith(".go") and not n.endswith("_test.go")
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
    for repo, prefix, packages in ((api, "k8s.io.api.", API_GROUP_VERSIONS),
                                   (machinery, "k8s.io.apimachinery.", MACHINERY_PACKAGES)):
        for package in packages:
            for f in go_files(repo, package):
                parse(read(repo, f), prefix + package.replace("/", "."), fields)
    OUT.write_text(json.dumps({
        "source": {"generator": "hack/gofields.py",
                   "k8s.io/api": commit(api), "k8s.io/apimachinery": commit(machinery)},
        "fields": dict(sorted(fields.items()))}, sort_keys=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
