"""The machinery every `tug create` generator shares: the `create` command group (which
itself creates the objects of `-f` files), the flags each generator takes, and `generate`,
which builds the object with a pure function of `cli/generators/` and creates it — or, with
`--dry-run=client`, prints it, so `tug create deployment web --image=nginx --dry-run=client
-o yaml` writes the manifest kubectl would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from tugboat.cli import manifests, targets
from tugboat.cli.commands.apply import (
    VALIDATE,
    WriteFlags,
    _dry_run,
    _guard,
    _validation,
    prepared,
    run_each,
    with_last_applied,
)
from tugboat.cli.errors import CliError
from tugboat.cli.generators import GeneratorError, NoResourceType, Obj
from tugboat.cli.manifests import Manifest
from tugboat.cli.options import CONTEXT, DRY_RUN, FILENAME, RECURSIVE, examples, session_of
from tugboat.cli.printers.formats import ObjectPrinter, parse_output
from tugboat.cli.session import Session
from tugboat.client import ApiError

FIELD_MANAGER = "kubectl-create"
SECRET_FAILURE = "failed to create secret "  # sic: kubectl has no colon here
OUTPUT = typer.Option(None, "--output", "-o", help="name|yaml|json")
SAVE_CONFIG = typer.Option(False, "--save-config",
                           help="Record the object in its last-applied-configuration "
                                "annotation, so a later `apply` merges with it.")
FIELD_MANAGER_OPTION = typer.Option(FIELD_MANAGER, "--field-manager",
                                    help="Name of the manager used to track field ownership.")


def _send(session: Session, m: Manifest, flags: WriteFlags, field_manager: str
          ) -> tuple[str, Obj]:
    info, ns, obj = prepared(session, m)
    if flags.dry_run == "client":
        return "created", obj
    return "created", _guard("creating", m, lambda: session.client.create(
        info, obj, ns, dry_run=flags.server_dry_run, field_manager=field_manager,
        field_validation=flags.validation))


def string_slice(values: list[str] | None) -> list[str]:
    """A pflag StringSlice: repeatable, and each value split at commas."""
    return [part for v in values or [] for part in v.split(",") if part]


def name_and_command(args: list[str] | None) -> tuple[str, list[str]]:
    """NAME and the command after it (`-- sleep 5`)."""
    if not args:
        raise CliError("exactly one NAME is required, got 0")
    return args[0], list(args[1:])


def generate(ctx: typer.Context, build: Callable[[], Obj], dry_run: str, validate: str,
             output: str | None, field_manager: str = FIELD_MANAGER, failure: str = "") -> None:
    """Build the object (a refusal is kubectl's `error: ...`), then create or print it.
    `failure` is the generator's own prefix for a server error, as kubectl words each
    ("failed to create deployment: "); without one the server's line is printed as is."""
    session = session_of(ctx)
    flags = WriteFlags(_dry_run(dry_run), _validation(validate), output)
    fmt = parse_output(output, ("json", "name", "yaml"))
    try:
        obj = build()
    except GeneratorError as e:
        raise CliError(str(e), raw=isinstance(e, NoResourceType)) from None
    info = targets.kind_of(obj)
    assert info is not None
    if info.namespaced and session.explicit_namespace:
        meta = obj["metadata"]
        obj["metadata"] = {"name": meta.pop("name"), "namespace": session.explicit_namespace,
                           **meta}
    if ctx.params.get("save_config"):  # every generator takes --save-config
        obj = with_last_applied(obj)
    result = obj
    if flags.dry_run != "client":
        try:
            result = session.client.create(info, obj, session.ns_for(info),
                                           dry_run=flags.server_dry_run,
                                           field_manager=field_manager,
                                           field_validation=flags.validation)
        except ApiError as e:
            if not failure:
                raise
            raise CliError(f"{failure}{e.message}") from None
    if output:
        ObjectPrinter(fmt).print_objects([result], single=True)
    else:
        print(f"{targets.object_name(info, obj['metadata']['name'])} created{flags.suffix()}",
              flush=True)


class Generators(TyperGroup):
    """Lists the generators by name, as `kubectl create --help` does."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(self.commands)


create_app = typer.Typer(name="create", invoke_without_command=True, context_settings=CONTEXT,
                         cls=Generators, rich_markup_mode=None, epilog=examples("""
    # Create the objects of a file (fails if one exists)
    tug create -f examples/rc.yaml

    # Generate a deployment's manifest without creating it
    tug create deployment web --image=nginx --dry-run=client -o yaml

    # Create a namespace, a config map, a service
    tug create namespace dev
    tug create configmap settings --from-literal=mode=fast --from-file=app.conf
    tug create service clusterip web --tcp=80:8080
"""))


@create_app.callback()
def create(ctx: typer.Context, filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
           dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
           save_config: bool = SAVE_CONFIG,
           field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create objects from files or stdin, or one from a generator (an existing object is
    an error)."""
    if ctx.invoked_subcommand is not None:
        return
    session = session_of(ctx)
    flags = WriteFlags(_dry_run(dry_run), _validation(validate), output)
    if not filename:
        raise CliError("must specify one of -f and -k")
    items = manifests.load(filename, recursive, verb="create")
    if save_config:
        items = [Manifest(with_last_applied(m.obj), m.source) for m in items]
    run_each(session, items, flags, lambda m: _send(session, m, flags, field_manager))


NAME = typer.Argument(None, metavar="NAME", help="The new object's name.")
NAME_AND_COMMAND = typer.Argument(None, metavar="NAME [-- COMMAND [args...]]",
                                  help="The new object's name, then its command.")


