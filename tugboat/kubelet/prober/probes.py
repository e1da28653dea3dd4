"""Running one check of a probe (prober.go's runProbe): exec through the runtime (exit 0
passes; overrunning timeoutSeconds fails, and the runtime kills the process), tcpSocket (a
connection to the pod IP and port opens within the timeout) and httpGet (the reply's code
is 200 ≤ code < 400, redirects not followed). Named ports resolve against the container's
ports. Returns (Result, output) — the output goes into the Unhealthy event."""

from __future__ import annotations

import asyncio
import contextlib
import shlex

import httpx

from tugboat.api.core import Container, HTTPGetAction, Probe
from tugboat.kubelet.prober.results import Result
from tugboat.kubelet.prober.worker import Target
from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable, StreamingRuntime

USER_AGENT = "kube-probe/1.32"


def resolve_port(port: int | str, spec: Container) -> int | None:
    if isinstance(port, int):
        return port
    if port.isdigit():
        return int(port)
    for p in spec.ports or ():
        if p.name == port:
            return p.containerPort
    return None


class ProbeRunner:
    def __init__(self, runtime: StreamingRuntime, http: httpx.AsyncClient | None = None):
        self.runtime = runtime
        # Kubernetes probes skip certificate checks and never follow a redirect.
        self.http = http or httpx.AsyncClient(
            trust_env=False, follow_redirects=False, verify=False,
            headers={"User-Agent": USER_AGENT})

    async def __call__(self, probe: Probe, spec: Container, target: Target
                       ) -> tuple[Result, str]:
        timeout = float(probe.timeoutSeconds or 1)
        if probe.exec is not None:
            return await self._exec(probe.exec.command or [], target, timeout)
        if probe.tcpSocket is not None:
            port = resolve_port(probe.tcpSocket.port, spec)
            return await self._tcp(probe.tcpSocket.host or target.pod_ip, port, timeout)
        if probe.httpGet is not None:
            return await self._http(probe.httpGet, spec, target, timeout)
        return Result.FAILURE, "probe handler not supported (use exec, tcpSocket or httpGet)"

    async def _exec(self, command: list[str], target: Target, timeout: float
                    ) -> tuple[Result, str]:
        try:
            res = await self.runtime.exec_sync(target.container_id, command, timeout)
        except (RuntimeFailure, RuntimeUnavailable) as e:
            return Result.FAILURE, str(e)
        output = res.output.decode(errors="replace")
        if res.timed_out:
            return Result.FAILURE, f"command {shlex.join(command)!r} timed out"
        if res.exit_code == 0:
            return Result.SUCCESS, output
        return Result.FAILURE, output or f"command exited with {res.exit_code}"

    async def _tcp(self, host: str | None, port: int | None, timeout: float
                   ) -> tuple[Result, str]:
        if not host or port is None:
            return Result.FAILURE, "no address to probe"
        try:
            async with asyncio.timeout(timeout):
                _reader, writer = await asyncio.open_connection(host, port)
        except TimeoutError:
            return Result.FAILURE, f"dial tcp {host}:{port}: i/o timeout"
        except OSError as e:
            return Result.FAILURE, f"dial tcp {host}:{port}: connect: {e.strerror or e}"
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return Result.SUCCESS, ""

    async def _http(self, action: HTTPGetAction, spec: Container, target: Target,
                    timeout: float) -> tuple[Result, str]:
        port = resolve_port(action.port, spec)
        host = action.host or target.pod_ip
        if not host or port is None:
            return Result.FAILURE, "no address to probe"
        path = action.path or "/"
        url = f"{(action.scheme or 'HTTP').lower()}://{host}:{port}{path if path.startswith('/') else '/' + path}"
        headers = {h.name: h.value for h in action.httpHeaders or ()}
        try:
            resp = await self.http.get(url, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return Result.FAILURE, f'Get "{url}": context deadline exceeded'
        except httpx.HTTPError as e:
            return Result.FAILURE, f'Get "{url}": {e}'
        if 200 <= resp.status_code < 400:
            return Result.SUCCESS, ""
        return Result.FAILURE, f"HTTP probe failed with statuscode: {resp.status_code}"

    async def close(self) -> None:
        await self.http.aclose()
