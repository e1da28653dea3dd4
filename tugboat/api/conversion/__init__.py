"""Conversion between the served versions of one resource, for resources served in more
than one version from one storage version (autoscaling/v1 HorizontalPodAutoscalers are
stored as autoscaling/v2). A Converter turns a wire object of its served version into the
storage version's and back; the ResourceInfo of the served version names it, and the API
server applies it to every request body, response and watch event of that version.
Converters work on wire dicts, the form the API server holds objects in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


class ConversionError(ValueError):
    """An object that cannot be converted (a malformed round-trip annotation): the
    request that carried it is a 400, as Kubernetes' decoder answers."""


@dataclass(frozen=True)
class Converter:
    to_storage: Callable[[Obj], Obj]
    from_storage: Callable[[Obj], Obj]
