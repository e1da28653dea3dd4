"""What a verb acts on, from kubectl's argument forms: `TYPE [NAME...]`,
`TYPE1,TYPE2 [NAME...]`, `TYPE/NAME...`, `all`, or the objects of `-f` files; and how
an object is named in output (`pod/web`, `deployment.apps/web`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tugboat.api import resources
from tugboat.api.resources import RESOURCES, ResourceInfo
from tugboat.cli.errors import CliError


@dataclass
class Selection:
    """One resource type and the names asked for (none: every object that matches)."""

    info: ResourceInfo
    names: list[str] = field(default_factory=list)


def display_kind(info: ResourceInfo) -> str:
    """`pod`, `deployment.apps`: the prefix of kubectl's `-o name` and its messages."""
    return info.kind.lower() + (f".{info.group}" if info.group else "")


def object_name(info: ResourceInfo, name: str) -> str:
    return f"{display_kind(info)}/{name}"


def kind_of(obj: dict[str, Any]) -> ResourceInfo | None:
    return resources.for_kind(obj.get("apiVersion") or "", obj.get("kind") or "")


def resolve_type(name: str) -> list[ResourceInfo]:
    """A user-typed type (`po`, `deploy`, `pods.metrics.k8s.io`, `all`) → its resources."""
    if name.lower() == "all":
        return [r for r in RESOURCES if "all" in r.categories]
    info = resources.resolve(name)
    if info is None:
        raise CliError(f'the server doesn\'t have a resource type "{name}"')
    return [info]


def parse(args: list[str], verb: str = "get") -> list[Selection]:
    """kubectl's resource arguments → selections, in the order given."""
    if not args:
        raise CliError(f"You must specify the type of resource to {verb}. Use \"tug "
                       f"api-resources\" for a complete list of supported resources.")
    if any("/" in a for a in args):
        return _slash_form(args)
    types: list[ResourceInfo] = []
    for t in args[0].split(","):
        if t:
            types.extend(resolve_type(t))
    names = args[1:]
    if names and len(types) > 1 and args[0].lower() == "all":
        raise CliError("you must specify only one resource type with names")
    seen: dict[tuple[str, str], Selection] = {}
    for info in types:
        seen.setdefault((info.group, info.resource), Selection(info, list(names)))
    return list(seen.values())


def _slash_form(args: list[str]) -> list[Selection]:
    if not all("/" in a for a in args):  # kubectl's builder (hasCombinedTypeArgs)
        raise CliError("there is no need to specify a resource type as a separate argument "
                       "when passing arguments in resource/name form (e.g. 'tug get "
                       "resource/<resource_name>' instead of 'tug get resource "
                       "resource/<resource_name>'")
    out: list[Selection] = []
    for arg in args:
        kind, sep, name = arg.partition("/")
        if not sep or not kind or not name or "/" in name:
            raise CliError("arguments in resource/name form must have a single resource "
                           "and name")
        infos = resolve_type(kind)
        if len(infos) != 1:
            raise CliError("arguments in resource/name form must have a single resource "
                           "and name")
        info = infos[0]
        if out and out[-1].info == info:
            out[-1].names.append(name)
        else:
            out.append(Selection(info, [name]))
    return out


def single(args: list[str], verb: str) -> tuple[ResourceInfo, str]:
    """Exactly one object: `TYPE NAME` or `TYPE/NAME`."""
    sels = parse(args, verb)
    if len(sels) != 1 or len(sels[0].names) != 1:
        raise CliError(f"{verb} needs exactly one resource: TYPE NAME or TYPE/NAME")
    return sels[0].info, sels[0].names[0]


def complete_resource(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Shell completion for `TYPE [NAME...]`: resource types first, then the names of that
    type's objects (asked of the server, quietly giving up if it does not answer)."""
    given = [a for a in (ctx.params.get("args") or ctx.params.get("ref") or []) if a]
    if not given and "/" not in incomplete:
        names = {n for r in RESOURCES for n in (r.resource, *r.short_names)}
        return sorted(n for n in names if n.startswith(incomplete))
    try:
        return _complete_names(ctx, given[0] if given else incomplete.split("/")[0], incomplete)
    except Exception:  # completion must never fail loudly
        return []


def complete_type(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Shell completion for a resource type alone (`explain`)."""
    names = {n for r in RESOURCES for n in (r.resource, *r.short_names)}
    return sorted(n for n in names if n.startswith(incomplete))


def complete_pod(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Shell completion for the pod a verb works in (exec, logs, attach, debug): pod names
    for its first word, nothing after (a command's words are the user's)."""
    given = ctx.params.get("args")
    if isinstance(given, list) and [a for a in given if a]:
        return []
    try:
        return _complete_names(ctx, "pods", incomplete)
    except Exception:  # completion must never fail loudly
        return []


def complete_type_name(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Shell completion for one TYPE/NAME word (`events --for`): types, then names."""
    if "/" not in incomplete:
        return [n + "/" for n in complete_type(ctx, args, incomplete)]
    try:
        return _complete_names(ctx, incomplete.split("/")[0], incomplete)
    except Exception:  # completion must never fail loudly
        return []


def _complete_names(ctx: Any, kind: str, incomplete: str) -> list[str]:
    from tugboat.cli.session import GlobalOptions, Session

    info = resolve_type(kind)[0]
    root = ctx.find_root().params
    server = root.get("server")
    if server and "://" not in server:
        server = "http://" + server
    session = Session(GlobalOptions(root.get("kubeconfig"), root.get("context"),
                                    server, root.get("token"),
                                    root.get("namespace"), 2.0))
    reply = session.request("GET", info.path(session.ns_for(info)), params={"limit": 500})
    prefix = f"{kind}/" if "/" in incomplete else ""
    names = [prefix + (o.get("metadata") or {}).get("name", "") for o in reply.get("items") or []]
    return [n for n in names if n.startswith(incomplete)]
