"""Static pods (S5): Pod manifests in `--manifests-dir`, run by this kubelet alone — with or
without an API server. The folder is read every `file_check_frequency`; each file holds
one Pod (YAML or JSON). As in Kubernetes, the pod is named `<name>-<node>`, lands in
`default` unless it names a namespace, and its uid is a hash of the node and the file's
content, so editing a manifest replaces the pod and an unchanged one keeps its containers
across kubelet restarts."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import yaml

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.kubelet.podmanager import HASH_ANNOTATION, SOURCE_ANNOTATION, SOURCE_FILE

log = logging.getLogger(__name__)
SUFFIXES = (".yaml", ".yml", ".json")


def static_pod(doc: dict, node: str, origin: str, content: bytes) -> Pod:
    pod = Pod.model_validate(doc)
    meta = pod.metadata
    if not meta.name or not pod.spec.containers:
        raise ValueError("a static pod needs metadata.name and at least one container")
    uid = hashlib.md5(node.encode() + b"\0" + origin.encode() + b"\0" + content,
                      usedforsecurity=False).hexdigest()
    meta.name = f"{meta.name}-{node}"
    meta.namespace = meta.namespace or "default"
    meta.uid = uid
    meta.annotations = {**(meta.annotations or {}), HASH_ANNOTATION: uid,
                        SOURCE_ANNOTATION: SOURCE_FILE}
    pod.spec.nodeName = node
    apply_defaults(pod)
    pod.status.phase = "Pending"
    return pod


def read_manifests(folder: Path, node: str) -> list[Pod]:
    """Every valid pod manifest in `folder`; a bad file is logged and skipped."""
    pods = []
    if not folder.is_dir():
        return pods
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix not in SUFFIXES or not path.is_file():
            continue
        try:
            content = path.read_bytes()
            docs = [d for d in yaml.safe_load_all(content) if d]
            for i, doc in enumerate(docs):
                if doc.get("kind", "Pod") != "Pod":
                    raise ValueError(f"kind {doc.get('kind')!r} is not Pod")
                pods.append(static_pod(doc, node, f"{path}#{i}", content))
        except (OSError, ValueError, yaml.YAMLError) as e:
            log.warning("static pod manifest %s skipped: %s", path, e)
    return pods


async def watch_manifests(folder: Path, node: str, apply: Callable[[list[Pod]], None],
                          period: float) -> None:
    """Read the folder now and every `period`, handing each full set to `apply`."""
    while True:
        try:
            apply(await asyncio.to_thread(read_manifests, folder, node))
        except Exception:
            log.exception("reading static pods from %s failed", folder)
        await asyncio.sleep(period)
