"""Fixtures for the scheduler unit tests: a fake clock tests step by hand."""

from __future__ import annotations

import pytest

from tests.support.clock import ManualClock

FakeClock = ManualClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
