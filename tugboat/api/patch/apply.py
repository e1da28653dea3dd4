"""`kubectl apply`, both flavours.

Server-side apply (`application/apply-patch+yaml`) sends the whole desired object and lets
the server merge it: `apply_patch` is that merge alone (field ownership is
api/fieldmanager's). Client-side apply computes a strategic merge patch from
three documents (the last-applied configuration, the new file, the live object) and PATCHes
it: `three_way_patch`, the equivalent of strategicpatch.CreateThreeWayMergePatch, which
`tug apply` uses and which lets tests check what real kubectl would send.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from tugboat.api.patch.merge import PatchError, json_equal
from tugboat.api.patch.strategic import (
    DELETE_FROM_PRIMITIVE_LIST,
    DIRECTIVE,
    RETAIN_KEYS,
    SET_ELEMENT_ORDER,
    normalize_order,
    patch_meta,
    position,
    strategic_merge_patch,
)


def apply_patch(
    live: dict[str, Any], applied: dict[str, Any], kind: str | None = None
) -> dict[str, Any]:
    """An applied configuration merged onto the live object, without field ownership.

    The applied fields win, lists of objects merge item by item on their merge keys (as in
    a strategic merge), and live fields the configuration does not mention are kept.
    `null` values and `$`-directives in the configuration are ignored, since an apply
    configuration is an object, not a patch.

    The API server's server-side apply does not use this: api/fieldmanager merges with
    Kubernetes' list types, records managedFields, prunes what a manager stops applying
    and reports conflicts. This plain merge serves what has no managed fields of its own:
    an apply to the /scale subresource's Scale.
    """
    if not isinstance(applied, dict):
        raise PatchError("an apply configuration must be a JSON object")
    return strategic_merge_patch(live, _as_configuration(applied), kind or applied.get("kind"))


def _as_configuration(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _as_configuration(v)
            for k, v in value.items()
            if v is not None and not k.startswith("$")
        }
    if isinstance(value, list):
        return [_as_configuration(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Client-side apply: the three-way patch


@dataclass(frozen=True)
class _DiffOptions:
    ignore_deletions: bool = False  # the delta pass (current -> modified) adds and changes only
    ignore_changes: bool = False  # the deletions pass (original -> modified) deletes only
    retain_keys: bool = False  # emit $retainKeys for this map


def _kind_of(value: Any) -> str:
    return "map" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


class _Differ:
    """diffMaps for one object kind: produces a strategic merge patch from `a` to `b`."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind

    def diff_maps(
        self, a: dict[str, Any], b: dict[str, Any], path: tuple[str, ...], opts: _DiffOptions
    ) -> dict[str, Any]:
        patch: dict[str, Any] = {}
        for key, new in b.items():
            self._diff_field(patch, key, a.get(key), key in a, new, path + (key,), opts)
        if not opts.ignore_deletions:
            patch.update({key: None for key in a if key not in b})
        if opts.retain_keys:
            retained = sorted(k for k, v in b.items() if v is not None)
            dropped = any(v is not None and k not in b for k, v in a.items())
            if retained and (patch or dropped):
                patch[RETAIN_KEYS] = retained
        return patch

    def _diff_field(
        self,
        patch: dict[str, Any],
        key: str,
        old: Any,
        present: bool,
        new: Any,
        path: tuple[str, ...],
        opts: _DiffOptions,
    ) -> None:
        if not present or _kind_of(old) != _kind_of(new):
            # Added, or changed type. (A null for a field that is already absent is no change.)
            if not opts.ignore_changes and (present or new is not None):
                patch[key] = copy.deepcopy(new)
        elif isinstance(new, dict):
            retain = patch_meta(self.kind, path).retain_keys
            sub = self.diff_maps(old, new, path, replace(opts, retain_keys=retain))
            if sub:
                patch[key] = sub
        elif isinstance(new, list):
            self._diff_list_field(patch, key, old, new, path, opts)
        elif not opts.ignore_changes and not json_equal(old, new):
            patch[key] = new

    def _diff_list_field(
        self,
        patch: dict[str, Any],
        key: str,
        old: list[Any],
        new: list[Any],
        path: tuple[str, ...],
        opts: _DiffOptions,
    ) -> None:
        meta = patch_meta(self.kind, path)
        if not meta.merge:
            if not opts.ignore_changes and not json_equal(old, new):
                patch[key] = copy.deepcopy(new)
            return
        if not old:
            if new and not opts.ignore_changes:
                patch[key] = copy.deepcopy(new)
            return
        if all(not isinstance(v, dict | list) for v in old + new):
            changes, deletions, order = _diff_scalar_lists(old, new, opts)
        else:
            changes, order = self._diff_object_lists(old, new, meta.merge_key, path, opts)
            deletions = []
        for name, value in (
            (key, changes),
            (DELETE_FROM_PRIMITIVE_LIST + key, deletions),
            (SET_ELEMENT_ORDER + key, order),
        ):
            if value:
                patch[name] = value

    def _diff_object_lists(
        self,
        old: list[Any],
        new: list[Any],
        key: str | None,
        path: tuple[str, ...],
        opts: _DiffOptions,
    ) -> tuple[list[Any], list[Any]]:
        if key is None:
            raise PatchError(f"cannot merge lists without merge key for {'.'.join(path)}")
        _check_merge_keys(old + new, key)
        item_opts = replace(opts, retain_keys=patch_meta(self.kind, path).retain_keys)
        changes = []
        for item in new:
            found = position(old, item, key)
            if found < 0:
                if not opts.ignore_changes:
                    changes.append(copy.deepcopy(item))
                continue
            sub = self.diff_maps(old[found], item, path, item_opts)
            if sub:
                changes.append({**sub, key: item[key]})
        if not opts.ignore_deletions:
            gone = [o for o in old if position(new, o, key) < 0]
            changes += [
                {DIRECTIVE: "delete", key: o[key]} for o in sorted(gone, key=lambda o: str(o[key]))
            ]
        same_order = [o[key] for o in old] == [n[key] for n in new]
        changed = (not opts.ignore_changes and (changes or not same_order)) or (
            not opts.ignore_deletions and changes
        )
        order = [{key: n[key]} for n in new] if changed else []
        return changes, order


