"""`tug config view|current-context|use-context|get-contexts|set-cluster|set-credentials|
set-context|delete-context`: read and edit kubeconfig files as kubectl does (the files
are kubectl's format, so either tool can use them)."""

from __future__ import annotations

import copy
import sys
from typing import Any

import typer

from tugboat.cli import kubeconfig
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.printers.objects import dump_json, dump_yaml
from tugboat.cli.tabwriter import TabWriter

Obj = dict[str, Any]
config_app = typer.Typer(name="config", no_args_is_help=True, context_settings=CONTEXT,
                         help="Read and change kubeconfig files (~/.tug/config, $KUBECONFIG, "
                              "--kubeconfig).")


def _explicit(ctx: typer.Context) -> str | None:
    return session_of(ctx).options.kubeconfig


def _redact(doc: Obj) -> Obj:
    out = copy.deepcopy(doc)
    for u in out["users"]:
        for key in ("token", "password"):
            if (u.get("user") or {}).get(key):
                u["user"][key] = "REDACTED"
        for key in ("client-certificate-data", "client-key-data"):
            if (u.get("user") or {}).get(key):
                u["user"][key] = "DATA+OMITTED"
    for c in out["clusters"]:
        if (c.get("cluster") or {}).get("certificate-authority-data"):
            c["cluster"]["certificate-authority-data"] = "DATA+OMITTED"
    return out


def _minify(doc: Obj) -> Obj:
    current = doc.get("current-context")
    ctx = kubeconfig.entry(doc, "contexts", current or "")
    if ctx is None:
        raise CliError("current-context must exist in order to minify")
    inner = ctx.get("context") or {}
    doc["contexts"] = [ctx]
    doc["clusters"] = [e for e in doc["clusters"] if e.get("name") == inner.get("cluster")]
    doc["users"] = [e for e in doc["users"] if e.get("name") == inner.get("user")]
    return doc


@config_app.command("view", epilog=examples("""
    tug config view
    tug config view --minify --raw
"""))
def view(ctx: typer.Context,
         minify: bool = typer.Option(False, "--minify", help="Only the current context."),
         raw: bool = typer.Option(False, "--raw", help="Show tokens and certificate data."),
         output: str = typer.Option("yaml", "--output", "-o", help="yaml or json")) -> None:
    """Show the merged kubeconfig."""
    doc = kubeconfig.merged(_explicit(ctx))
    if minify:
        doc = _minify(doc)
    if not raw:
        doc = _redact(doc)
    ordered = {k: doc[k] for k in ("apiVersion", "clusters", "contexts", "current-context",
                                   "kind", "preferences", "users")}
    sys.stdout.write(dump_json(ordered) if output == "json" else dump_yaml(ordered))


@config_app.command("current-context", epilog=examples("tug config current-context"))
def current_context(ctx: typer.Context) -> None:
    """Print the current context's name."""
    name = kubeconfig.merged(_explicit(ctx)).get("current-context")
    if not name:
        raise CliError("current-context is not set")
    print(name)


@config_app.command("use-context", epilog=examples("tug config use-context tugboat"))
def use_context(ctx: typer.Context, name: str = typer.Argument(..., help="CONTEXT")) -> None:
    """Make a context the current one."""
    if kubeconfig.entry(kubeconfig.merged(_explicit(ctx)), "contexts", name) is None:
        raise CliError(f'no context exists with the name: "{name}"')
    kubeconfig.set_current(_explicit(ctx), name)
    print(f'Switched to context "{name}".')


@config_app.command("get-contexts", epilog=examples("tug config get-contexts"))
def get_contexts(ctx: typer.Context,
                 output: str = typer.Option(None, "--output", "-o", help="name")) -> None:
    """List the contexts."""
    doc = kubeconfig.merged(_explicit(ctx))
    if output == "name":
        for c in doc["contexts"]:
            print(c.get("name"))
        return
    tw = TabWriter(sys.stdout, 6, 3)
    tw.write("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n")
    for c in doc["contexts"]:
        inner = c.get("context") or {}
        mark = "*" if c.get("name") == doc.get("current-context") else ""
        tw.write(f"{mark}\t{c.get('name')}\t{inner.get('cluster', '')}\t{inner.get('user', '')}"
                 f"\t{inner.get('namespace', '')}\n")
    tw.flush()


@config_app.command("set-cluster", epilog=examples("""
    tug config set-cluster local --server=http://127.0.0.1:8080
"""))
def set_cluster(ctx: typer.Context, name: str = typer.Argument(..., help="CLUSTER"),
                server: str = typer.Option(None, "--server", help="The API server URL."),
                insecure: bool = typer.Option(None, "--insecure-skip-tls-verify/--verify-tls",
                                              help="Skip checking the server's certificate."),
                ca: str = typer.Option(None, "--certificate-authority",
                                       help="Path to a CA certificate file.")) -> None:
    """Set a cluster entry."""
    kubeconfig.upsert(_explicit(ctx), "clusters", name, {
        "server": server, "insecure-skip-tls-verify": insecure, "certificate-authority": ca})
    print(f'Cluster "{name}" set.')


@config_app.command("set-credentials", epilog=examples("""
    tug config set-credentials admin --token=secret
"""))
def set_credentials(ctx: typer.Context, name: str = typer.Argument(..., help="USER"),
                    token: str = typer.Option(None, "--token", help="A bearer token.")) -> None:
    """Set a user entry."""
    kubeconfig.upsert(_explicit(ctx), "users", name, {"token": token})
    print(f'User "{name}" set.')


@config_app.command("set-context", epilog=examples("""
    tug config set-context dev --cluster=local --user=admin --namespace=dev
    tug config set-context --current --namespace=kube-system
"""))
def set_context(ctx: typer.Context, name: str = typer.Argument(None, help="CONTEXT"),
                current: bool = typer.Option(False, "--current",
                                             help="Change the current context."),
                cluster: str = typer.Option(None, "--cluster", help="Its cluster."),
                user: str = typer.Option(None, "--user", help="Its user."),
                namespace: str = typer.Option(None, "--namespace", help="Its namespace.")
                ) -> None:
    """Set a context entry."""
    if current:
        name = kubeconfig.merged(_explicit(ctx)).get("current-context")
        if not name:
            raise CliError("no current context is set")
    if not name:
        raise CliError("you must specify a non-empty context name or --current")
    created = kubeconfig.upsert(_explicit(ctx), "contexts", name, {
        "cluster": cluster, "user": user, "namespace": namespace})
    print(f'Context "{name}" {"created" if created else "modified"}.')


@config_app.command("delete-context", epilog=examples("tug config delete-context dev"))
def delete_context(ctx: typer.Context, name: str = typer.Argument(..., help="CONTEXT")) -> None:
    """Delete a context entry."""
    path = kubeconfig.delete(_explicit(ctx), "contexts", name)
    print(f"deleted context {name} from {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, epilog=examples("""
        tug config view
        tug config use-context tugboat
        tug config set-context --current --namespace=dev
    """))
