"""`tug create`: objects from files (`-f`), or from kubectl's generators — `create
deployment web --image=nginx`, `create configmap`, `create secret generic|docker-registry|
tls`, `create service clusterip|nodeport|loadbalancer|externalname`, `create role`, ... —
for the types the server serves; one module per family of generators, the shared flags
and the sending in `generating`."""

from __future__ import annotations

import typer

from tugboat.cli.commands import token
from tugboat.cli.commands.create import configdata, policy, quota, rbac, services, workloads
from tugboat.cli.commands.create.generating import create_app
from tugboat.cli.options import CONTEXT

# kubectl's aliases of the generators
for _alias, _command in (("ns", workloads.create_namespace),
                         ("sa", workloads.create_service_account),
                         ("cm", configdata.create_configmap),
                         ("deploy", workloads.create_deployment)):
    create_app.command(_alias, hidden=True, context_settings=CONTEXT)(_command)

# `tug create token` is also routed to `create-token` before parsing (cli/argv.py); listed
# here so `tug create --help` names it as kubectl's does
create_app.command("token", context_settings=CONTEXT,
                   help="Request a service account token.")(token.create_token)


def register(app: typer.Typer) -> None:
    app.add_typer(create_app)


__all__ = ["configdata", "create_app", "policy", "quota", "rbac", "register", "services",
           "workloads"]
