"""Container lifecycle hooks (the kubelet's lifecycle/handlers.go and the hook steps of
kuberuntime_container.go): `postStart` right after a container starts, `preStop` before
the stop signal whenever the kubelet kills one. A handler is an exec in the container
(exit 0 passes), an HTTP GET to the pod IP (any reply passes; only a request that fails
does not) or a sleep. The pod worker stays in the hook, so a container whose postStart
has not finished is not reported Running; preStop counts against the grace period, and
what is left of it goes to SIGTERM -> SIGKILL.

A failed hook is a Warning event (FailedPostStartHook / FailedPreStopHook) with a fixed
message: the handler's own output can carry secrets, so it goes only into the container's
waiting message (PostStartHookError) and the log, as in Kubernetes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import httpx

from tugboat.api.core import Container, HTTPGetAction, LifecycleHandler, Pod
from tugboat.kubelet.decisions import pod_label
from tugboat.kubelet.images import Recorder
from tugboat.kubelet.prober.probes import resolve_port
from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable, StreamingRuntime

log = logging.getLogger(__name__)

USER_AGENT = "kube-lifecycle/1.32"
POST_START_HOOK_ERROR = "PostStartHookError"  # the container's waiting reason
FAILED_POST_START_HOOK = "FailedPostStartHook"  # event reason, and the Killing message
FAILED_PRE_STOP_HOOK = "FailedPreStopHook"
NO_DEADLINE = float(2**31)  # a postStart exec runs as long as it takes (Kubernetes: no timeout)
ABANDON_POLL = 0.5  # how often a running postStart checks whether its pod is going away

Abandoned = Callable[[], bool]  # the pod is being deleted: stop waiting for postStart


class HookFailed(Exception):
    """A handler did not succeed; the message names the hook, container and pod."""


def _q(text: str) -> str:
    """Go's %q for the common case."""
    return json.dumps(text, ensure_ascii=False)


def _go_list(items: list[str]) -> str:
    """Go's %v of a []string: [sh -c exit 1]."""
    return "[" + " ".join(items) + "]"


def container_spec(pod: Pod, name: str) -> Container | None:
    """The spec a running container was started from: an app, init or sidecar container
    (ephemeral containers have no hooks)."""
    for c in [*pod.spec.containers, *(pod.spec.initContainers or ())]:
        if c.name == name:
            return c
    return None


