"""/livez, /readyz and /healthz as kube-apiserver serves them: named checks, `ok` when all
pass, `?verbose` for the list (`[+]ping ok`, `[-]etcd failed: reason withheld`), `?exclude=`
to leave one out, and each check alone at /readyz/<name> with its reason. The root lists
withhold reasons because anyone may read them (system:public-info-viewer); the reason is
logged, and shown at the individual path.

The checks mean something: `etcd` commits to disk through the store's writer (a side row,
no new revision), `disk-space` watches the free space under the database against the
reserve that keeps deletes possible, and `watch-cache` is false while the cache is not
current. /livez fails only for what a restart can mend: a watch cache that has not
recovered for a while. A failed check answers 503 (kube-apiserver answers 500; probes and
load balancers read only "not 200", and a 500 here would read as a server bug).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from tugboat.apiserver.diskreserve import DiskReserve
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import StoreHealth

log = logging.getLogger(__name__)

Reason = str | None  # None: the check passed; else why it failed
PROBE_TIMEOUT = 5.0  # a commit that takes longer is as good as failed
PROBE_TTL = 1.0  # one commit per second at most, however often /readyz is asked
CACHE_RECOVERY = 60.0  # seconds a watch cache may stay not current before /livez fails


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], Awaitable[Reason]]


async def ping() -> Reason:
    return None


class StoreCommit:
    """`etcd`: a real commit, shared by the requests that ask within PROBE_TTL."""

    def __init__(self, store: StoreHealth, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.clock = clock
        self._last: tuple[float, Reason] | None = None
        self._running: asyncio.Future[Reason] | None = None

    async def __call__(self) -> Reason:
        if self._last is not None and self.clock() - self._last[0] < PROBE_TTL:
            return self._last[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._probe())
        running = self._running
        try:
            return await asyncio.shield(running)
        finally:
            if running.done() and self._running is running:
                self._running = None

    async def _probe(self) -> Reason:
        try:
            await asyncio.wait_for(self.store.probe(), PROBE_TIMEOUT)
            reason = None
        except TimeoutError:
            reason = f"the store did not commit within {PROBE_TIMEOUT:g}s"
        except Exception as e:  # the store's own error says what went wrong
            reason = f"the store cannot commit: {e}"
        self._last = (self.clock(), reason)
        return reason


def cache_current(cache: WatchCache) -> Callable[[], Awaitable[Reason]]:
    async def check() -> Reason:
        if not cache.ready.is_set():
            return "the watch cache has not loaded yet"
        return cache.failure
    return check


def cache_recovering(cache: WatchCache, within: float) -> Callable[[], Awaitable[Reason]]:
    async def check() -> Reason:
        down = cache.not_current_for()
        if down > within:
            return f"the watch cache has not been current for {down:.0f}s: {cache.failure}"
        return None
    return check


def disk_room(reserve: DiskReserve) -> Callable[[], Awaitable[Reason]]:
    async def check() -> Reason:
        return reserve.shortage()
    return check


@dataclass(frozen=True)
class HealthChecks:
    """The three endpoints' lists of checks."""

    livez: list[Check]
    readyz: list[Check]

    @property
    def healthz(self) -> list[Check]:  # deprecated: everything, as kube-apiserver's
        return self.readyz


def health_checks(cache: WatchCache, store: StoreHealth | None,
                  reserve: DiskReserve | None) -> HealthChecks:
    ready = [Check("ping", ping)]
    if store is not None:
        ready.append(Check("etcd", StoreCommit(store)))
    if reserve is not None:
        ready.append(Check("disk-space", disk_room(reserve)))
    ready.append(Check("watch-cache", cache_current(cache)))
    live = [Check("ping", ping), Check("watch-cache", cache_recovering(cache, CACHE_RECOVERY))]
    return HealthChecks(live, ready)


def root_handler(endpoint: str, checks: list[Check]) -> Callable[[Request], Awaitable[Response]]:
    """GET /<endpoint>: kube-apiserver's handleRootHealth."""
    async def handler(request: Request) -> Response:
        excluded = set(request.query_params.getlist("exclude"))
        lines, failed = [], []
        for check in checks:
            if check.name in excluded:
                excluded.discard(check.name)
                lines.append(f"[+]{check.name} excluded: ok")
                continue
            reason = await check.run()
            if reason is None:
                lines.append(f"[+]{check.name} ok")
            else:
                lines.append(f"[-]{check.name} failed: reason withheld")
                failed.append(f"{check.name}: {reason}")
        if excluded:
            quoted = ",".join(f'"{n}"' for n in sorted(excluded))
            lines.append(f"warn: some health checks cannot be excluded: no matches for {quoted}")
        if failed:  # always verbose on failure
            log.warning("%s check failed: %s", endpoint, "; ".join(failed))
            return _text("\n".join(lines) + f"\n{endpoint} check failed", 503)
        if "verbose" not in request.query_params:
            return _text("ok", 200)
        return _text("\n".join(lines) + f"\n{endpoint} check passed\n", 200)
    return handler


def single_handler(endpoint: str, checks: list[Check]
                   ) -> Callable[[Request], Awaitable[Response]]:
    """GET /<endpoint>/<name>: one check, with its reason."""
    by_name = {c.name: c for c in checks}

    async def handler(request: Request) -> Response:
        check = by_name.get(request.path_params["name"])
        if check is None:
            return _text("404 page not found\n", 404)
        reason = await check.run()
        if reason is not None:
            return _text(f"internal server error: {reason}\n", 503)
        return _text("ok", 200)
    return handler


def _text(body: str, code: int) -> Response:
    return PlainTextResponse(body, status_code=code, headers={"X-Content-Type-Options": "nosniff"})
