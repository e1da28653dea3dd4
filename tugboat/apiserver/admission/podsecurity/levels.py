"""Pod Security levels, versions and the per-namespace policy read from the namespace's
`pod-security.kubernetes.io/<mode>[-version]` labels (k8s.io/pod-security-admission/api).
A bad label value fails closed, as Kubernetes': an unknown level evaluates as restricted
and an unknown version as latest, and the parse errors are reported with the label's
field path so a namespace with such labels can be refused."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tugboat.api.meta import StatusCause
from tugboat.api.validation import fielderrors

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")


class Level(str, enum.Enum):
    PRIVILEGED = "privileged"
    BASELINE = "baseline"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return (Level.PRIVILEGED, Level.BASELINE, Level.RESTRICTED).index(self)


@dataclass(frozen=True, order=True)
class Version:
    """`v1.<minor>`, or latest (minor None), which sorts after every numbered version."""

    minor: int | None = None

    @property
    def latest(self) -> bool:
        return self.minor is None

    def at_least(self, minor: int) -> bool:
        return self.minor is None or self.minor >= minor

    def __str__(self) -> str:
        return "latest" if self.minor is None else f"v1.{self.minor}"


LATEST = Version()
_VERSION = re.compile(r"^v1\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class LevelVersion:
    level: Level = Level.PRIVILEGED
    version: Version = LATEST

    def __str__(self) -> str:  # the form every message quotes: "restricted:latest"
        return f"{self.level.value}:{self.version}"


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion = LevelVersion()
    audit: LevelVersion = LevelVersion()
    warn: LevelVersion = LevelVersion()

    @property
    def all_privileged(self) -> bool:
        return all(lv.level is Level.PRIVILEGED for lv in (self.enforce, self.audit, self.warn))


@dataclass
class ParsedPolicy:
    policy: Policy
    errors: list[StatusCause] = field(default_factory=list)


def parse_level(value: str) -> tuple[Level, str | None]:
    try:
        return Level(value), None
    except ValueError:
        return Level.RESTRICTED, "must be one of privileged, baseline, restricted"


def parse_version(value: str) -> tuple[Version, str | None]:
    if value == "latest":
        return LATEST, None
    m = _VERSION.match(value)
    if not m:
        return LATEST, 'must be "latest" or "v1.x"'
    return Version(int(m.group(1))), None


def policy_of(labels: Mapping[str, str] | None, default: Policy = Policy()) -> ParsedPolicy:
    """The policy a namespace's labels ask for, over the cluster default (privileged)."""
    labels = labels or {}
    errors: list[StatusCause] = []
    modes: dict[str, LevelVersion] = {m: getattr(default, m) for m in MODES}
    given_level: dict[str, bool] = {}
    given_version: dict[str, bool] = {}
    for mode in MODES:
        lv = modes[mode]
        level, version = lv.level, lv.version
        key = LABEL_PREFIX + mode
        if key in labels:
            level, err = parse_level(labels[key])
            # a bad enforce level must not also tighten warn: only a good one counts
            given_level[mode] = err is None or mode != "enforce"
            if err:
                errors.append(fielderrors.invalid(f"metadata.labels[{key}]", labels[key], err))
        if key + "-version" in labels:
            version, err = parse_version(labels[key + "-version"])
            given_version[mode] = True
            if err:
                errors.append(fielderrors.invalid(f"metadata.labels[{key}-version]",
                                                  labels[key + "-version"], err))
        modes[mode] = LevelVersion(level, version)
    enforce, warn = modes["enforce"], modes["warn"]
    # Kubernetes warns at the enforce level when only enforce is set, so that creating a
    # Deployment whose pods enforce will refuse says so at once.
    if (not given_level.get("warn") and given_level.get("enforce")
            and enforce.level.rank > warn.level.rank):
        version = warn.version if given_version.get("warn") else enforce.version
        modes["warn"] = LevelVersion(enforce.level, version)
    return ParsedPolicy(Policy(modes["enforce"], modes["audit"], modes["warn"]), errors)
