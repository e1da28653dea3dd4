"""subPath and subPathExpr mounts (pkg/volume/util/subpath, and the kubelet's makeMounts):
a file or directory inside a volume mounted on its own. subPathExpr expands $(VAR) from the
container's environment first; a variable without a value is an error, not an empty path
segment. A missing subPath is created as a directory; one that resolves (through symlinks)
outside its volume is refused. The resolved path is what gets bind-mounted, which is why a
subPath into a configMap volume keeps the version the container started with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from tugboat.api.container import Container, VolumeMount
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure

_REF = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")


def expand_sub_path_expr(expr: str, env: Mapping[str, str]) -> str:
    """Kubernetes' ExpandContainerVolumeMounts: $(VAR) from env, `$$` for a literal `$`;
    ValueError naming every variable without a (non-empty) value."""
    missing: set[str] = set()

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        value = env.get(m.group(1), "")
        if not value:
            missing.add(m.group(1))
        return value

    expanded = _REF.sub(sub, expr)
    if missing:
        raise ValueError(f"missing value for {', '.join(sorted(missing))}")
    return expanded


def sub_path_of(vm: VolumeMount, spec: Container, env: Mapping[str, str]) -> str | None:
    """The mount's path inside its volume, expanded; None for the whole volume."""
    if vm.subPathExpr:
        try:
            sub = expand_sub_path_expr(vm.subPathExpr, env)
        except ValueError as e:
            raise StartFailure(CREATE_CONFIG_ERROR, f"unable to provision SubPath "
                                                    f"`{vm.subPathExpr}`: {e}") from e
    else:
        sub = vm.subPath or ""
    if not sub:
        return None
    p = PurePosixPath(sub)
    if p.is_absolute() or ".." in p.parts:
        raise StartFailure(CREATE_CONFIG_ERROR,
                           f"failed to prepare subPath for volumeMount \"{vm.name}\" of "
                           f"container \"{spec.name}\": {sub!r} must be a relative path "
                           "without '..'")
    return str(p)


def resolve(volume_dir: Path, sub: str, vm: VolumeMount, spec: Container) -> Path:
    """The host path to bind for `sub` inside `volume_dir`, symlinks resolved; created as a
    directory when missing."""
    candidate = volume_dir / sub
    if not candidate.exists() and not candidate.is_symlink():
        candidate.mkdir(mode=0o755, parents=True, exist_ok=True)
    real, root = candidate.resolve(), volume_dir.resolve()
    if real != root and root not in real.parents:
        raise StartFailure(CREATE_CONFIG_ERROR,
                           f"failed to prepare subPath for volumeMount \"{vm.name}\" of "
                           f"container \"{spec.name}\": subpath \"{real}\" not within "
                           f"volume path \"{root}\"")
    if not real.exists():
        raise StartFailure(CREATE_CONFIG_ERROR,
                           f"failed to prepare subPath for volumeMount \"{vm.name}\" of "
                           f"container \"{spec.name}\": {sub} is a dangling symlink")
    return real
