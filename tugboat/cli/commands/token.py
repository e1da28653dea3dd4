"""`tug create token SA`: request a service account token from the server (TokenRequest,
`serviceaccounts/{name}/token`), bound to an object and an audience when asked, and print
it as kubectl does — the bare token, with a newline only on a terminal, so
`TOKEN=$(tug create token default)` captures exactly the token."""

from __future__ import annotations

import sys
from typing import Any

import typer

from tugboat.api.durations import DurationError, parse_duration_nanos
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.printers.objects import dump_json, dump_yaml
from tugboat.client import ApiError

Obj = dict[str, Any]

# kubectl's boundObjectKinds: kind → apiVersion
BOUND_OBJECT_KINDS = {"Node": "v1", "Pod": "v1", "Secret": "v1"}
SECOND = 1_000_000_000


def token_request(duration: str | None, audiences: list[str], bound_kind: str | None,
                  bound_name: str | None, bound_uid: str | None) -> Obj:
    """The TokenRequest body, after kubectl's checks of the flags."""
    try:
        nanos = parse_duration_nanos(duration) if duration else 0
    except DurationError as e:
        raise CliError(f'invalid argument "{duration}" for "--duration" flag: {e}') from None
    if nanos < 0:
        raise CliError("--duration must be greater than or equal to 0")
    if nanos % SECOND:
        raise CliError("--duration cannot be expressed in units less than seconds")
    if any(not a for a in audiences):
        raise CliError("--audience must not be an empty string")
    spec: Obj = {"audiences": list(audiences)} if audiences else {}
    if not bound_kind:
        if bound_name:
            raise CliError("--bound-object-name can only be set if --bound-object-kind is "
                           "provided")
        if bound_uid:
            raise CliError("--bound-object-uid can only be set if --bound-object-kind is "
                           "provided")
    else:
        if bound_kind not in BOUND_OBJECT_KINDS:
            raise CliError(f"supported --bound-object-kind values are "
                           f"{', '.join(sorted(BOUND_OBJECT_KINDS))}")
        if not bound_name:
            raise CliError("--bound-object-name is required if --bound-object-kind is provided")
        ref = {"kind": bound_kind, "apiVersion": BOUND_OBJECT_KINDS[bound_kind],
               "name": bound_name}
        if bound_uid:
            ref["uid"] = bound_uid
        spec["boundObjectRef"] = ref
    if nanos:
        spec["expirationSeconds"] = nanos // SECOND
    return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "metadata": {}, "spec": spec}


def create_token(ctx: typer.Context,
                 name: str = typer.Argument(None, metavar="SERVICE_ACCOUNT_NAME",
                                            help="The service account to issue a token for."),
                 duration: str = typer.Option(None, "--duration",
                                              help="Requested lifetime (e.g. 10m, 1h); 0 or "
                                                   "unset lets the server choose."),
                 audience: list[str] = typer.Option(None, "--audience",
                                                    help="An audience of the token "
                                                         "(repeatable); default: the API "
                                                         "server's."),
                 bound_object_kind: str = typer.Option(None, "--bound-object-kind",
                                                       help="Bind the token to a Pod, Secret "
                                                            "or Node: it dies with it."),
                 bound_object_name: str = typer.Option(None, "--bound-object-name",
                                                       help="The name of the bound object."),
                 bound_object_uid: str = typer.Option(None, "--bound-object-uid",
                                                      help="The UID of the bound object."),
                 output: str = typer.Option(None, "--output", "-o",
                                            help="yaml or json: the whole TokenRequest.")
                 ) -> None:
    """Request a service account token (tug create token SERVICE_ACCOUNT_NAME)."""
    if not name:
        raise CliError("service account name is required")
    if output not in (None, "", "yaml", "json"):
        raise CliError(f'unable to match a printer suitable for the output format "{output}", '
                       f"allowed formats are: json,yaml")
    body = token_request(duration, list(audience or []), bound_object_kind, bound_object_name,
                         bound_object_uid)
    session = session_of(ctx)
    path = f"/api/v1/namespaces/{session.namespace}/serviceaccounts/{name}/token"
    try:
        response = session.request("POST", path, body=body)
    except ApiError as e:
        raise CliError(f"failed to create token: {e.message}") from None
    token = (response.get("status") or {}).get("token")
    if not token:
        raise CliError("failed to create token: no token in server response")
    if output == "json":
        sys.stdout.write(dump_json(response))
    elif output == "yaml":
        sys.stdout.write(dump_yaml(response))
    else:
        sys.stdout.write(token + ("\n" if sys.stdout.isatty() else ""))


CREATE_TOKEN_EXAMPLES = examples("""
    # A token for service account "myapp" in the current namespace
    tug create token myapp

    # ... in namespace "custom", valid for an hour, for another audience
    tug create token myapp -n custom --duration 1h --audience https://example.com

    # ... bound to a pod: it stops working when the pod is deleted
    tug create token myapp --bound-object-kind Pod --bound-object-name web
""")


def register(app: typer.Typer) -> None:
    # `tug create token` is rewritten to this command before parsing (cli/argv.py), as
    # kubectl's `create` has a subcommand per generator while `tug create` takes files
    app.command("create-token", hidden=True, epilog=CREATE_TOKEN_EXAMPLES,
                context_settings=CONTEXT)(create_token)
