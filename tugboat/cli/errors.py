"""Every failure as kubectl words it: one line on stderr, never a traceback.

Commands raise `CliError` for their own refusals ("error: ..."), and let the client's
errors through; `error_line` turns any of them into the line kubectl would print
(cmdutil.CheckErr / StandardErrorMessage): `Error from server (NotFound): pods "x" not
found`, `The Pod "x" is invalid: spec...`, `The connection to the server 127.0.0.1:8080 was
refused - did you specify the right host or port?`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tugboat.client import ApiError, ConfigError, ServerUnreachable
from tugboat.client.errors import Invalid, Unauthorized


class CliError(Exception):
    """A refusal of ours, printed as `error: <message>` (or verbatim when `raw`)."""

    def __init__(self, message: str, *, code: int = 1, raw: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.raw = raw

    def line(self) -> str:
        return self.message if self.raw else f"error: {self.message}"


class ExitCode(Exception):
    """Leave with this status and nothing more to say (exec passes the command's through,
    or the message was already printed)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def api_error_line(err: ApiError, context: str = "") -> str:
    """kubectl's line for a Status error; `context` ("error when creating "f.yaml": ")
    goes after the reason, as kubectl's resource builder puts it."""
    if isinstance(err, Invalid) or err.reason == "Invalid":
        return invalid_line(err)
    if isinstance(err, Unauthorized) or err.reason == "Unauthorized":
        return f"error: You must be logged in to the server ({err.message or 'Unauthorized'})"
    message = context + (err.message or f"the server responded with code {err.code}")
    if err.reason:
        return f"Error from server ({err.reason}): {message}"
    return f"Error from server: {message}"


def invalid_line(err: ApiError) -> str:
    """kubectl's CheckErr for an Invalid Status: the server's message when there are no
    details; else "The Kind "name" is invalid" (or the request) and the causes."""
    details = err.status.details
    head = "The request is invalid"
    if details is None:
        return f"{head}: {err.message}" if err.message else head
    if details.kind or details.name:
        head = f'The {details.kind or ""} "{details.name or ""}" is invalid'
    elif err.causes and err.causes[0].field == "patch":
        head = ("The request is invalid: the server rejected our request due to an error "
                "in our request")
    # A cause's message may carry a multi-line diff after its first line; the first line
    # says what is wrong, and keeps the error to one line.
    causes = [f"{c.field}: {_first_line(c.message)}" if c.field else _first_line(c.message)
              for c in err.causes]
    if not causes:
        return head
    if len(causes) == 1:
        return f"{head}: {causes[0]}"
    return f"{head}: [{', '.join(causes)}]"


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


def unreachable_line(err: ServerUnreachable) -> str:
    host = urlsplit(err.server).netloc or err.server
    cause = err.cause
    text = str(cause)
    if isinstance(cause, httpx.ConnectError) and ("refused" in text.lower()
                                                  or "errno 111" in text.lower()):
        return (f"The connection to the server {host} was refused - did you specify the "
                f"right host or port?")
    return f"Unable to connect to the server {host}: {text or type(cause).__name__}"


def error_line(exc: BaseException) -> str:
    """The one line to print for any failure a command lets out."""
    if isinstance(exc, CliError):
        return exc.line()
    if isinstance(exc, ApiError):
        return api_error_line(exc)
    if isinstance(exc, ServerUnreachable):
        return unreachable_line(exc)
    if isinstance(exc, ConfigError):
        return f"error: {exc}"
    if isinstance(exc, httpx.TransportError):
        return f"Unable to connect to the server: {exc or type(exc).__name__}"
    text = str(exc) or type(exc).__name__
    return text if text.startswith("error: ") else f"error: {text}"
