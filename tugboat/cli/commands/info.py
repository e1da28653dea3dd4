"""What the cluster is: `tug api-resources` (from the server's discovery documents),
`tug cluster-info` (where the control plane answers) and `tug version`."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import typer

from tugboat.cli.errors import CliError, error_line
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.printers.objects import dump_json, dump_yaml
from tugboat.cli.session import Session
from tugboat.cli.tabwriter import TabWriter

Obj = dict[str, Any]


def client_version() -> Obj:
    try:
        v = version("tugboat")
    except PackageNotFoundError:
        v = "0.0.0"
    return {"gitVersion": f"v{v}-tug", "major": v.split(".")[0], "minor": v.split(".")[1]}


def discover(session: Session) -> list[tuple[str, Obj]]:
    """(group/version, APIResource) for every served resource, subresources left out."""
    out: list[tuple[str, Obj]] = []
    for gv in session.request("GET", "/api").get("versions") or ["v1"]:
        for r in session.request("GET", f"/api/{gv}").get("resources") or []:
            out.append((gv, r))
    for group in session.request("GET", "/apis").get("groups") or []:
        gv = (group.get("preferredVersion") or group["versions"][0])["groupVersion"]
        for r in session.request("GET", f"/apis/{gv}").get("resources") or []:
            out.append((gv, r))
    return [(gv, r) for gv, r in out if "/" not in r.get("name", "")]


def api_resources(ctx: typer.Context,
                  output: str = typer.Option(None, "--output", "-o", help="wide or name"),
                  namespaced: str = typer.Option(None, "--namespaced",
                                                 help="true: only namespaced; false: only "
                                                      "cluster-scoped."),
                  api_group: str = typer.Option(None, "--api-group",
                                                help="Only this group ('' for core)."),
                  no_headers: bool = typer.Option(False, "--no-headers")) -> None:
    """List the resource types the server serves."""
    session = session_of(ctx)
    if output not in (None, "wide", "name"):
        raise CliError(f"--output {output} is not available")
    rows = []
    for gv, r in discover(session):
        group = gv.split("/")[0] if "/" in gv else ""
        if api_group is not None and group != api_group:
            continue
        if namespaced is not None and str(bool(r.get("namespaced"))).lower() != namespaced.lower():
            continue
        rows.append((group, r.get("name", ""), gv, r))
    rows.sort(key=lambda t: (t[0] != "", t[0], t[1]))
    if output == "name":
        for group, name, _, _ in rows:
            print(f"{name}.{group}" if group else name)
        return
    tw = TabWriter(sys.stdout, 6, 3)
    head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if output == "wide":
        head += ["VERBS", "CATEGORIES"]
    if not no_headers:
        tw.write("\t".join(head) + "\n")
    for _, name, gv, r in rows:
        cells = [name, ",".join(r.get("shortNames") or []), gv,
                 str(bool(r.get("namespaced"))).lower(), r.get("kind", "")]
        if output == "wide":
            cells += [",".join(r.get("verbs") or []), ",".join(r.get("categories") or [])]
        tw.write("\t".join(cells) + "\n")
    tw.flush()


def cluster_info(ctx: typer.Context) -> None:
    """Show where the control plane answers."""
    session = session_of(ctx)
    session.request("GET", "/version")
    print(f"Kubernetes control plane is running at {session.server}")
    print()
    print("To see what runs there, use 'tug get nodes' and 'tug get pods -A'.")


def version_(ctx: typer.Context,
             client: bool = typer.Option(False, "--client", help="Only the client's version."),
             output: str = typer.Option(None, "--output", "-o", help="yaml or json")) -> None:
    """Print the client and server versions."""
    session = session_of(ctx)
    info: Obj = {"clientVersion": client_version()}
    failure = None
    if not client:
        try:
            info["serverVersion"] = session.request("GET", "/version")
        except Exception as e:  # the client's version is still worth printing
            failure = e
    if output == "json":
        sys.stdout.write(dump_json(info))
    elif output == "yaml":
        sys.stdout.write(dump_yaml(info))
    elif output:
        raise CliError("--output must be 'yaml' or 'json'")
    else:
        print(f"Client Version: {info['clientVersion']['gitVersion']}")
        if "serverVersion" in info:
            print(f"Server Version: {info['serverVersion'].get('gitVersion')}")
    if failure is not None:
        raise CliError(error_line(failure), raw=True)


def register(app: typer.Typer) -> None:
    app.command("api-resources", epilog=examples("""
        tug api-resources
        tug api-resources --namespaced=false -o wide
        tug api-resources --api-group=apps -o name
    """), context_settings=CONTEXT)(api_resources)
    app.command("cluster-info", epilog=examples("tug cluster-info"),
                context_settings=CONTEXT)(cluster_info)
    app.command("version", epilog=examples("""
        tug version
        tug version --client -o json
    """), context_settings=CONTEXT)(version_)
