"""`tug exec`: run a command in a container (through the API server, which reaches the
node's kubelet), with `-i` to pass stdin and `-t` for a terminal; the command's exit code
becomes tug's, as kubectl passes it through. `tug attach` joins a running container's own
stdio the same way (`tug debug` tells users to reattach with it)."""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import termios
import tty
from collections.abc import Iterator
from typing import Any

import typer

from tugboat.cli import remotecommand, targets
from tugboat.cli.errors import CliError, ExitCode
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.pods import find_pod, pick_container
from tugboat.cli.session import Session
from tugboat.client.tls import transport_verify

EXAMPLES = examples("""
    # Run a command in a pod's (only) container
    tug exec web -- ls /

    # A shell in a container, interactive and with a terminal
    tug exec -it web -c app -- sh

    # Pipe data in
    echo hello | tug exec -i web -- cat
""")


@contextlib.contextmanager
def raw_terminal(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        # TCSANOW, not setraw's default TCSAFLUSH: a flush would discard what the user
        # typed before the remote shell came up (the kernel still holds it, unread).
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def exec_request(session: Session, pod: dict[str, Any], command: list[str], container: str,
                 *, stdin: bool = False, tty: bool = False, subresource: str = "exec"
                 ) -> remotecommand.ExecRequest:
    """The streaming request for `pod`'s container (cp and debug share it; `attach` with no
    command reaches the container's own stdio)."""
    meta, cfg = pod["metadata"], session.config
    return remotecommand.ExecRequest(
        cfg.server, f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/{subresource}",
        command, container, stdin=stdin, tty=tty, token=cfg.token,
        verify=transport_verify(cfg))


def stream(req: remotecommand.ExecRequest) -> int:
    """Run an exec or attach request on this terminal: stdin in when asked, the terminal
    raw and its size followed with a TTY; the remote command's exit code."""
    ws = remotecommand.open_connection(req)
    if req.tty:
        size = shutil.get_terminal_size()
        remotecommand.send_resize(ws, size.columns, size.lines)
        signal.signal(signal.SIGWINCH, lambda *_: remotecommand.send_resize(
            ws, *shutil.get_terminal_size()))
    try:
        with raw_terminal(req.tty):
            return remotecommand.run(ws, sys.stdin.buffer if req.stdin else None,
                                     sys.stdout.buffer, sys.stderr.buffer)
    except remotecommand.RemoteCommandError as e:
        raise CliError(str(e)) from None


def exec_(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="POD -- COMMAND [ARGS...]",
                                           autocompletion=targets.complete_pod),
          container: str = typer.Option(None, "--container", "-c", help="The container."),
          stdin: bool = typer.Option(False, "--stdin", "-i", help="Pass stdin to the command."),
          tty_: bool = typer.Option(False, "--tty", "-t", help="Stdin is a terminal.")) -> None:
    """Execute a command in a container."""
    session = session_of(ctx)
    if not args:
        raise CliError("pod, type/name or --filename must be specified")
    if len(args) < 2:
        raise CliError("you must specify at least one command for the container")
    pod = find_pod(session, args[0])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CliError(f"cannot exec into a container in a completed pod; current phase is "
                       f"{phase}")
    use_tty = tty_ and stdin and sys.stdin.isatty()
    if tty_ and not use_tty:
        print("Unable to use a TTY - input is not a terminal or the right kind of file",
              file=sys.stderr)
    req = exec_request(session, pod, args[1:], pick_container(pod, container), stdin=stdin,
                       tty=use_tty)
    code = stream(req)
    if code:
        if not use_tty:
            print(f"command terminated with exit code {code}", file=sys.stderr)
        raise ExitCode(code)


ATTACH_EXAMPLES = examples("""
    # Follow the output of a pod's (only) container
    tug attach web

    # Talk to a container started with stdin (and tty) from its own process
    tug attach web -c app -i -t
""")


def attach(ctx: typer.Context,
           pod_name: str = typer.Argument(None, metavar="POD", help="The pod.",
                                          autocompletion=targets.complete_pod),
           container: str = typer.Option(None, "--container", "-c", help="The container."),
           stdin: bool = typer.Option(False, "--stdin", "-i",
                                      help="Pass stdin to the container."),
           tty_: bool = typer.Option(False, "--tty", "-t", help="Stdin is a terminal."),
           quiet: bool = typer.Option(False, "--quiet", "-q",
                                      help="Only print output from the remote session.")
           ) -> None:
    """Attach to a process that is already running inside an existing container."""
    if not pod_name:
        raise CliError("at least 1 argument is required for attach")
    session = session_of(ctx)
    pod = find_pod(session, pod_name)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CliError(f"cannot attach a container in a completed pod; current phase is "
                       f"{phase}")
    name = pick_container(pod, container, attaching=True)
    spec = next((c for c in (pod["spec"]["containers"] +
                             (pod["spec"].get("ephemeralContainers") or []))
                 if c["name"] == name), {})
    use_tty = tty_ and stdin and bool(spec.get("tty")) and sys.stdin.isatty()
    if tty_ and not use_tty:
        print("Unable to use a TTY - container " + name + " did not allocate one"
              if not spec.get("tty") else
              "Unable to use a TTY - input is not a terminal or the right kind of file",
              file=sys.stderr)
    if use_tty and not quiet:
        print("If you don't see a command prompt, try pressing enter.", file=sys.stderr)
    code = stream(exec_request(session, pod, [], name, stdin=stdin, tty=use_tty,
                               subresource="attach"))
    if code:
        raise ExitCode(code)


def register(app: typer.Typer) -> None:
    app.command("attach", epilog=ATTACH_EXAMPLES, context_settings=CONTEXT)(attach)
    app.command("exec", epilog=EXAMPLES, context_settings=CONTEXT)(exec_)

