"""`tug debug -i` when attaching fails (the debug command ended between starting and the
attach): kubectl's warning, then the container's logs instead."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest

from tugboat.cli.commands.debug import attaching
from tugboat.cli.commands.debug.choices import Debugger
from tugboat.cli.errors import CliError

POD = {"metadata": {"name": "web", "namespace": "dev"},
       "spec": {"ephemeralContainers": [{"name": "debugger", "stdin": True}]},
       "status": {"ephemeralContainerStatuses": [
           {"name": "debugger", "state": {"running": {}}}]}}


class FakeSession:
    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, str]]] = []

    @contextmanager
    def stream(self, path: str, params: dict[str, str]) -> Any:
        self.asked.append((path, params))

        class Reply:
            def iter_raw(self) -> list[bytes]:
                return [b"PID   USER     TIME  COMMAND\n"]

        yield Reply()


def test_a_failed_attach_falls_back_to_the_logs(monkeypatch: pytest.MonkeyPatch,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    def refuse(req: Any) -> int:
        raise CliError('container "debugger" in pod "web" is not running')

    monkeypatch.setattr(attaching, "wait_for_container", lambda *a: POD)
    monkeypatch.setattr(attaching, "exec_request", lambda *a, **kw: None)
    monkeypatch.setattr(attaching, "stream", refuse)
    session = FakeSession()
    dbg = Debugger(["web"], image="busybox", container="debugger", target=None, stdin=True,
                   tty=False, attach=None, copy_to=None, replace=False, same_node=False,
                   share_processes=None, set_image=[], pull_policy="", env=[], quiet=True,
                   arguments_only=False, profile="general", keep={})
    attaching.attach(session, POD, "debugger", dbg)  # type: ignore[arg-type]
    out, err = capfd.readouterr()
    assert out == "PID   USER     TIME  COMMAND\n"
    assert err == ("warning: couldn't attach to pod/web, falling back to streaming logs: "
                   'container "debugger" in pod "web" is not running\n')
    assert session.asked == [("/api/v1/namespaces/dev/pods/web/log", {"container": "debugger"})]
