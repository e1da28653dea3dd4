"""The `tug` Typer application: the global flags (as kubectl's: --kubeconfig, --context,
-s/--server, --token, -n/--namespace, --request-timeout) and every verb, each registered
by its own module under `commands/` (and `up/`)."""

from __future__ import annotations

import typer

from tugboat.api.durations import DurationError, parse_duration
from tugboat.cli import commands, up
from tugboat.cli.commands import down
from tugboat.cli.helpgroups import KubectlGroups
from tugboat.cli.options import CONTEXT
from tugboat.cli.session import GlobalOptions, Session

HELP = """tug controls a Tugboat (Kubernetes) cluster, as kubectl does.

Start a local cluster with `tug up`, then try `tug apply -f examples/pod.yaml` and
`tug get pods`. Global flags (-n, --server, --kubeconfig, --context, --token) may go
anywhere on the line."""


def _timeout(value: str | None) -> float | None:
    if not value or value == "0":
        return None
    try:
        return parse_duration(value if not value.isdigit() else value + "s")
    except DurationError as e:
        raise typer.BadParameter(str(e)) from None


def build_app() -> typer.Typer:
    app = typer.Typer(name="tug", help=HELP, cls=KubectlGroups, no_args_is_help=True,
                      context_settings=CONTEXT,
                      pretty_exceptions_enable=False, rich_markup_mode=None,
                      add_completion=True)

    @app.callback()
    def root(ctx: typer.Context,
             kubeconfig: str = typer.Option(None, "--kubeconfig", envvar=None,
                                            help="Path to the kubeconfig file to use "
                                                 "(default $KUBECONFIG, then ~/.tug/config)."),
             context: str = typer.Option(None, "--context",
                                         help="The kubeconfig context to use."),
             server: str = typer.Option(None, "--server", "-s",
                                        help="The API server's address (overrides "
                                             "TUG_SERVER and the kubeconfig)."),
             token: str = typer.Option(None, "--token", help="Bearer token for the server."),
             namespace: str = typer.Option(None, "--namespace", "-n",
                                           help="The namespace for this request."),
             request_timeout: str = typer.Option(None, "--request-timeout",
                                                 help="How long to wait for one request "
                                                      "(e.g. 10s); 0 means the default.")
             ) -> None:
        if server and "://" not in server:
            server = "http://" + server
        ctx.obj = Session(GlobalOptions(kubeconfig, context, server, token, namespace,
                                        _timeout(request_timeout)))

    commands.register(app)
    up.register(app)
    down.register(app)
    return app
