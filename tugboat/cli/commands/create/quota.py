"""`tug create quota NAME --hard=pods=2,cpu=1 --scopes=BestEffort` (and `resourcequota`),
as kubectl's."""

from __future__ import annotations

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
)
from tugboat.cli.generators import quota
from tugboat.cli.options import CONTEXT, DRY_RUN


@create_app.command("quota", context_settings=CONTEXT)
def create_quota(ctx: typer.Context, args: list[str] = NAME,
                 hard: str = typer.Option("", "--hard", help="A comma-delimited set of "
                                          "resource=quantity pairs that define a hard limit."),
                 scopes: str = typer.Option("", "--scopes", help="A comma-delimited set of "
                                            "quota scopes that must all match each object "
                                            "tracked by the quota."),
                 dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                 save_config: bool = SAVE_CONFIG,
                 field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a quota with the specified name, hard limits, and optional scopes."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: quota.resource_quota(name, hard, scopes), dry_run, validate, output,
             field_manager, "failed to create quota: ")


create_app.command("resourcequota", hidden=True, context_settings=CONTEXT)(create_quota)
