"""`tug create service clusterip|nodeport|loadbalancer|externalname` (and `svc`)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from tugboat.cli.commands.apply import VALIDATE
from tugboat.cli.commands.create.generating import (
    FIELD_MANAGER_OPTION,
    NAME,
    OUTPUT,
    SAVE_CONFIG,
    create_app,
    generate,
    name_and_command,
    string_slice,
)
from tugboat.cli.generators import services
from tugboat.cli.options import CONTEXT, DRY_RUN

service_app = typer.Typer(name="service", no_args_is_help=True, context_settings=CONTEXT,
                          rich_markup_mode=None,
                          help="Create a service using a specified subcommand.")
create_app.add_typer(service_app)
TCP = typer.Option(None, "--tcp", help="port[:targetPort] (repeatable, comma-separated).")


def _service_command(type_: str, doc: str) -> Callable[..., None]:
    def command(ctx: typer.Context, args: list[str] = NAME, tcp: list[str] = TCP,
                clusterip: str = typer.Option("", "--clusterip",
                                              help="An IP, or None for a headless service."),
                node_port: int = typer.Option(0, "--node-port",
                                              help="The port on every node (NodePort)."),
                external_name: str = typer.Option("", "--external-name",
                                                  help="The DNS name (ExternalName)."),
                dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                save_config: bool = SAVE_CONFIG,
                field_manager: str = FIELD_MANAGER_OPTION) -> None:
        name, _ = name_and_command(args)
        generate(ctx, lambda: services.service(name, type_, string_slice(tcp), clusterip,
                                               node_port, external_name),
                 dry_run, validate, output, field_manager,
                 f"failed to create {type_} service: ")
    command.__doc__ = doc
    return command


for _sub, _type, _doc in (("clusterip", "ClusterIP", "Create a ClusterIP service."),
                          ("nodeport", "NodePort", "Create a NodePort service."),
                          ("loadbalancer", "LoadBalancer", "Create a LoadBalancer service."),
                          ("externalname", "ExternalName", "Create an ExternalName service.")):
    service_app.command(_sub, context_settings=CONTEXT)(_service_command(_type, _doc))

create_app.add_typer(service_app, name="svc", hidden=True)
