"""`tug create namespace|serviceaccount|deployment|job`."""

from __future__ import annotations

import typer

from tugboat.api import resources
from tugboat.cli.commands.apply import VALIDATE
from tugboat.cli.commands.create.generating import (
    FIELD_MANAGER_OPTION,
    NAME,
    NAME_AND_COMMAND,
    OUTPUT,
    SAVE_CONFIG,
    create_app,
    generate,
    name_and_command,
    string_slice,
)
from tugboat.cli.errors import CliError
from tugboat.cli.generators import workloads
from tugboat.cli.options import CONTEXT, DRY_RUN, session_of


@create_app.command("namespace", context_settings=CONTEXT)
def create_namespace(ctx: typer.Context, args: list[str] = NAME, dry_run: str = DRY_RUN,
                     validate: str = VALIDATE, output: str = OUTPUT,
                     save_config: bool = SAVE_CONFIG,
                     field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a namespace with the specified name."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: workloads.namespace(name), dry_run, validate, output, field_manager)


@create_app.command("serviceaccount", context_settings=CONTEXT)
def create_service_account(ctx: typer.Context, args: list[str] = NAME, dry_run: str = DRY_RUN,
                           validate: str = VALIDATE, output: str = OUTPUT,
                           save_config: bool = SAVE_CONFIG,
                           field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a service account with the specified name."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: workloads.service_account(name), dry_run, validate, output,
             field_manager, "failed to create serviceaccount: ")


@create_app.command("deployment", context_settings=CONTEXT)
def create_deployment(ctx: typer.Context, args: list[str] = NAME_AND_COMMAND,
                      image: list[str] = typer.Option(None, "--image",
                                                      help="Image(s) to run (repeatable)."),
                      replicas: int = typer.Option(1, "--replicas", "-r",
                                                   help="Number of replicas."),
                      port: int = typer.Option(-1, "--port",
                                               help="The port the first container exposes."),
                      dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                      save_config: bool = SAVE_CONFIG,
                      field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a deployment with the specified name."""
    name, command = name_and_command(args)
    generate(ctx, lambda: workloads.deployment(name, string_slice(image), replicas, port, command),
             dry_run, validate, output, field_manager, "failed to create deployment: ")


@create_app.command("job", context_settings=CONTEXT)
def create_job(ctx: typer.Context, args: list[str] = NAME_AND_COMMAND,
               image: str = typer.Option(None, "--image", help="Image to run."),
               from_: str = typer.Option(None, "--from",
                                         help="cronjob/NAME to create the job from."),
               dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
               save_config: bool = SAVE_CONFIG,
               field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a job with the specified name."""
    name, command = name_and_command(args)
    if from_ and not image and not command:
        _refuse_source(ctx, from_)
    generate(ctx, lambda: workloads.job(name, image, command, from_), dry_run, validate,
             output, field_manager, "failed to create job: ")


def _refuse_source(ctx: typer.Context, source: str) -> None:
    """`--from` names a served type that is not a CronJob (CronJobs are not served):
    kubectl reads the object, then refuses its Go type."""
    kind, _, obj_name = source.partition("/")
    info = resources.resolve(kind) if obj_name else None
    if info is None:
        return  # the generator says the server lacks the type, as kubectl does
    session = session_of(ctx)
    session.client.get(info, obj_name, session.ns_for(info))
    raise CliError(f"unknown object type *{info.version}.{info.kind}")


