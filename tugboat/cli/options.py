"""The flags several verbs share, declared once so every verb spells and documents them
the same way kubectl does (`-f`, `-l`, `-A`, `-o`, `--field-selector`...), and the
`Examples:` epilog every verb's `--help` ends with."""

from __future__ import annotations

import textwrap

import typer

from tugboat.api.durations import DurationError, parse_duration
from tugboat.cli.errors import CliError
from tugboat.cli.session import Session

FILENAME = typer.Option(None, "--filename", "-f",
                        help="File, directory or '-' (stdin) with the objects' YAML or JSON.")
RECURSIVE = typer.Option(False, "--recursive", "-R",
                         help="Process the directory used in -f recursively.")
SELECTOR = typer.Option(None, "--selector", "-l",
                        help="Label selector to filter on, e.g. -l app=web,tier!=db.")
FIELD_SELECTOR = typer.Option(None, "--field-selector",
                              help="Field selector to filter on, e.g. status.phase=Running.")
ALL_NAMESPACES = typer.Option(False, "--all-namespaces", "-A",
                              help="Across all namespaces (a NAMESPACE column is added).")
OUTPUT = typer.Option(None, "--output", "-o",
                      help="wide|yaml|json|name|jsonpath=...|custom-columns=...")
TIMEOUT = typer.Option("30s", "--timeout", help="How long to wait, as a duration (30s, 5m).")
DRY_RUN = typer.Option("none", "--dry-run",
                       help="none|client|server: server runs the request without persisting.")

SHOW_MANAGED_FIELDS = typer.Option(
    False, "--show-managed-fields",
    help="Keep the managedFields when printing objects in JSON or YAML.")

CONTEXT = {"help_option_names": ["-h", "--help"]}
FOREVER = 7 * 24 * 3600.0


def parse_timeout(value: str, flag: str = "--timeout") -> float:
    """A Go duration in seconds; 0 (or negative) means no limit."""
    try:
        seconds = parse_duration(value if not value.lstrip("-").isdigit() else value + "s")
    except DurationError as e:
        raise CliError(f"invalid argument {value!r} for {flag}: {e}") from None
    return seconds if seconds > 0 else FOREVER


def examples(text: str) -> str:
    """A click epilog that keeps its line breaks: `Examples:` then the indented text."""
    body = textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")
    paragraphs = ("Examples:\n" + body).split("\n\n")
    return "\n\n".join("\b\n" + p for p in paragraphs)


def session_of(ctx: typer.Context) -> Session:
    root = ctx.find_root()
    return root.obj
