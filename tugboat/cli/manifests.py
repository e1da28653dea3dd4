"""Objects from `-f FILE|DIR|-`: multi-document YAML or JSON, `kind: List` unpacked, each
object remembering the file it came from (kubectl's messages name it).

A syntax error names the file and the line, as kubectl does: `error parsing pod.yaml:
error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this
context`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tugboat.api import resources
from tugboat.api.resources import ResourceInfo
from tugboat.cli.errors import CliError

EXTENSIONS = (".yaml", ".yml", ".json")
STDIN = "STDIN"


@dataclass
class Manifest:
    obj: dict[str, Any]
    source: str  # the file name, or STDIN

    @property
    def name(self) -> str:
        return (self.obj.get("metadata") or {}).get("name") or ""

    @property
    def namespace(self) -> str | None:
        return (self.obj.get("metadata") or {}).get("namespace") or None

    def info(self) -> ResourceInfo:
        """The resource this object's apiVersion and kind name."""
        api_version, kind = self.obj.get("apiVersion"), self.obj.get("kind")
        info = resources.for_kind(api_version or "", kind or "")
        if info is None:
            raise CliError(f'resource mapping not found for name: "{self.name}" namespace: '
                           f'"{self.namespace or ""}" from "{self.source}": no matches for '
                           f'kind "{kind}" in version "{api_version}"')
        return info


def _files(path: str, recursive: bool) -> list[Path]:
    p = Path(path)
    if not p.exists():
        raise CliError(f'the path "{path}" does not exist')
    if p.is_file():
        return [p]
    pattern = "**/*" if recursive else "*"
    return sorted(f for f in p.glob(pattern) if f.is_file() and f.suffix in EXTENSIONS)


def parse_documents(text: str, source: str) -> list[Manifest]:
    """Every object in a YAML/JSON stream; empty documents are skipped."""
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = e.problem or e.context or "invalid YAML"
        raise CliError(f"error parsing {source}: error converting YAML to JSON: yaml: "
                       f"{where}{problem}") from None
    except yaml.YAMLError as e:
        raise CliError(f"error parsing {source}: {e}") from None
    out: list[Manifest] = []
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise CliError(f"error parsing {source}: error unmarshaling JSON: the document is "
                           f"a {type(doc).__name__}, not an object")
        out.extend(_unpack(doc, source))
    return out


def _unpack(doc: dict[str, Any], source: str) -> list[Manifest]:
    if not doc.get("apiVersion") or not doc.get("kind"):
        missing = [f for f in ("apiVersion", "kind") if not doc.get(f)]
        raise CliError(f'error validating "{source}": error validating data: '
                       f'[{", ".join(m + " not set" for m in missing)}]; if you choose to '
                       f"ignore these errors, turn validation off with --validate=false")
    if doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
        items: list[Manifest] = []
        for item in doc["items"]:
            if isinstance(item, dict):
                items.extend(_unpack(item, source))
        return items
    return [Manifest(doc, source)]


def load(paths: list[str], recursive: bool = False, *, verb: str = "apply") -> list[Manifest]:
    """The objects of every -f argument, in order; none at all is an error."""
    out: list[Manifest] = []
    for path in paths:
        if path == "-":
            out.extend(parse_documents(sys.stdin.read(), STDIN))
            continue
        for f in _files(path, recursive):
            try:
                text = f.read_text()
            except (OSError, UnicodeDecodeError) as e:
                raise CliError(f"error reading {f}: {e}") from None
            out.extend(parse_documents(text, str(f)))
    if not out:
        raise CliError(f"no objects passed to {verb}")
    return out
