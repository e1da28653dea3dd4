"""The four ways a PATCH request can change an object, on wire dicts.

- `json_merge_patch` — RFC 7386, `application/merge-patch+json`;
- `json_patch` — RFC 6902, `application/json-patch+json`;
- `strategic_merge_patch` — Kubernetes' list-aware merge, `application/strategic-merge-patch+json`;
- `apply_patch` — the merge of server-side apply, `application/apply-patch+yaml` (field
  ownership is api/fieldmanager's);

plus `three_way_patch`, the patch client-side `kubectl apply` computes. None of them mutates
its arguments; failures raise PatchError (a ValueError), PatchTooLarge or MalformedPatch
when a bound of `limits` or the patch's shape is at fault.
"""

from tugboat.api.patch.apply import apply_patch, three_way_patch
from tugboat.api.patch.jsonpatch import check_operations, json_patch, parse_pointer
from tugboat.api.patch.limits import (
    MAX_COPY_BYTES,
    MAX_DEPTH,
    MAX_JSON_PATCH_OPERATIONS,
    MalformedPatch,
    PatchTooLarge,
    nesting_depth,
)
from tugboat.api.patch.merge import PatchError, json_equal, json_merge_patch
from tugboat.api.patch.strategic import (
    PATCH_RULES,
    PatchMeta,
    PatchRule,
    patch_meta,
    strategic_merge_patch,
)

__all__ = [
    "MAX_COPY_BYTES",
    "MAX_DEPTH",
    "MAX_JSON_PATCH_OPERATIONS",
    "PATCH_RULES",
    "MalformedPatch",
    "PatchError",
    "PatchMeta",
    "PatchRule",
    "PatchTooLarge",
    "apply_patch",
    "check_operations",
    "json_equal",
    "json_merge_patch",
    "json_patch",
    "nesting_depth",
    "parse_pointer",
    "patch_meta",
    "strategic_merge_patch",
    "three_way_patch",
]
