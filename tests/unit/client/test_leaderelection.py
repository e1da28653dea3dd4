"""Leader election against an in-memory Lease API with resourceVersion preconditions:
one leader among candidates, takeover after expiry (fake clock), release, run()."""

from __future__ import annotations

import asyncio
import copy
import re
from typing import Any

import pytest

from tugboat.api.meta import Status
from tugboat.client import AlreadyExists, Conflict, LeaderElector, NotFound, micro_time
from tugboat.client.leaderelection import LEASES

pytestmark = pytest.mark.anyio
WAIT = 5.0


def status(code: int, reason: str) -> Status:
    return Status(code=code, reason=reason, message=reason)


class FakeLeaseApi:
    """The three calls an elector makes, with the apiserver's optimistic concurrency.
    Each call yields to the loop first, so concurrent candidates interleave."""

    def __init__(self) -> None:
        self.leases: dict[str, dict[str, Any]] = {}
        self.rv = 0

    async def get(self, info: Any, name: str, namespace: str) -> dict[str, Any]:
        assert info is LEASES
        await asyncio.sleep(0)
        if name not in self.leases:
            raise NotFound(status(404, "NotFound"))
        return copy.deepcopy(self.leases[name])

    async def create(self, info: Any, body: dict[str, Any], namespace: str) -> dict[str, Any]:
        await asyncio.sleep(0)
        name = body["metadata"]["name"]
        if name in self.leases:
            raise AlreadyExists(status(409, "AlreadyExists"))
        return self._store(body)

    async def update(self, info: Any, body: dict[str, Any], namespace: str) -> dict[str, Any]:
        await asyncio.sleep(0)
        current = self.leases[body["metadata"]["name"]]
        if body["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise Conflict(status(409, "Conflict"))
        return self._store(body)

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        self.rv += 1
        stored = copy.deepcopy(body)
        stored["metadata"]["resourceVersion"] = str(self.rv)
        self.leases[stored["metadata"]["name"]] = stored
        return copy.deepcopy(stored)

    def spec(self, name: str = "sched") -> dict[str, Any]:
        return self.leases[name]["spec"]


def candidate(api: FakeLeaseApi, identity: str, clock: Any, **kw: Any) -> LeaderElector:
    return LeaderElector(api, "sched", identity=identity, lease_duration=15,
                         renew_deadline=10, retry_period=2, clock=clock, **kw)


async def test_first_candidate_creates_the_lease_and_leads(clock: Any) -> None:
    api = FakeLeaseApi()
    a, b = candidate(api, "a", clock), candidate(api, "b", clock)
    assert await a.try_acquire_or_renew()
    assert not await b.try_acquire_or_renew()
    spec = api.spec()
    assert spec["holderIdentity"] == "a"
    assert spec["leaseDurationSeconds"] == 15 and spec["leaseTransitions"] == 0
    assert spec["acquireTime"] == spec["renewTime"]
    assert api.leases["sched"]["metadata"]["namespace"] == "kube-system"
    assert b.leader == "a"


async def test_concurrent_candidates_only_one_wins(clock: Any) -> None:
    api = FakeLeaseApi()
    electors = [candidate(api, f"c{i}", clock) for i in range(4)]
    results = await asyncio.gather(*(e.try_acquire_or_renew() for e in electors))
    assert results.count(True) == 1
    assert api.spec()["holderIdentity"] == f"c{results.index(True)}"


async def test_takeover_after_expiry_is_won_by_one(clock: Any) -> None:
    api = FakeLeaseApi()
    dead = candidate(api, "dead", clock)
    assert await dead.try_acquire_or_renew()
    a, b = candidate(api, "a", clock), candidate(api, "b", clock)
    assert not await a.try_acquire_or_renew() and not await b.try_acquire_or_renew()
    clock.advance(14)
    assert not await a.try_acquire_or_renew()  # not yet expired as a has observed it
    clock.advance(2)
    results = await asyncio.gather(a.try_acquire_or_renew(), b.try_acquire_or_renew())
    assert sorted(results) == [False, True]
    spec = api.spec()
    assert spec["holderIdentity"] in ("a", "b") and spec["leaseTransitions"] == 1


async def test_renewing_keeps_the_lease_and_resets_expiry(clock: Any) -> None:
    api = FakeLeaseApi()
    a, b = candidate(api, "a", clock), candidate(api, "b", clock)
    await a.try_acquire_or_renew()
    acquired = api.spec()["acquireTime"]
    for _ in range(5):
        await b.try_acquire_or_renew()
        clock.advance(10)
        assert await a.try_acquire_or_renew()  # renew every 10 s < 15 s duration
    assert not await b.try_acquire_or_renew()
    assert api.spec()["holderIdentity"] == "a"
    assert api.spec()["acquireTime"] == acquired
    clock.advance(16)  # a stops renewing
    assert await b.try_acquire_or_renew()
    assert not await a.try_acquire_or_renew()
    assert a.leader == "b"


async def test_release_hands_over_without_waiting(clock: Any) -> None:
    api = FakeLeaseApi()
    a, b = candidate(api, "a", clock), candidate(api, "b", clock)
    await a.try_acquire_or_renew()
    assert not await b.try_acquire_or_renew()
    assert await a.release()
    assert api.spec()["holderIdentity"] == ""
    assert await b.try_acquire_or_renew()
    assert api.spec()["leaseTransitions"] == 1
    assert not await a.release()  # no longer a's to give
    assert await b.release()


async def test_run_leads_then_releases_on_cancel() -> None:
    api = FakeLeaseApi()
    calls: list[str] = []
    a = LeaderElector(api, "cm", identity="a", lease_duration=3, renew_deadline=2,
                      retry_period=0.01, on_started_leading=lambda: calls.append("start"),
                      on_stopped_leading=lambda: calls.append("stop"))
    task = asyncio.create_task(a.run())
    await asyncio.wait_for(a.started_leading.wait(), WAIT)
    assert a.is_leader and api.spec("cm")["holderIdentity"] == "a"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == ["start", "stop"] and a.stopped_leading.is_set() and not a.is_leader
    assert api.spec("cm")["holderIdentity"] == ""


async def test_run_returns_when_leadership_is_lost() -> None:
    api = FakeLeaseApi()
    a = LeaderElector(api, "cm", identity="a", lease_duration=3, renew_deadline=2,
                      retry_period=0.01)
    task = asyncio.create_task(a.run())
    await asyncio.wait_for(a.started_leading.wait(), WAIT)
    lease = api.leases["cm"]
    api._store({**lease, "spec": {**lease["spec"], "holderIdentity": "usurper"}})
    await asyncio.wait_for(task, WAIT)
    assert a.stopped_leading.is_set()


def test_micro_time_format() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", micro_time())


def test_periods_must_nest() -> None:
    with pytest.raises(ValueError):
        LeaderElector(FakeLeaseApi(), "x", identity="a", lease_duration=5, renew_deadline=10)
