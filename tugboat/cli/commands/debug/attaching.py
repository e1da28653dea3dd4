"""After `tug debug -i`: wait for the debug container to run and attach to it over
`pods/{name}/attach` (as `tug exec` streams); a container that has already ended has its
logs printed instead; kubectl's warnings and reattach hint around the session."""

from __future__ import annotations

import sys

from tugboat.api.resources import lookup
from tugboat.cli.commands.debug.choices import Debugger, Obj, all_containers
from tugboat.cli.commands.exec import exec_request, stream
from tugboat.cli.errors import CliError
from tugboat.cli.options import FOREVER
from tugboat.cli.session import Session
from tugboat.cli.waiting import watch_until
from tugboat.client import ApiError

PODS = lookup("", "v1", "pods")


def _status(pod: Obj | None, name: str) -> Obj | None:
    status = (pod or {}).get("status") or {}
    for s in ((status.get("containerStatuses") or []) +
              (status.get("initContainerStatuses") or []) +
              (status.get("ephemeralContainerStatuses") or [])):
        if s.get("name") == name:
            return s
    return None


def wait_for_container(session: Session, pod: Obj, name: str, quiet: bool) -> Obj:
    """The pod once `name` runs or has ended (kubectl waits without a deadline)."""
    meta = pod["metadata"]
    warned: set[str] = set()

    def started(p: Obj | None) -> bool:
        if p is None:
            raise CliError(f'pods "{meta["name"]}" not found')
        state = (_status(p, name) or {}).get("state") or {}
        message = (state.get("waiting") or {}).get("message")
        if message and not quiet and message not in warned:
            warned.add(message)
            print(f"Warning: container {name}: {message}", file=sys.stderr)
        return bool(state.get("running") or state.get("terminated"))

    found = watch_until(session, PODS, meta["namespace"], meta["name"], started, FOREVER)
    assert found is not None
    return found


def _print_logs(session: Session, meta: Obj, name: str) -> None:
    path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/log"
    with session.stream(path, {"container": name}) as resp:
        for chunk in resp.iter_raw():
            sys.stdout.buffer.write(chunk)
    sys.stdout.flush()


def attach(session: Session, pod: Obj, name: str, dbg: Debugger) -> None:
    pod = wait_for_container(session, pod, name, dbg.quiet)
    meta = pod["metadata"]
    state = (_status(pod, name) or {}).get("state") or {}
    if state.get("terminated"):
        _print_logs(session, meta, name)
        return
    spec = next((c for c in all_containers(pod) if c.get("name") == name), {})
    tty = dbg.tty and bool(spec.get("tty")) and sys.stdin.isatty()
    if not dbg.quiet:
        print("All commands and output from this session will be recorded in container logs, "
              "including credentials and sensitive information passed through the command "
              "prompt.", file=sys.stderr)
        print("If you don't see a command prompt, try pressing enter.", file=sys.stderr)
    try:
        stream(exec_request(session, pod, [], name, stdin=dbg.stdin, tty=tty,
                            subresource="attach"))
    except (ApiError, CliError) as e:
        # A command that ended between its start and the attach: kubectl's handleAttachPod
        # falls back to its logs, saying why
        print(f"warning: couldn't attach to pod/{meta['name']}, falling back to streaming "
              f"logs: {str(e).removeprefix('error: ')}", file=sys.stderr)
        _print_logs(session, meta, name)
        return
    if not dbg.quiet and dbg.stdin and tty:
        ephemeral = any(c.get("name") == name for c in
                        (pod.get("spec") or {}).get("ephemeralContainers") or [])
        where = f"tug attach {meta['name']} -c {name} -n {meta['namespace']} -i -t"
        print(f"Session ended, the ephemeral container will not be restarted but may be "
              f"reattached using '{where}' if it is still running" if ephemeral else
              f"Session ended, resume using '{where}' command")
