"""Evaluating a pod against one level and version: pick each check's variant for that
version, run baseline's checks and, at restricted, restricted's (minus the baseline ones
they replace), in Kubernetes' order — baseline IDs sorted, then restricted IDs sorted —
so the messages list reasons in the same order as a real cluster's."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from tugboat.apiserver.admission.podsecurity import baseline, restricted
from tugboat.apiserver.admission.podsecurity.checks import Check, CheckResult, Obj
from tugboat.apiserver.admission.podsecurity.levels import Level, LevelVersion, Version

ALL_CHECKS: tuple[Check, ...] = baseline.CHECKS + restricted.CHECKS


@dataclass
class Aggregate:
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def forbidden_reason(self) -> str:
        """`host namespaces, privileged` — the short form, for listing many pods."""
        return ", ".join(self.reasons)

    def forbidden_detail(self) -> str:
        """`host namespaces (hostNetwork), privileged (container "c" must not ...)`."""
        return ", ".join(f"{r} ({d})" if d else r for r, d in zip(self.reasons, self.details,
                                                                  strict=True))


def _active(level: Level, version: Version) -> dict[str, Check]:
    """ID → the variant of each check of `level` that applies at `version`."""
    chosen: dict[str, Check] = {}
    for c in ALL_CHECKS:
        if c.level is level and version.at_least(c.min_minor):
            if c.id not in chosen or chosen[c.id].min_minor < c.min_minor:
                chosen[c.id] = c
    return chosen


@cache
def checks_for(lv: LevelVersion) -> tuple[Check, ...]:
    if lv.level is Level.PRIVILEGED:
        return ()
    base = _active(Level.BASELINE, lv.version)
    if lv.level is Level.BASELINE:
        return tuple(base[i] for i in sorted(base))
    strict = _active(Level.RESTRICTED, lv.version)
    replaced = {o for c in strict.values() for o in c.overrides}
    return (tuple(base[i] for i in sorted(base) if i not in replaced)
            + tuple(strict[i] for i in sorted(strict)))


def evaluate(lv: LevelVersion, meta: Obj, spec: Obj) -> Aggregate:
    out = Aggregate()
    for check in checks_for(lv):
        result: CheckResult = check.fn(meta, spec)
        if not result.allowed:
            out.reasons.append(result.reason or "unknown forbidden reason")
            out.details.append(result.detail)
    return out
