"""`tug create configmap` and `tug create secret generic|docker-registry|tls`, with
kubectl's data sources and `--append-hash`."""

from __future__ import annotations

import typer

from tugboat.cli.commands.apply import VALIDATE
from tugboat.cli.commands.create.generating import (
    FIELD_MANAGER_OPTION,
    NAME,
    OUTPUT,
    SAVE_CONFIG,
    SECRET_FAILURE,
    create_app,
    generate,
    name_and_command,
)
from tugboat.cli.generators import Obj, configdata
from tugboat.cli.options import CONTEXT, DRY_RUN

APPEND_HASH = typer.Option(False, "--append-hash",
                           help="Append a hash of the data to the name.")


def hashed(obj: Obj, append_hash: bool) -> Obj:
    return configdata.with_hash(obj) if append_hash else obj


FROM_LITERAL = typer.Option(None, "--from-literal", help="key=value (repeatable).")
FROM_FILE = typer.Option(None, "--from-file",
                         help="A file, a folder (its files), or key=file (repeatable).")
FROM_ENV_FILE = typer.Option(None, "--from-env-file",
                             help="A file of KEY=VALUE lines (repeatable).")


@create_app.command("configmap", context_settings=CONTEXT)
def create_configmap(ctx: typer.Context, args: list[str] = NAME,
                     from_literal: list[str] = FROM_LITERAL, from_file: list[str] = FROM_FILE,
                     from_env_file: list[str] = FROM_ENV_FILE, append_hash: bool = APPEND_HASH,
                     dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                     save_config: bool = SAVE_CONFIG,
                     field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a config map from a local file, directory or literal value."""
    name, _ = name_and_command(args)
    sources = configdata.Sources(list(from_literal or []), list(from_file or []),
                                 list(from_env_file or []))
    generate(ctx, lambda: hashed(configdata.config_map(name, sources), append_hash), dry_run, validate, output,
             field_manager, "failed to create configmap: ")


secret_app = typer.Typer(name="secret", no_args_is_help=True, context_settings=CONTEXT,
                         rich_markup_mode=None,
                         help="Create a secret using a specified subcommand.")
create_app.add_typer(secret_app)


@secret_app.command("generic", context_settings=CONTEXT)
def create_secret_generic(ctx: typer.Context, args: list[str] = NAME,
                          from_literal: list[str] = FROM_LITERAL,
                          from_file: list[str] = FROM_FILE,
                          from_env_file: list[str] = FROM_ENV_FILE,
                          type_: str = typer.Option("", "--type", help="The secret's type."),
                          append_hash: bool = APPEND_HASH,
                          dry_run: str = DRY_RUN, validate: str = VALIDATE,
                          output: str = OUTPUT,
                          save_config: bool = SAVE_CONFIG,
                          field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a secret from a local file, directory, or literal value."""
    name, _ = name_and_command(args)
    sources = configdata.Sources(list(from_literal or []), list(from_file or []),
                                 list(from_env_file or []))
    generate(ctx, lambda: hashed(configdata.generic_secret(name, sources, type_), append_hash), dry_run, validate,
             output, field_manager, SECRET_FAILURE)


@secret_app.command("docker-registry", context_settings=CONTEXT)
def create_secret_docker_registry(
        ctx: typer.Context, args: list[str] = NAME,
        docker_server: str = typer.Option(configdata.DOCKER_HUB, "--docker-server",
                                          help="Server location for the registry."),
        docker_username: str = typer.Option("", "--docker-username", help="Username."),
        docker_password: str = typer.Option("", "--docker-password", help="Password."),
        docker_email: str = typer.Option("", "--docker-email", help="Email."),
        from_file: list[str] = FROM_FILE, append_hash: bool = APPEND_HASH,
        dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
        save_config: bool = SAVE_CONFIG,
        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a secret for use with a Docker registry."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: hashed(configdata.docker_registry_secret(
        name, docker_server, docker_username, docker_password, docker_email,
        list(from_file or [])), append_hash), dry_run, validate, output, field_manager, SECRET_FAILURE)


@secret_app.command("tls", context_settings=CONTEXT)
def create_secret_tls(ctx: typer.Context, args: list[str] = NAME,
                      cert: str = typer.Option("", "--cert", help="PEM certificate file."),
                      key: str = typer.Option("", "--key", help="PEM private key file."),
                      append_hash: bool = APPEND_HASH,
                      dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                      save_config: bool = SAVE_CONFIG,
                      field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a TLS secret."""
    name, _ = name_and_command(args)
    generate(ctx, lambda: hashed(configdata.tls_secret(name, cert, key), append_hash), dry_run, validate, output,
             field_manager, SECRET_FAILURE)


