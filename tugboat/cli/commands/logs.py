"""`tug logs`: a container's output through the API server's `pods/{name}/log`, which
reaches the node's kubelet; `-f` streams it until the container ends (or Ctrl-C). The
options are kubectl's (--since, --since-time, --limit-bytes, --tail, -p, --timestamps),
checked here with kubectl's messages before anything is sent."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import httpx
import typer

from tugboat.api.durations import DurationError, parse_duration
from tugboat.api.meta import parse_rfc3339
from tugboat.cli import targets
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.pods import find_pod, pick_container
from tugboat.client import ServerUnreachable
from tugboat.client.errors import error_from_response

EXAMPLES = examples("""
    # The output of a pod's only container, then follow it
    tug logs web
    tug logs -f web

    # The last 20 lines of one container, with timestamps
    tug logs web -c sidecar --tail=20 --timestamps

    # The output of the previous (crashed) instance
    tug logs web --previous

    # The last hour's output, or what came after a moment, at most 10 KB of it
    tug logs web --since=1h
    tug logs web --since-time=2025-01-01T00:00:00Z --limit-bytes=10240

    # The first pod of a deployment
    tug logs deploy/web
""")


def _params(container: str, follow: bool, previous: bool, tail: int, timestamps: bool,
            since: str | None, since_time: str | None, limit_bytes: int | None
            ) -> dict[str, Any]:
    if since and since_time:
        raise CliError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    if limit_bytes is not None and limit_bytes < 1:
        raise CliError("--limit-bytes must be greater than 0")
    if tail < -1:
        raise CliError("--tail must be greater than or equal to -1")
    params: dict[str, Any] = {"container": container}
    if follow:
        params["follow"] = "true"
    if previous:
        params["previous"] = "true"
    if tail >= 0:
        params["tailLines"] = tail
    if timestamps:
        params["timestamps"] = "true"
    if since:
        try:
            seconds = parse_duration(since)
        except DurationError as e:
            raise CliError(f"invalid argument {since!r} for --since: {e}") from None
        if seconds < 0:
            raise CliError("--since must be greater than 0")
        params["sinceSeconds"] = max(1, round(seconds))
    if since_time:
        try:
            when = parse_rfc3339(since_time)
        except ValueError:
            raise CliError(f"invalid argument {since_time!r} for --since-time: not an RFC3339 "
                           "time (e.g. 2025-01-01T00:00:00Z)") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        params["sinceTime"] = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if limit_bytes:
        params["limitBytes"] = limit_bytes
    return params


def logs(ctx: typer.Context,
         pod: str = typer.Argument(None, help="POD or TYPE/NAME (first pod of a workload)",
                                   autocompletion=targets.complete_pod),
         container: str = typer.Option(None, "--container", "-c", help="The container."),
         follow: bool = typer.Option(False, "--follow", "-f", help="Stream new output."),
         previous: bool = typer.Option(False, "--previous", "-p",
                                       help="The previous instance of the container."),
         tail: int = typer.Option(-1, "--tail", help="Only the last N lines (-1: all)."),
         timestamps: bool = typer.Option(False, "--timestamps",
                                         help="Prefix each line with its RFC3339 time."),
         since: str = typer.Option(None, "--since", help="Only newer than this (e.g. 5m)."),
         since_time: str = typer.Option(None, "--since-time",
                                        help="Only after this RFC3339 time."),
         limit_bytes: int = typer.Option(None, "--limit-bytes", help="At most N bytes.")
         ) -> None:
    """Print the logs of a container in a pod."""
    if not pod:
        raise CliError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or "
                       "TYPE/NAME is a required argument for the logs command")
    session = session_of(ctx)
    obj = find_pod(session, pod)
    name = pick_container(obj, container)
    meta = obj["metadata"]
    path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/log"
    params = _params(name, follow, previous, tail, timestamps, since, since_time, limit_bytes)
    out = sys.stdout.buffer
    try:
        with session.stream(path, params) as resp:
            if resp.status_code >= 300:
                raise error_from_response(resp.status_code, resp.read(), resp.reason_phrase)
            for chunk in resp.iter_raw():
                out.write(chunk)
                out.flush()
    except httpx.TransportError as e:
        if isinstance(e, httpx.ConnectError):
            raise ServerUnreachable(session.server, e) from e
        if not follow:
            raise CliError(f"error reading the logs: {e}") from None


def register(app: typer.Typer) -> None:
    app.command("logs", epilog=EXAMPLES, context_settings=CONTEXT)(logs)
