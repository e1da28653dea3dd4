"""Every failure reads as kubectl's one line."""

from __future__ import annotations

import httpx

from tugboat.api.meta import Status, StatusCause, StatusDetails
from tugboat.cli.errors import CliError, api_error_line, error_line
from tugboat.client import ServerUnreachable
from tugboat.client.errors import error_from_status


def _error(code: int, reason: str, message: str, **details: object):  # noqa: ANN202
    return error_from_status(Status(status="Failure", code=code, reason=reason,
                                    message=message,
                                    details=StatusDetails(**details) if details else None))


def test_not_found() -> None:
    assert error_line(_error(404, "NotFound", 'pods "x" not found')) == \
        'Error from server (NotFound): pods "x" not found'


def test_context_goes_after_the_reason() -> None:
    err = _error(409, "AlreadyExists", 'pods "x" already exists')
    assert api_error_line(err, 'error when creating "p.yaml": ') == \
        'Error from server (AlreadyExists): error when creating "p.yaml": pods "x" already exists'


def test_invalid_lists_its_causes() -> None:
    one = _error(422, "Invalid", "x", kind="Pod", name="web", causes=[
        StatusCause(field="spec.containers[0].image", message="Required value")])
    assert error_line(one) == 'The Pod "web" is invalid: spec.containers[0].image: Required value'
    two = _error(422, "Invalid", "x", kind="Pod", name="web", causes=[
        StatusCause(field="a", message="bad"), StatusCause(field="b", message="worse")])
    assert error_line(two) == 'The Pod "web" is invalid: [a: bad, b: worse]'


def test_unauthorized() -> None:
    assert error_line(_error(401, "Unauthorized", "Unauthorized")) == \
        "error: You must be logged in to the server (Unauthorized)"


def test_refused_connections_name_the_address() -> None:
    err = ServerUnreachable("http://127.0.0.1:8080", httpx.ConnectError("[Errno 111] "
                                                                        "Connection refused"))
    assert error_line(err) == ("The connection to the server 127.0.0.1:8080 was refused - did "
                               "you specify the right host or port?")
    other = ServerUnreachable("http://h:1", httpx.ConnectTimeout("timed out"))
    assert error_line(other) == "Unable to connect to the server h:1: timed out"


def test_our_errors_and_the_rest() -> None:
    assert error_line(CliError("nope")) == "error: nope"
    assert error_line(CliError("as is", raw=True)) == "as is"
    assert error_line(ValueError("bad value")) == "error: bad value"


def test_invalid_without_details_says_the_servers_message() -> None:
    # a JSON patch that cannot apply: kubectl prints "The request is invalid: <message>"
    err = _error(422, "Invalid", "json patch operation 0 (remove /spec/nope): key \"nope\" "
                 "not found")
    assert error_line(err) == ('The request is invalid: json patch operation 0 (remove '
                               '/spec/nope): key "nope" not found')


def test_invalid_with_a_name_and_no_causes_says_only_that() -> None:
    assert error_line(_error(422, "Invalid", "x", kind="Pod", name="web")) == \
        'The Pod "web" is invalid'
