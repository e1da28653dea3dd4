"""Flag types the daemons share for their command lines (argparse `type=` callables):
one spelling of a bad value's message whichever daemon is given it."""

from __future__ import annotations

import argparse

from tugboat.api.durations import parse_duration


def positive_duration(text: str) -> float:
    """A Go duration ("30s", "1m30s") in seconds, more than zero."""
    try:
        seconds = parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"duration must be positive: {text!r}")
    return seconds
