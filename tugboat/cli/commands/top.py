"""`tug top nodes|pods`: CPU and memory usage from the metrics.k8s.io/v1beta1 API, printed
as kubectl top prints it (millicores, mebibytes, and for nodes the share of allocatable)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from tugboat.api.quantity import cpu_millis, to_bytes
from tugboat.cli.errors import CliError
from tugboat.cli.options import ALL_NAMESPACES, CONTEXT, SELECTOR, examples, session_of
from tugboat.cli.session import Session
from tugboat.cli.tabwriter import TabWriter
from tugboat.client import NotFound

Obj = dict[str, Any]
METRICS = "/apis/metrics.k8s.io/v1beta1"
MI = 1024 * 1024

top_app = typer.Typer(name="top", help="Display resource (CPU/memory) usage.",
                      no_args_is_help=True, context_settings=CONTEXT)


def _metrics(session: Session, path: str, params: dict[str, Any]) -> list[Obj]:
    try:
        return session.request("GET", METRICS + path, params=params).get("items") or []
    except NotFound:
        raise CliError("Metrics API not available") from None


def _sort(items: list[tuple[Obj, int, int]], sort_by: str | None) -> list[tuple[Obj, int, int]]:
    if sort_by == "cpu":
        return sorted(items, key=lambda t: -t[1])
    if sort_by == "memory":
        return sorted(items, key=lambda t: -t[2])
    if sort_by:
        raise CliError(f"--sort-by accepts only cpu or memory, not {sort_by!r}")
    return items


def _write(rows: list[list[str]], no_headers: bool) -> None:
    tw = TabWriter(sys.stdout, 6, 3)
    for i, row in enumerate(rows):
        if i or not no_headers:
            tw.write("".join(f"{cell}\t" for cell in row) + "\n")
    tw.flush()


@top_app.command("node", epilog=examples("""
    tug top nodes
    tug top node my-host
"""))
def top_node(ctx: typer.Context, name: str = typer.Argument(None, help="A node."),
             selector: str = SELECTOR,
             sort_by: str = typer.Option(None, "--sort-by", help="cpu or memory."),
             no_headers: bool = typer.Option(False, "--no-headers")) -> None:
    """Display the CPU and memory usage of nodes."""
    session = session_of(ctx)
    params = {"labelSelector": selector} if selector else {}
    items = _metrics(session, "/nodes" + (f"/{name}" if name else ""), params) if not name \
        else [session.request("GET", f"{METRICS}/nodes/{name}")]
    nodes = {n["metadata"]["name"]: n for n in
             session.request("GET", "/api/v1/nodes").get("items") or []}
    usage = [(m, cpu_millis((m.get("usage") or {}).get("cpu", "0")),
              to_bytes((m.get("usage") or {}).get("memory", "0"))) for m in items]
    rows = [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    for m, cpu, mem in _sort(usage, sort_by):
        node_name = m["metadata"]["name"]
        alloc = ((nodes.get(node_name) or {}).get("status") or {}).get("allocatable") or {}
        cpu_total, mem_total = cpu_millis(alloc.get("cpu", "0")), to_bytes(alloc.get("memory", "0"))
        rows.append([node_name, f"{cpu}m", f"{cpu * 100 // cpu_total}%" if cpu_total else
                     "<unknown>", f"{mem // MI}Mi",
                     f"{mem * 100 // mem_total}%" if mem_total else "<unknown>"])
    for missing in sorted(set(nodes) - {m["metadata"]["name"] for m in items}):
        if not name and not selector:
            rows.append([missing] + ["<unknown>"] * 4)
    if len(rows) == 1:
        raise CliError("metrics not available yet")
    _write(rows, no_headers)


def _pod_usage(m: Obj) -> tuple[int, int]:
    cpu = sum(cpu_millis((c.get("usage") or {}).get("cpu", "0")) for c in m.get("containers") or [])
    mem = sum(to_bytes((c.get("usage") or {}).get("memory", "0")) for c in m.get("containers") or [])
    return cpu, mem


@top_app.command("pod", epilog=examples("""
    tug top pods
    tug top pods -A --sort-by=memory
    tug top pod web --containers
"""))
def top_pod(ctx: typer.Context, name: str = typer.Argument(None, help="A pod."),
            selector: str = SELECTOR, all_namespaces: bool = ALL_NAMESPACES,
            containers: bool = typer.Option(False, "--containers",
                                            help="One line per container."),
            sort_by: str = typer.Option(None, "--sort-by", help="cpu or memory."),
            no_headers: bool = typer.Option(False, "--no-headers")) -> None:
    """Display the CPU and memory usage of pods."""
    session = session_of(ctx)
    ns = None if all_namespaces else session.namespace
    base = f"/namespaces/{ns}/pods" if ns else "/pods"
    try:
        items = [session.request("GET", f"{METRICS}{base}/{name}")] if name else \
            _metrics(session, base, {"labelSelector": selector} if selector else {})
    except NotFound:
        raise CliError(f'podmetrics.metrics.k8s.io "{ns}/{name}" not found') from None
    if not items:
        where = f" in {ns} namespace." if ns else ""
        print(f"No resources found{where}", file=sys.stderr)
        return
    head = (["NAMESPACE"] if all_namespaces else []) + (["POD"] if containers else []) + \
        ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    rows = [head]
    for m, cpu, mem in _sort([(m, *_pod_usage(m)) for m in items], sort_by):
        prefix = [m["metadata"].get("namespace", "")] if all_namespaces else []
        if not containers:
            rows.append(prefix + [m["metadata"]["name"], f"{cpu}m", f"{mem // MI}Mi"])
            continue
        for c in m.get("containers") or []:
            usage = c.get("usage") or {}
            rows.append(prefix + [m["metadata"]["name"], c.get("name", ""),
                                  f"{cpu_millis(usage.get('cpu', '0'))}m",
                                  f"{to_bytes(usage.get('memory', '0')) // MI}Mi"])
    _write(rows, no_headers)


def register(app: typer.Typer) -> None:
    top_app.command("nodes", hidden=True)(top_node)
    top_app.command("pods", hidden=True)(top_pod)
    top_app.command("no", hidden=True)(top_node)
    top_app.command("po", hidden=True)(top_pod)
    app.add_typer(top_app, epilog=examples("""
        tug top nodes
        tug top pods -A
    """))