class HookRunner:
    """Runs a container's handlers (the kubelet's handlerRunner)."""

    def __init__(self, runtime: StreamingRuntime, record: Recorder,
                 clock: Callable[[], float] = time.monotonic):
        self.runtime, self.record, self.clock = runtime, record, clock

    async def post_start(self, pod: Pod, spec: Container, container_id: str,
                         pod_ip: str | None, abandoned: Abandoned = lambda: False
                         ) -> str | None:
        """Run the container's postStart, if any: None when it passed, else the failure
        message (the FailedPostStartHook event is recorded; the caller kills the
        container). A hook still running when the pod is being deleted is given up."""
        hook = spec.lifecycle.postStart if spec.lifecycle else None
        if hook is None:
            return None
        task = asyncio.ensure_future(self.run(pod, spec, container_id, hook, pod_ip,
                                              NO_DEADLINE))
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=ABANDON_POLL)
                if not task.done() and abandoned():
                    task.cancel()
                    # Kubernetes cancels the sync's context: the hook ends with it.
                    raise HookFailed(self._describe(hook, spec, pod, (
                        "container terminated before sleep hook finished"
                        if hook.sleep is not None else "context canceled")))
            task.result()
        except HookFailed as e:
            log.warning("postStart hook of %s failed: %s", spec.name, e)
            self.record(pod, "Warning", FAILED_POST_START_HOOK, "PostStartHook failed")
            return str(e)
        finally:
            if not task.done():
                task.cancel()
        return None

    async def pre_stop(self, pod: Pod, spec: Container | None, container_id: str,
                       pod_ip: str | None, grace: float) -> float:
        """Run the container's preStop, if any, within `grace` seconds; the grace left for
        the stop signal (whole seconds used are taken off, as the kubelet counts them).
        A hook that overruns is abandoned: the stop signal ends it."""
        hook = spec.lifecycle.preStop if spec is not None and spec.lifecycle else None
        if hook is None or grace <= 0 or spec is None:
            return grace
        started = self.clock()
        try:
            await asyncio.wait_for(self.run(pod, spec, container_id, hook, pod_ip, grace),
                                   timeout=grace)
        except HookFailed as e:
            log.warning("preStop hook of %s failed: %s", spec.name, e)
            self.record(pod, "Warning", FAILED_PRE_STOP_HOOK, "PreStopHook failed")
        except TimeoutError:
            log.info("preStop hook of %s did not complete in its grace period (%ss)",
                     spec.name, grace)
        return grace - int(self.clock() - started)

    async def run(self, pod: Pod, spec: Container, container_id: str,
                  hook: LifecycleHandler, pod_ip: str | None, timeout: float) -> None:
        """One handler; HookFailed with Kubernetes' message when it does not pass."""
        if hook.exec is not None:
            await self._exec(pod, spec, container_id, hook, timeout)
        elif hook.httpGet is not None:
            await self._http(pod, spec, hook.httpGet, pod_ip)
        elif hook.sleep is not None:
            await asyncio.sleep(max(hook.sleep.seconds, 0))
        else:
            raise HookFailed(f"Cannot run handler: invalid handler: "
                             f"{json.dumps(hook.wire(), sort_keys=True)}")

    async def _exec(self, pod: Pod, spec: Container, container_id: str,
                    hook: LifecycleHandler, timeout: float) -> None:
        command = (hook.exec.command if hook.exec else None) or []
        try:
            res = await self.runtime.exec_sync(container_id, command, timeout)
        except (RuntimeFailure, RuntimeUnavailable) as e:
            raise HookFailed(self._describe(hook, spec, pod, str(e))) from e
        output = res.output.decode(errors="replace")
        if res.timed_out:
            raise HookFailed(self._describe(hook, spec, pod, "command timed out", output))
        if res.exit_code != 0:
            err = f"command '{' '.join(command)}' exited with {res.exit_code}: {output}"
            raise HookFailed(self._describe(hook, spec, pod, err, output))

    async def _http(self, pod: Pod, spec: Container, action: HTTPGetAction,
                    pod_ip: str | None) -> None:
        hook = LifecycleHandler(httpGet=action)
        host = action.host or pod_ip
        if not host:
            raise HookFailed(self._describe(hook, spec, pod,
                                            "failed to find networking container"))
        port = resolve_port(action.port, spec)
        if port is None:
            raise HookFailed(self._describe(
                hook, spec, pod, f"couldn't find port: {action.port} in {spec.name}"))
        path = action.path or "/"
        scheme = (action.scheme or "HTTP").lower()
        url = f"{scheme}://{host}:{port}{path if path.startswith('/') else '/' + path}"
        headers = {h.name: h.value for h in action.httpHeaders or ()}
        # A client per hook (hooks are rare; nothing stays open): as Kubernetes' hook
        # client, no certificate checks and no redirects followed.
        try:  # any reply will do: Kubernetes does not look at the status code
            async with httpx.AsyncClient(trust_env=False, follow_redirects=False,
                                         verify=False, timeout=None,
                                         headers={"User-Agent": USER_AGENT}) as http:
                await http.get(url, headers=headers)
        except httpx.HTTPError as e:
            raise HookFailed(self._describe(hook, spec, pod, f'Get "{url}": {e}')) from e

    @staticmethod
    def _describe(hook: LifecycleHandler, spec: Container, pod: Pod, err: str,
                  output: str = "") -> str:
        where = f"for Container {_q(spec.name)} in Pod {_q(pod_label(pod))}"
        if hook.exec is not None:
            return (f"Exec lifecycle hook ({_go_list(hook.exec.command or [])}) {where} "
                    f"failed - error: {err}, message: {_q(output)}")
        if hook.httpGet is not None:
            return f"HTTP lifecycle hook ({hook.httpGet.path or ''}) {where} failed - error: {err}"
        if hook.sleep is not None:
            return (f"Sleep lifecycle hook ({hook.sleep.seconds}) {where} failed - "
                    f"error: {err}")
        return f"Cannot run handler: {err}"

