"""`tug debug POD --copy-to=NAME`: a copy of the pod with a debug container added or
changed, other images (`--set-image`), process namespace sharing; the "general" profile
strips what would make the copy join Services or controllers."""

from __future__ import annotations

import copy

from tugboat.api.resources import lookup
from tugboat.cli.commands.debug.choices import (
    Debugger,
    Obj,
    all_containers,
    allow_process_tracing,
)
from tugboat.cli.errors import CliError
from tugboat.cli.session import Session

PODS = lookup("", "v1", "pods")


def copy_pod(session: Session, dbg: Debugger, pod: Obj) -> tuple[Obj, str]:
    """The created copy and the debug container's name ("" when only images changed)."""
    meta = pod["metadata"]
    copied: Obj = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": dbg.copy_to, "namespace": meta["namespace"]},
                   "spec": copy.deepcopy(pod.get("spec") or {})}
    for key in ("labels", "annotations"):
        if meta.get(key):
            copied["metadata"][key] = dict(meta[key])
    spec = copied["spec"]
    spec.pop("ephemeralContainers", None)
    if dbg.share_processes is not None:
        spec["shareProcessNamespace"] = dbg.share_processes
    if not dbg.same_node:
        spec.pop("nodeName", None)
    for c in spec.get("containers") or []:
        image = dbg.set_images.get(c["name"], dbg.set_images.get("*"))
        if image:
            c["image"] = image
    name = _copy_container(dbg, copied)
    if dbg.profile == "general":
        _general_copy(dbg, copied, name)
    created = session.client.create(PODS, copied, meta["namespace"])
    if dbg.replace:
        session.client.delete(PODS, meta["name"], meta["namespace"], grace_period_seconds=0)
    return created, name


def _copy_container(dbg: Debugger, copied: Obj) -> str:
    spec = copied["spec"]
    by_name = {c["name"]: c for c in all_containers(copied)}
    c = by_name.get(dbg.container)
    if c is None:
        if not dbg.image:
            if dbg.set_images:
                return ""  # only images changed: nothing to attach to
            raise CliError("you must specify image when creating new container")
        name = dbg.container or dbg.container_name(copied)
        c = {"name": name, "terminationMessagePolicy": "File"}
        spec.setdefault("containers", []).append(c)
    if dbg.command:
        if dbg.arguments_only:
            c["args"] = dbg.command
        else:
            c["command"] = dbg.command
            c.pop("args", None)
    if dbg.env:
        c["env"] = dbg.env
    if dbg.image:
        c["image"] = dbg.image
    if dbg.pull_policy:
        c["imagePullPolicy"] = dbg.pull_policy
    c["stdin"], c["tty"] = dbg.stdin, dbg.tty
    return str(c["name"])


def _general_copy(dbg: Debugger, copied: Obj, name: str) -> None:
    """The general profile on a copy: no labels (so no Service or controller picks the
    copy up), no annotations, no probes, no init containers unless kept; the debug
    container may trace the others, which share its process namespace."""
    meta, spec = copied["metadata"], copied["spec"]
    if not dbg.keep["labels"]:
        meta.pop("labels", None)
    if not dbg.keep["annotations"]:
        meta.pop("annotations", None)
    for c in spec.get("containers") or []:
        for probe in ("liveness", "readiness", "startup"):
            if not dbg.keep[probe]:
                c.pop(f"{probe}Probe", None)
    if not dbg.keep["init-containers"]:
        spec.pop("initContainers", None)
    for c in spec.get("containers") or []:
        if c["name"] == name:
            allow_process_tracing(c)
    spec["shareProcessNamespace"] = True
