"""`tug create namespace|serviceaccount|deployment|job|cronjob`."""

from __future__ import annotations

from typing import Any

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
    source = _source(ctx, from_) if from_ and not image and not command else None
    generate(ctx, lambda: workloads.job(name, image, command, from_, source), dry_run,
             validate, output, field_manager, "failed to create job: ")


@create_app.command("cronjob", context_settings=CONTEXT)
def create_cron_job(ctx: typer.Context, args: list[str] = NAME_AND_COMMAND,
                    image: str = typer.Option(None, "--image", help="Image name to run."),
                    schedule: str = typer.Option(None, "--schedule",
                                                 help="A schedule in the Cron format the job "
                                                      "should be run with."),
                    restart: str = typer.Option("OnFailure", "--restart",
                                                help="job's restart policy. supported values: "
                                                     "OnFailure, Never"),
                    dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                    save_config: bool = SAVE_CONFIG,
                    field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a cron job with the specified name."""
    name, command = name_and_command(args)
    generate(ctx, lambda: workloads.cron_job(name, image, schedule, restart, command),
             dry_run, validate, output, field_manager, "failed to create cronjob: ")


def _source(ctx: typer.Context, source: str) -> dict[str, Any] | None:
    """`--from`: kubectl reads the named object (even for a client-side dry run) and
    refuses any Go type but a CronJob. None when the server lacks the type."""
    kind, _, obj_name = source.partition("/")
    info = resources.resolve(kind) if obj_name else None
    if info is None:
        return None  # the generator says the server lacks the type, as kubectl does
    session = session_of(ctx)
    obj = session.client.get(info, obj_name, session.ns_for(info))
    if (info.group, info.kind) != ("batch", "CronJob"):
        raise CliError(f"unknown object type *{info.version}.{info.kind}")
    return dict(obj)
