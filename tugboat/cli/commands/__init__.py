"""The verbs, one module per family; `register` adds them all to the app in the order
`tug --help` lists them (kubectl's: basic, deploy, cluster management, troubleshooting,
advanced, settings, other)."""

from __future__ import annotations

import typer

from tugboat.cli.commands import (
    apply,
    auth,
    completion,
    config,
    cp,
    create,
    debug,
    delete,
    describe,
    diff,
    edit,
    events,
    exec,
    explain,
    get,
    info,
    logs,
    metadata,
    nodes,
    patch,
    portforward,
    rollout,
    scale,
    set,
    token,
    top,
    wait,
)

MODULES = (create, get, edit, delete, apply, patch, set, rollout, scale, info, top, nodes,
           describe, explain, logs, exec, portforward, cp, debug, events, diff, wait, metadata,
           auth, config, token, completion)


def register(app: typer.Typer) -> None:
    for module in MODULES:
        module.register(app)
