"""`tug create role|clusterrole|rolebinding|clusterrolebinding`."""

from __future__ import annotations

import sys

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
from tugboat.cli.generators import rbac
from tugboat.cli.options import CONTEXT, DRY_RUN

VERB = typer.Option(None, "--verb", help="Verb(s) the rule allows (repeatable, comma-separated).")
RESOURCE = typer.Option(None, "--resource",
                        help="resource[.group][/subresource] the rule applies to.")
RESOURCE_NAME = typer.Option(None, "--resource-name", help="Object names the rule allows.")


def _warn_verbs(verbs: list[str], non_resource_urls: list[str]) -> None:
    for verb in rbac.nonstandard_verbs(verbs, non_resource_urls):
        print(f"Warning: '{verb}' is not a standard resource verb", file=sys.stderr)


@create_app.command("role", context_settings=CONTEXT)
def create_role(ctx: typer.Context, args: list[str] = NAME, verb: list[str] = VERB,
                resource: list[str] = RESOURCE, resource_name: list[str] = RESOURCE_NAME,
                dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                save_config: bool = SAVE_CONFIG,
                field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a role with single rule."""
    name, _ = name_and_command(args)
    _warn_verbs(string_slice(verb), [])
    generate(ctx, lambda: rbac.role(name, string_slice(verb), string_slice(resource),
                                    string_slice(resource_name)),
             dry_run, validate, output, field_manager)


@create_app.command("clusterrole", context_settings=CONTEXT)
def create_cluster_role(ctx: typer.Context, args: list[str] = NAME, verb: list[str] = VERB,
                        resource: list[str] = RESOURCE,
                        resource_name: list[str] = RESOURCE_NAME,
                        non_resource_url: list[str] = typer.Option(
                            None, "--non-resource-url", help="Non-resource URL(s) allowed."),
                        aggregation_rule: str = typer.Option(
                            "", "--aggregation-rule",
                            help="key=value labels of the cluster roles to aggregate."),
                        dry_run: str = DRY_RUN, validate: str = VALIDATE,
                        output: str = OUTPUT,
                        save_config: bool = SAVE_CONFIG,
                        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a cluster role."""
    name, _ = name_and_command(args)
    _warn_verbs(string_slice(verb), string_slice(non_resource_url))
    generate(ctx, lambda: rbac.cluster_role(name, string_slice(verb), string_slice(resource),
                                            string_slice(resource_name), string_slice(non_resource_url),
                                            aggregation_rule),
             dry_run, validate, output, field_manager)


USER = typer.Option(None, "--user", help="A user to bind (repeatable).")
GROUP = typer.Option(None, "--group", help="A group to bind (repeatable).")
SERVICE_ACCOUNT = typer.Option(None, "--serviceaccount",
                               help="namespace:name of a service account (repeatable).")
CLUSTER_ROLE = typer.Option("", "--clusterrole", help="The ClusterRole to bind.")


@create_app.command("rolebinding", context_settings=CONTEXT)
def create_role_binding(ctx: typer.Context, args: list[str] = NAME,
                        role: str = typer.Option("", "--role", help="The Role to bind."),
                        clusterrole: str = CLUSTER_ROLE, user: list[str] = USER,
                        group: list[str] = GROUP,
                        serviceaccount: list[str] = SERVICE_ACCOUNT,
                        dry_run: str = DRY_RUN, validate: str = VALIDATE,
                        output: str = OUTPUT,
                        save_config: bool = SAVE_CONFIG,
                        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a role binding for a particular role or cluster role."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: rbac.role_binding(name, role, clusterrole, list(user or []),
                                            list(group or []), list(serviceaccount or [])),
             dry_run, validate, output, field_manager, "failed to create rolebinding: ")


@create_app.command("clusterrolebinding", context_settings=CONTEXT)
def create_cluster_role_binding(ctx: typer.Context, args: list[str] = NAME,
                                clusterrole: str = CLUSTER_ROLE, user: list[str] = USER,
                                group: list[str] = GROUP,
                                serviceaccount: list[str] = SERVICE_ACCOUNT,
                                dry_run: str = DRY_RUN, validate: str = VALIDATE,
                                output: str = OUTPUT,
                                save_config: bool = SAVE_CONFIG,
                                field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a cluster role binding for a particular cluster role."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: rbac.cluster_role_binding(name, clusterrole, list(user or []),
                                                    list(group or []),
                                                    list(serviceaccount or [])),
             dry_run, validate, output, field_manager,
             "failed to create clusterrolebinding: ")


