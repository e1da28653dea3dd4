"""What every Pod Security check shares: its result, its registration (ID, level, the
first policy version it applies to, the baseline checks it replaces at restricted), and
the wording pieces Kubernetes' messages are built from (`container "a"` / `containers
"a", "b"`). The checks work on the wire dicts (the object is already defaulted and
validated), reading absent fields as unset."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tugboat.apiserver.admission.podsecurity.levels import Level

Obj = dict[str, Any]


@dataclass(frozen=True)
class CheckResult:
    allowed: bool = True
    reason: str = ""
    detail: str = ""


ALLOWED = CheckResult()


def forbid(reason: str, detail: str = "") -> CheckResult:
    return CheckResult(False, reason, detail)


CheckFn = Callable[[Obj, Obj], CheckResult]  # (pod metadata, pod spec) → result


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    fn: CheckFn
    min_minor: int = 0  # the first policy version (v1.<min_minor>) the check belongs to
    overrides: tuple[str, ...] = ()  # baseline checks this restricted one replaces


def join_quote(items: list[str]) -> str:
    return ", ".join(f'"{i}"' for i in items)


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def containers_phrase(names: list[str]) -> str:
    """`container "a"` or `containers "a", "b"`."""
    return f'{pluralize("container", "containers", len(names))} {join_quote(names)}'


def containers(spec: Obj) -> Iterator[Obj]:
    """Every container of the pod: init, regular and ephemeral, as Kubernetes visits them."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(key) or []


def security_context(container_or_spec: Obj) -> Obj:
    return container_or_spec.get("securityContext") or {}


def setters(pod_bad: bool, bad_containers: list[str]) -> str:
    """`pod`, `container "a"`, `pod and containers "a", "b"`: who set the bad value."""
    who = ["pod"] if pod_bad else []
    if bad_containers:
        who.append(containers_phrase(bad_containers))
    return " and ".join(who)
