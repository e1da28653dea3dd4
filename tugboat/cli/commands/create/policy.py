"""`tug create poddisruptionbudget NAME --selector=... --min-available=N|--max-unavailable=N`
(alias `pdb`) and `tug create priorityclass NAME --value=N` (alias `pc`), as kubectl's."""

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
from tugboat.cli.generators import policy
from tugboat.cli.options import CONTEXT, DRY_RUN


@create_app.command("poddisruptionbudget", context_settings=CONTEXT)
def create_pdb(ctx: typer.Context, args: list[str] = NAME,
               selector: str = typer.Option("", "--selector",
                                            help="A label selector to use for this budget."),
               min_available: str = typer.Option(
                   "", "--min-available", help="The minimum number or percentage of "
                   "available pods this budget requires."),
               max_unavailable: str = typer.Option(
                   "", "--max-unavailable", help="The maximum number or percentage of "
                   "unavailable pods this budget requires."),
               dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
               save_config: bool = SAVE_CONFIG,
               field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a pod disruption budget with the specified name, selector, and desired minimum
    available pods."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: policy.pod_disruption_budget(name, selector, min_available,
                                                       max_unavailable),
             dry_run, validate, output, field_manager,
             "failed to create poddisruptionbudgets: ")


@create_app.command("priorityclass", context_settings=CONTEXT)
def create_priority_class(
        ctx: typer.Context, args: list[str] = NAME,
        value: int = typer.Option(0, "--value", help="The value of this priority class."),
        description: str = typer.Option("", "--description",
                                        help="A description of this priority class."),
        global_default: bool = typer.Option(False, "--global-default",
                                            help="Whether this is the global default."),
        preemption_policy: str = typer.Option(
            "PreemptLowerPriority", "--preemption-policy",
            help="The policy for preempting pods with lower priority."),
        dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
        save_config: bool = SAVE_CONFIG, field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a priority class with the specified name, value, globalDefault and
    description."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: policy.priority_class(name, value, description, global_default,
                                                preemption_policy),
             dry_run, validate, output, field_manager, "failed to create priorityclass: ")


create_app.command("pdb", hidden=True, context_settings=CONTEXT)(create_pdb)
create_app.command("pc", hidden=True, context_settings=CONTEXT)(create_priority_class)
