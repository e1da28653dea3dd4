"""Generates tugboat/api/proto/messages.json and descriptions.json from Kubernetes' published
protobuf definitions: the `generated.proto` files of k8s.io/api and k8s.io/apimachinery
(go-to-protobuf's output, the wire format every Kubernetes client speaks).

The field numbers are a published interface, so Tugboat keeps them as data generated once
from the source rather than typed by hand; the Go doc comments in the same files are the
texts Kubernetes serves as OpenAPI descriptions (what `kubectl explain` prints), so they are
kept too. Run it again only to pick up fields of a newer Kubernetes:

    python hack/protogen.py /path/to/kubernetes/api /path/to/kubernetes/apimachinery

Each path is a checkout or a bare git directory (read at HEAD). The output records both
commits under "source"."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from kubesource import API_GROUP_VERSIONS, PROTO, commit, read

OUT = PROTO

API_FILES = [f"{gv}/generated.proto" for gv in API_GROUP_VERSIONS]
# the apimachinery packages the API groups use
MACHINERY_FILES = [f"pkg/{p}/generated.proto" for p in (
    "api/resource", "apis/meta/v1", "runtime", "runtime/schema", "util/intstr")]

FIELD = re.compile(r"^\s*(optional|repeated)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)"
                   r"\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;")
SCALARS = {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "sint32",
           "sint64", "fixed32", "fixed64", "double", "float"}


def describe(comment: list[str]) -> tuple[str, list[str]]:
    """A Go doc comment as OpenAPI text: marker lines (`+k8s:...`, `+optional`) set apart,
    lines of a paragraph joined by spaces, paragraphs by a blank line, and the part after a
    `---` line dropped (Kubernetes' generators stop there too)."""
    markers, paragraphs, cur = [], [], []
    for line in comment:
        text = line.strip()
        if text.startswith("+"):
            markers.append(text)
            continue
        if text == "---":
            break
        if not text:
            if cur:
                paragraphs.append(" ".join(cur))
                cur = []
            continue
        if text.startswith(("TODO", "* ", "- ")) and cur:
            paragraphs.append(" ".join(cur))
            cur = []
        if not text.startswith("TODO"):
            cur.append(text)
    if cur:
        paragraphs.append(" ".join(cur))
    return "\n\n".join(paragraphs), markers


def parse(text: str, messages: dict, docs: dict) -> None:
    package = re.search(r"^package\s+([\w.]+);", text, re.M).group(1)  # type: ignore[union-attr]
    comment: list[str] = []
    stack: list[str] = []
    pending: list[tuple[str, dict]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("//"):
            comment.append(line[2:].removeprefix(" "))
            continue
        m = re.match(r"^message\s+(\w+)\s*\{", line)
        if m:
            name = ".".join([package, *stack, m.group(1)])
            stack.append(m.group(1))
            doc, markers = describe(comment)
            messages[name] = {"fields": []}
            if markers:
                messages[name]["markers"] = markers
            docs[name] = {"": doc}
            comment = []
            continue
        if line == "}" and stack:
            stack.pop()
            comment = []
            continue
        m = FIELD.match(line)
        if m and stack:
            label, typ, key, value, name, number = m.group(1, 2, 3, 4, 5, 6)
            owner = ".".join([package, *stack])
            field: dict = {"number": int(number), "name": name,
                           "label": label or "optional"}
            if key:
                field.update(type="map", key=key, value=value)
                pending.append((owner, field))
            else:
                field["type"] = typ
                pending.append((owner, field))
            messages[owner]["fields"].append(field)
            doc, markers = describe(comment)
            if doc:
                docs[owner][name] = doc
            # +listType, +listMapKey, +mapType, +patchStrategy...: the field's merge rules
            # (OpenAPI's x-kubernetes-list-type and friends come from them).
            wanted = [m for m in markers if m.startswith(("+listType", "+listMapKey",
                                                          "+mapType", "+structType",
                                                          "+patchStrategy", "+patchMergeKey"))]
            if wanted:
                field["markers"] = wanted
            comment = []
            continue
        if not line:
            continue
        comment = []
    for owner, field in pending:
        for slot in ("type", "value"):
            if slot in field and field[slot] != "map":
                field[slot] = resolve(field[slot], owner, package, messages)


def resolve(typ: str, owner: str, package: str, messages: dict) -> str:
    if typ in SCALARS:
        return typ
    if typ.startswith("."):
        return typ[1:]
    scope = owner.split(".")
    while scope:  # protobuf's scoping: innermost enclosing scope first
        candidate = ".".join([*scope, typ])
        if candidate in messages or len(scope) <= len(package.split(".")):
            return candidate
        scope.pop()
    return f"{package}.{typ}"


def main(api: Path, machinery: Path) -> None:
    messages: dict = {}
    docs: dict = {}
    for path in MACHINERY_FILES:
        parse(read(machinery, path), messages, docs)
    for path in API_FILES:
        parse(read(api, path), messages, docs)
    source = {"k8s.io/api": commit(api), "k8s.io/apimachinery": commit(machinery),
              "files": {"k8s.io/api": API_FILES, "k8s.io/apimachinery": MACHINERY_FILES},
              "generator": "hack/protogen.py"}
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "messages.json", "w") as f:
        json.dump({"source": source, "messages": messages}, f, indent=None,
                  separators=(",", ":"), sort_keys=True)
        f.write("\n")
    with open(OUT / "descriptions.json", "w") as f:
        json.dump({"source": source, "descriptions": docs}, f, indent=None,
                  separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"{len(messages)} messages from {len(API_FILES) + len(MACHINERY_FILES)} files")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
