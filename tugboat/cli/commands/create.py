"""`tug create`: objects from files (`-f`), or from kubectl's generators — `create
deployment web --image=nginx`, `create configmap`, `create secret generic|docker-registry|
tls`, `create service clusterip|nodeport|loadbalancer|externalname`, `create role`, ... —
for the types the server serves.

The generators themselves are pure functions in `cli/generators/`; this module turns the
flags into their arguments and sends (or, with `--dry-run=client`, prints) the object, so
`tug create deployment web --image=nginx --dry-run=client -o yaml` writes the same manifest
kubectl would.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from tugboat.cli import manifests, targets
from tugboat.cli.commands import token
from tugboat.cli.commands.apply import (
    VALIDATE,
    WriteFlags,
    _dry_run,
    _guard,
    _validation,
    prepared,
    run_each,
)
from tugboat.cli.errors import CliError
from tugboat.cli.generators import GeneratorError, Obj, configdata, rbac, services, workloads
from tugboat.cli.manifests import Manifest
from tugboat.cli.options import CONTEXT, DRY_RUN, FILENAME, RECURSIVE, examples, session_of
from tugboat.cli.printers.formats import ObjectPrinter, parse_output
from tugboat.cli.session import Session
from tugboat.client import ApiError

FIELD_MANAGER = "kubectl-create"
SECRET_FAILURE = "failed to create secret "  # sic: kubectl has no colon here
OUTPUT = typer.Option(None, "--output", "-o", help="name|yaml|json")
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


def _slice(values: list[str] | None) -> list[str]:
    """A pflag StringSlice: repeatable, and each value split at commas."""
    return [part for v in values or [] for part in v.split(",") if part]


def _name(args: list[str] | None) -> tuple[str, list[str]]:
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
        raise CliError(str(e)) from None
    info = targets.kind_of(obj)
    assert info is not None
    if info.namespaced and session.explicit_namespace:
        meta = obj["metadata"]
        obj["metadata"] = {"name": meta.pop("name"), "namespace": session.explicit_namespace,
                           **meta}
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


create_app = typer.Typer(name="create", invoke_without_command=True, context_settings=CONTEXT,
                         rich_markup_mode=None, epilog=examples("""
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
    run_each(session, items, flags, lambda m: _send(session, m, flags, field_manager))


NAME = typer.Argument(None, metavar="NAME", help="The new object's name.")
NAME_AND_COMMAND = typer.Argument(None, metavar="NAME [-- COMMAND [args...]]",
                                  help="The new object's name, then its command.")


@create_app.command("namespace", context_settings=CONTEXT)
def create_namespace(ctx: typer.Context, args: list[str] = NAME, dry_run: str = DRY_RUN,
                     validate: str = VALIDATE, output: str = OUTPUT,
                     field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a namespace with the specified name."""
    name, _ = _name(args)
    generate(ctx, lambda: workloads.namespace(name), dry_run, validate, output, field_manager)


@create_app.command("serviceaccount", context_settings=CONTEXT)
def create_service_account(ctx: typer.Context, args: list[str] = NAME, dry_run: str = DRY_RUN,
                           validate: str = VALIDATE, output: str = OUTPUT,
                           field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a service account with the specified name."""
    name, _ = _name(args)
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
                      field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a deployment with the specified name."""
    name, command = _name(args)
    generate(ctx, lambda: workloads.deployment(name, _slice(image), replicas, port, command),
             dry_run, validate, output, field_manager, "failed to create deployment: ")


@create_app.command("job", context_settings=CONTEXT)
def create_job(ctx: typer.Context, args: list[str] = NAME_AND_COMMAND,
               image: str = typer.Option(None, "--image", help="Image to run."),
               from_: str = typer.Option(None, "--from",
                                         help="cronjob/NAME to create the job from."),
               dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
               field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a job with the specified name."""
    name, command = _name(args)
    generate(ctx, lambda: workloads.job(name, image, command, from_), dry_run, validate,
             output, field_manager, "failed to create job: ")


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
                     field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a config map from a local file, directory or literal value."""
    name, _ = _name(args)
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
                          field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a secret from a local file, directory, or literal value."""
    name, _ = _name(args)
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
        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a secret for use with a Docker registry."""
    name, _ = _name(args)
    generate(ctx, lambda: hashed(configdata.docker_registry_secret(
        name, docker_server, docker_username, docker_password, docker_email,
        list(from_file or [])), append_hash), dry_run, validate, output, field_manager, SECRET_FAILURE)


@secret_app.command("tls", context_settings=CONTEXT)
def create_secret_tls(ctx: typer.Context, args: list[str] = NAME,
                      cert: str = typer.Option("", "--cert", help="PEM certificate file."),
                      key: str = typer.Option("", "--key", help="PEM private key file."),
                      append_hash: bool = APPEND_HASH,
                      dry_run: str = DRY_RUN, validate: str = VALIDATE, output: str = OUTPUT,
                      field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a TLS secret."""
    name, _ = _name(args)
    generate(ctx, lambda: hashed(configdata.tls_secret(name, cert, key), append_hash), dry_run, validate, output,
             field_manager, SECRET_FAILURE)


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
                field_manager: str = FIELD_MANAGER_OPTION) -> None:
        name, _ = _name(args)
        generate(ctx, lambda: services.service(name, type_, _slice(tcp), clusterip,
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
                field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a role with single rule."""
    name, _ = _name(args)
    _warn_verbs(_slice(verb), [])
    generate(ctx, lambda: rbac.role(name, _slice(verb), _slice(resource),
                                    _slice(resource_name)),
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
                        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a cluster role."""
    name, _ = _name(args)
    _warn_verbs(_slice(verb), _slice(non_resource_url))
    generate(ctx, lambda: rbac.cluster_role(name, _slice(verb), _slice(resource),
                                            _slice(resource_name), _slice(non_resource_url),
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
                        field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a role binding for a particular role or cluster role."""
    name, _ = _name(args)
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
                                field_manager: str = FIELD_MANAGER_OPTION) -> None:
    """Create a cluster role binding for a particular cluster role."""
    name, _ = _name(args)
    generate(ctx, lambda: rbac.cluster_role_binding(name, clusterrole, list(user or []),
                                                    list(group or []),
                                                    list(serviceaccount or [])),
             dry_run, validate, output, field_manager,
             "failed to create clusterrolebinding: ")


# kubectl's aliases of the generators
for _alias, _command in (("ns", create_namespace), ("sa", create_service_account),
                         ("cm", create_configmap), ("deploy", create_deployment)):
    create_app.command(_alias, hidden=True, context_settings=CONTEXT)(_command)
create_app.add_typer(service_app, name="svc", hidden=True)

# `tug create token` is also routed to `create-token` before parsing (cli/argv.py); listed
# here so `tug create --help` names it as kubectl's does
create_app.command("token", context_settings=CONTEXT,
                   help="Request a service account token.")(token.create_token)


def register(app: typer.Typer) -> None:
    app.add_typer(create_app)

