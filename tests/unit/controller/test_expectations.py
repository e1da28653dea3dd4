"""Expectations: a controller acts again only when what it asked for has been observed."""

from __future__ import annotations

from tests.unit.controller.fakes import Clock
from tugboat.controller.expectations import Expectations


def test_creations_and_deletions_must_be_observed() -> None:
    e = Expectations(Clock())
    assert e.satisfied("ns/rs")
    e.expect_creations("ns/rs", 2)
    assert not e.satisfied("ns/rs")
    e.creation_observed("ns/rs")
    assert not e.satisfied("ns/rs") and e.pending("ns/rs") == (1, 0)
    e.creation_observed("ns/rs")
    assert e.satisfied("ns/rs")
    e.expect_deletions("ns/rs", ["ns/a", "ns/b"])
    e.deletion_observed("ns/rs", "ns/a")
    e.deletion_observed("ns/rs", "ns/a")  # twice is once
    assert not e.satisfied("ns/rs")
    e.deletion_observed("ns/rs", "ns/b")
    assert e.satisfied("ns/rs")


def test_stale_expectations_expire() -> None:
    clock = Clock()
    e = Expectations(clock, timeout=300)
    e.expect_creations("k", 5)
    clock.now += 299
    assert not e.satisfied("k")
    clock.now += 2
    assert e.satisfied("k")
    e.forget("k")
    assert e.pending("k") == (0, 0)
