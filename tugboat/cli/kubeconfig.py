"""Editing kubeconfig files for `tug config`, with kubectl's rules: the file is the
`--kubeconfig` one, else (for $KUBECONFIG's list) the file that already defines the entry,
else the first; reading merges every file, the first to name an entry winning.
Writes are atomic and private to the owner (0600). The client package reads these same
files (client.config.load_config) and `tug up` writes them (client.config.write_kubeconfig).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from tugboat.cli.errors import CliError
from tugboat.client.config import kubeconfig_paths

Obj = dict[str, Any]
SECTIONS = {"clusters": "cluster", "users": "user", "contexts": "context"}


def empty() -> Obj:
    return {"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [],
            "current-context": "", "preferences": {}, "users": []}


def load(path: Path) -> Obj:
    if not path.exists():
        return empty()
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise CliError(f"cannot read kubeconfig {path}: {e}") from None
    if not isinstance(doc, dict):
        raise CliError(f"kubeconfig {path} is not a mapping")
    base = empty()
    base.update(doc)
    for section in SECTIONS:
        base[section] = [e for e in base.get(section) or [] if isinstance(e, dict)]
    return base


def save(path: Path, doc: Obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    os.replace(tmp, path)


def paths(explicit: str | None) -> list[Path]:
    return kubeconfig_paths(explicit)


def file_for(explicit: str | None, section: str | None = None, name: str | None = None
             ) -> Path:
    """The file a change to `section`/`name` goes to."""
    candidates = paths(explicit)
    if section and name:
        for p in candidates:
            if any(e.get("name") == name for e in load(p).get(section) or []):
                return p
    if section is None:
        for p in candidates:
            if load(p).get("current-context"):
                return p
    return candidates[0]


def merged(explicit: str | None) -> Obj:
    out = empty()
    for p in paths(explicit):
        doc = load(p)
        if not out["current-context"] and doc.get("current-context"):
            out["current-context"] = doc["current-context"]
        for section in SECTIONS:
            seen = {e.get("name") for e in out[section]}
            out[section] += [e for e in doc[section] if e.get("name") not in seen]
    return out


def entry(doc: Obj, section: str, name: str) -> Obj | None:
    return next((e for e in doc[section] if e.get("name") == name), None)


def upsert(explicit: str | None, section: str, name: str, values: Obj) -> bool:
    """Set fields of a named entry (None values are left alone); True if it was created."""
    path = file_for(explicit, section, name)
    doc = load(path)
    found = entry(doc, section, name)
    created = found is None
    if found is None:
        found = {"name": name, SECTIONS[section]: {}}
        doc[section].append(found)
    inner = found.setdefault(SECTIONS[section], {}) or {}
    found[SECTIONS[section]] = inner
    inner.update({k: v for k, v in values.items() if v is not None})
    save(path, doc)
    return created


def set_current(explicit: str | None, name: str) -> None:
    path = file_for(explicit)
    doc = load(path)
    doc["current-context"] = name
    save(path, doc)


def delete(explicit: str | None, section: str, name: str) -> Path:
    path = file_for(explicit, section, name)
    doc = load(path)
    if entry(doc, section, name) is None:
        raise CliError(f"cannot delete {SECTIONS[section]} {name}, not in {path}")
    doc[section] = [e for e in doc[section] if e.get("name") != name]
    save(path, doc)
    return path
