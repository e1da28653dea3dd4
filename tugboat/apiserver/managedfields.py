"""The field manager's step in the write pipeline: managedFields on the final object of a
create or update (api/fieldmanager computes them). The writer's manager gets the fields
it set, defaulting and admission included, as Kubernetes records them; a binding records
none. Server-side apply computes its own entries (patching.py) and skips this step."""

from __future__ import annotations

from typing import Any

from tugboat.api.fieldmanager import FieldManager, InvalidManagedFields, manager_name
from tugboat.apiserver import errors
from tugboat.apiserver.strategies import Strategy

Obj = dict[str, Any]


def manager(field_manager: str | None, user_agent: str | None) -> str:
    """The request's manager: fieldManager, else named from the user agent; a write from
    inside the server (no request) is "kube-apiserver"'s."""
    if field_manager or user_agent is not None:
        return manager_name(field_manager, user_agent)
    return "kube-apiserver"


def record(strat: Strategy, old: Obj | None, wire: Obj, manager: str) -> None:
    """Set (or drop) wire's managedFields for `manager`'s change from `old`."""
    if strat.subresource == "binding":
        return
    info = strat.info
    try:
        fields = FieldManager(info.kind, info.api_version, strat.subresource or "").update(
            old, wire, manager)
    except InvalidManagedFields as e:
        raise errors.invalid(info, wire["metadata"].get("name"), e.causes) from None
    if fields:
        wire["metadata"]["managedFields"] = fields
    else:
        wire["metadata"].pop("managedFields", None)