def _check_merge_keys(items: list[Any], key: str) -> None:
    for item in items:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")


def _diff_scalar_lists(
    old: list[Any], new: list[Any], opts: _DiffOptions
) -> tuple[list[Any], list[Any], list[Any]]:
    added = [] if opts.ignore_changes else [v for v in new if position(old, v, None) < 0]
    removed = [] if opts.ignore_deletions else [v for v in old if position(new, v, None) < 0]
    removed = sorted({str(v): v for v in removed}.values(), key=str)
    changed = (not opts.ignore_deletions and removed) or (
        not opts.ignore_changes and not json_equal(old, new)
    )
    return added, removed, (list(new) if changed else [])


# ---------------------------------------------------------------------------------------------
# Combining the deletions patch and the delta patch (mergeMap without parallel-list merging)


def _merge_patches(
    base: dict[str, Any], extra: dict[str, Any], kind: str | None, path: tuple[str, ...]
) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if key.startswith("$") or value is None or key not in out:
            out[key] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            out[key] = _merge_patches(current, value, kind, path + (key,))
        elif (
            isinstance(current, list)
            and isinstance(value, list)
            and patch_meta(kind, path + (key,)).merge
        ):
            out[key] = _merge_patch_lists(current, value, kind, path + (key,))
        else:
            out[key] = value
    return out


def _merge_patch_lists(
    base: list[Any], extra: list[Any], kind: str | None, path: tuple[str, ...]
) -> list[Any]:
    key = patch_meta(kind, path).merge_key
    merged = list(base)
    for item in extra:
        found = position(merged, item, key) if isinstance(item, dict) and key else -1
        if found >= 0 and not (isinstance(merged[found], dict) and merged[found].get(DIRECTIVE)):
            merged[found] = _merge_patches(merged[found], item, kind, path)
        elif key is not None or position(merged, item, None) < 0:
            merged.append(item)
    return normalize_order(merged, extra, base, key)


def three_way_patch(
    original: dict[str, Any] | None,
    modified: dict[str, Any],
    current: dict[str, Any] | None,
    kind: str | None = None,
) -> dict[str, Any]:
    """The strategic merge patch `kubectl apply` sends (CreateThreeWayMergePatch).

    `original` is the last-applied configuration (None on the first apply), `modified` the
    new configuration and `current` the live object. The patch sets every field of
    `modified` that differs from `current`, deletes (null, `$patch: delete`,
    `$deleteFromPrimitiveList`) what `original` had and `modified` dropped, and leaves
    fields only `current` has (set by the server or by others) alone. Lists it touches carry
    `$setElementOrder`. Returns {} when there is nothing to change.
    """
    kind = kind or modified.get("kind") or (current or {}).get("kind")
    differ = _Differ(kind)
    delta = differ.diff_maps(current or {}, modified, (), _DiffOptions(ignore_deletions=True))
    deletions = differ.diff_maps(original or {}, modified, (), _DiffOptions(ignore_changes=True))
    return _merge_patches(deletions, delta, kind, ())
