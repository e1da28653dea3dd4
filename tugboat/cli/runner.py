"""Runs one `tug` command line and maps every outcome to an exit status: the command's
own, 1 with one line on stderr for a failure (see errors.error_line), 130 for Ctrl-C.
Usage mistakes read as kubectl's do: `error: ...` and where to find the verb's help."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

import typer
from typer._click import exceptions as click_errors

from tugboat.cli.argv import hoist_global_flags, normalize_bool_flags, route_create_generators
from tugboat.cli.errors import ExitCode, error_line

COMPLETE_VAR = "_TUG_COMPLETE"


NO_SUCH_COMMAND = re.compile(r"^No such command '(?P<name>[^']*)'\.(?: Did you mean "
                             r"'(?P<hint>[^']*)'\?)?$")


def _usage_line(e: click_errors.UsageError) -> str:
    verb = e.ctx.command_path if e.ctx is not None else "tug"
    message = e.format_message()
    unknown = NO_SUCH_COMMAND.match(message)
    if unknown:  # cobra's words: `unknown command "x"` (`for "kubectl"` at the root)
        root = e.ctx is None or e.ctx.parent is None
        message = f'unknown command "{unknown["name"]}"' + (' for "tug"' if root else "")
        if unknown["hint"]:
            message += f' (did you mean "{unknown["hint"]}"?)'
    return f"error: {message}\nSee '{verb} --help' for usage."


def run(args: list[str], environ: Mapping[str, str]) -> int:
    from tugboat.cli.app import build_app

    command = typer.main.get_command(build_app())
    if COMPLETE_VAR not in environ:
        args = normalize_bool_flags(command,
                                    route_create_generators(hoist_global_flags(list(args))))
    try:
        rv = command.main(args=args, prog_name="tug", standalone_mode=False,
                          complete_var=COMPLETE_VAR)
        return rv if isinstance(rv, int) else 0
    except ExitCode as e:
        return e.code
    except typer.Exit as e:
        return e.exit_code
    except click_errors.NoArgsIsHelpError as e:
        # `tug` alone: its help, exit 0; a group without its subcommand (`tug set`,
        # `tug create secret`): the group's help on stderr and exit 1, as kubectl's
        # DefaultSubCommandRun does
        root = e.ctx is None or e.ctx.parent is None
        print(e.ctx.get_help() if e.ctx is not None else e.format_message(),
              file=sys.stdout if root else sys.stderr)
        return 0 if root else 1
    except click_errors.UsageError as e:
        print(_usage_line(e), file=sys.stderr)
        return 1
    except click_errors.ClickException as e:
        print(f"error: {e.format_message()}", file=sys.stderr)
        return e.exit_code or 1
    except (KeyboardInterrupt, typer.Abort):
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as e:  # every failure becomes one line, never a traceback
        print(error_line(e), file=sys.stderr)
        return 1
