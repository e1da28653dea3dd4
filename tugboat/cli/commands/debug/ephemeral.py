"""`tug debug POD --image=...`: an ephemeral container added to the running pod, as
kubectl adds it — a strategic merge patch on `pods/{name}/ephemeralcontainers`;
`--target` joins a container's process namespace."""

from __future__ import annotations

from tugboat.api.resources import lookup
from tugboat.cli.commands.debug.choices import Debugger, Obj, allow_process_tracing
from tugboat.cli.errors import CliError
from tugboat.cli.session import Session
from tugboat.client import ApiError

PODS = lookup("", "v1", "pods")


def add_ephemeral(session: Session, dbg: Debugger, pod: Obj) -> tuple[Obj, str]:
    """The pod with its new ephemeral container, and that container's name."""
    name = dbg.container_name(pod)
    ec = dbg.new_container(name)
    if dbg.target:
        ec["targetContainerName"] = dbg.target
    if dbg.profile == "general":
        allow_process_tracing(ec)
    meta = pod["metadata"]
    patch = {"spec": {"ephemeralContainers": [ec]}}
    try:
        result = session.client.patch(PODS, meta["name"], patch, meta["namespace"],
                                      patch_type="strategic",
                                      subresource="ephemeralcontainers")
    except ApiError as e:
        # A 404 without a name: the subresource itself is missing.
        details = e.status.details
        if e.code == 404 and (details is None or not details.name):
            raise CliError(f'ephemeral containers are disabled for this cluster (error '
                           f'from server: "{e.message}")') from None
        raise
    return result, name
