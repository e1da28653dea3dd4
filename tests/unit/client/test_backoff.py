"""Backoff with a fake clock: doubling to the cap, the backoff window, reset after quiet,
and the kubelet's CrashLoopBackOff figures."""

from __future__ import annotations

import pytest

from tugboat.client import Backoff


def test_doubles_to_the_cap(clock) -> None:
    b = Backoff(10, 300, clock=clock)
    delays = []
    for _ in range(8):
        delays.append(b.next("pod/c"))
        clock.advance(1)
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]
    assert b.steps("pod/c") == 8


def test_backoff_window(clock) -> None:
    b = Backoff(10, 300, clock=clock)
    assert not b.in_backoff("k") and b.delay("k") == 0 and b.remaining("k") == 0
    b.next("k")
    assert b.in_backoff("k") and b.remaining("k") == 10
    clock.advance(4)
    assert b.remaining("k") == 6
    clock.advance(6)
    assert not b.in_backoff("k")
    assert b.delay("k") == 10  # still remembered: the next failure doubles it
    assert b.next("k") == 20


def test_crashloop_resets_after_ten_minutes_of_good_running(clock) -> None:
    b = Backoff(10, 300, clock=clock)  # reset_after defaults to 2 × cap = 600 s
    for _ in range(6):
        b.next("c")
    assert b.delay("c") == 300
    clock.advance(600)
    assert b.delay("c") == 300  # exactly 10 min is not yet "more than"
    clock.advance(1)
    assert b.delay("c") == 0
    assert b.next("c") == 10


def test_keys_are_independent_and_reset(clock) -> None:
    b = Backoff(1, 8, factor=3, reset_after=100, clock=clock)
    assert [b.next("a"), b.next("a"), b.next("a")] == [1, 3, 8]
    assert b.next("b") == 1
    b.reset("a")
    assert b.delay("a") == 0 and b.delay("b") == 1


def test_gc_drops_quiet_keys(clock) -> None:
    b = Backoff(1, 10, clock=clock)
    b.next("old")
    clock.advance(15)
    b.next("new")
    clock.advance(10)
    b.gc()
    assert len(b) == 1 and b.delay("new") == 1


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(0, 10)
    with pytest.raises(ValueError):
        Backoff(10, 5)
