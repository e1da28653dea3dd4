"""Apply conflicts: the fields an apply would take from other managers, and the 409 that
reports them in Kubernetes' words (fieldmanager's NewConflictError)."""

from __future__ import annotations

from dataclasses import dataclass

from tugboat.api.fieldmanager import fieldpath as fp
from tugboat.api.meta import StatusCause

CAUSE_TYPE = "FieldManagerConflict"


@dataclass(frozen=True)
class Conflict:
    manager: str  # the manager as printed: '"kubectl-client-side-apply" using apps/v1'
    path: fp.Path

    @property
    def field(self) -> str:
        return fp.render(self.path)


def describe_manager(manager: str, operation: str, api_version: str | None,
                     subresource: str | None) -> str:
    """printManager: the name quoted, its subresource, and for an Update its version."""
    out = f'"{manager}"'
    if subresource:
        out += f' with subresource "{subresource}"'
    if operation == "Update":
        out += f" using {api_version or ''}"
    return out


class ApplyConflict(Exception):
    """An apply that would change fields other managers own; `force` takes them instead."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = sorted(conflicts, key=lambda c: (c.manager, c.path))
        super().__init__(self.message)

    @property
    def message(self) -> str:
        cs = self.conflicts
        if len(cs) == 1:
            return f"Apply failed with 1 conflict: conflict with {cs[0].manager}: {cs[0].field}"
        lines: list[str] = []
        for manager in sorted({c.manager for c in cs}):
            lines.append(f"conflicts with {manager}:")
            lines += [f"- {c.field}" for c in cs if c.manager == manager]
        return f"Apply failed with {len(cs)} conflicts: " + "\n".join(lines)

    def causes(self) -> list[StatusCause]:
        return [StatusCause(reason=CAUSE_TYPE, message=f"conflict with {c.manager}",
                            field=c.field) for c in self.conflicts]
