"""kubectl's global flags may go anywhere on the line (`tug get pods -n kube-system`), but
Typer only knows options of the group before the subcommand. So, before parsing, the
global flags are lifted out of wherever they are and put in front of the verb.

Everything after `--` (the command of `tug exec`) is left alone, and under `tug config`
only `--kubeconfig` is global: `set-context --namespace`, `set-cluster --server` and
`set-credentials --token` are that verb's own flags, as in kubectl. Boolean flags also
take kubectl's `--flag=true|false` form.
"""

from __future__ import annotations

from typing import Any

# flag -> the canonical long name Typer's root callback declares
GLOBAL_FLAGS = {
    "--kubeconfig": "--kubeconfig",
    "--context": "--context",
    "--server": "--server",
    "-s": "--server",
    "--token": "--token",
    "--namespace": "--namespace",
    "-n": "--namespace",
    "--request-timeout": "--request-timeout",
}
CONFIG_ONLY = {"--kubeconfig": "--kubeconfig"}


def _split(arg: str, flags: dict[str, str]) -> tuple[str, str | None] | None:
    """(canonical flag, inline value or None) if `arg` is one of `flags`."""
    if arg.startswith("--"):
        name, eq, value = arg.partition("=")
        if name in flags:
            return flags[name], value if eq else None
        return None
    for short, canonical in flags.items():
        if len(short) == 2 and arg.startswith(short):
            rest = arg[2:]
            if not rest:
                return canonical, None
            return canonical, rest[1:] if rest.startswith("=") else rest
    return None


def _verb(args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        found = _split(arg, GLOBAL_FLAGS)
        if found is not None:
            i += 2 if found[1] is None else 1
            continue
        if not arg.startswith("-"):
            return arg
        i += 1
    return None


def hoist_global_flags(args: list[str]) -> list[str]:
    """`args` with every global flag moved to the front, as `--flag=value`."""
    flags = CONFIG_ONLY if _verb(args) == "config" else GLOBAL_FLAGS
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        found = _split(arg, flags)
        if found is None:
            rest.append(arg)
            i += 1
            continue
        flag, value = found
        if value is None:
            if i + 1 >= len(args):
                rest.append(arg)  # let the parser report the missing value
                break
            value = args[i + 1]
            i += 1
        front.append(f"{flag}={value}")
        i += 1
    return front + rest


# kubectl's `create` has a subcommand per generator; tug's `create` takes files (and
# `namespace NAME`), so the generators it serves are commands of their own
CREATE_GENERATORS = {"token": "create-token"}


def route_create_generators(args: list[str]) -> list[str]:
    """`create token SA ...` → `create-token SA ...` (run after hoist_global_flags, so the
    first argument that is not a flag is the verb)."""
    i = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if (i is not None and args[i] == "create" and i + 1 < len(args)
            and args[i + 1] in CREATE_GENERATORS):
        return args[:i] + [CREATE_GENERATORS[args[i + 1]]] + args[i + 2:]
    return args


def _flag_options(command: Any, args: list[str]) -> dict[str, str | None]:
    """The boolean flags of the (sub)command `args` name: --flag -> its --no-flag or None."""
    current = command
    for arg in args:
        if arg == "--":
            break
        sub = getattr(current, "commands", {}).get(arg) if not arg.startswith("-") else None
        if sub is not None:
            current = sub
    flags: dict[str, str | None] = {}
    for param in getattr(current, "params", []):
        if getattr(param, "is_flag", False) and getattr(param, "is_bool_flag", True):
            negative = next((o for o in getattr(param, "secondary_opts", [])
                             if o.startswith("--")), None)
            for opt in param.opts:
                if opt.startswith("--"):
                    flags[opt] = negative
    return flags


def normalize_bool_flags(command: Any, args: list[str]) -> list[str]:
    """kubectl's `--wait=false`, `--overwrite=true` for Typer's `--wait/--no-wait` flags:
    `=true` becomes the flag, `=false` its negative form (or nothing, for flags that are off
    unless given)."""
    flags = _flag_options(command, args)
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            out.extend(args[i:])
            break
        name, eq, value = arg.partition("=")
        if eq and name in flags and value.lower() in ("true", "false"):
            if value.lower() == "true":
                out.append(name)
            elif flags[name]:
                out.append(flags[name])  # type: ignore[arg-type]
            continue
        out.append(arg)
    return out
