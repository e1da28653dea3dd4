"""PATCH in its four content types — JSON patch, merge patch, strategic merge patch and
server-side apply — on top of the registry's update, retried when the object moved
underneath (unless the patch itself carries a resourceVersion precondition)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tugboat.api import patch as patchlib
from tugboat.api.fieldmanager import ApplyConflict, FieldManager, managedfields
from tugboat.api.fieldmanager.manager import BadApply
from tugboat.api.meta import StatusCause, StatusDetails
from tugboat.api.resources import ResourceInfo
from tugboat.api.validation import fielderrors
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.registry import CONFLICT_RETRIES, Obj, Registry, Result, WriteOptions
from tugboat.apiserver.subresources import to_scale, write_scale
from tugboat.apiserver.writeoptions import options_invalid


def _check_shape(ptype: str, body: Any) -> None:
    """What can be refused before the object is read: a JSON patch that is not a list of
    operation objects (400) or holds too many of them (413), a merge patch not an object."""
    if ptype == "json":
        try:
            patchlib.check_operations(body)
        except patchlib.PatchError as e:
            raise _patch_error(e) from None
    elif not isinstance(body, dict):
        raise errors.bad_request("a merge patch must be a JSON object")


def _patch_error(e: patchlib.PatchError) -> errors.ApiError:
    if isinstance(e, patchlib.PatchTooLarge):
        return errors.entity_too_large(str(e))
    if isinstance(e, patchlib.MalformedPatch):
        return errors.bad_request(str(e))
    return errors.ApiError(422, "Invalid", f"the server rejected our request due to an error "
                           f"in our request: {e}")


def _apply_one(ptype: str, base: Obj, body: Any, kind: str) -> Obj:
    try:
        if ptype == "json":
            return patchlib.json_patch(base, body)
        if ptype == "merge":
            return patchlib.json_merge_patch(base, body)
        return patchlib.strategic_merge_patch(base, body, kind)
    except patchlib.PatchError as e:
        raise _patch_error(e) from None
    except RecursionError:  # bodies are depth-bounded; this is the last line of defence
        raise _patch_error(patchlib.PatchError(
            f"the patched object nests deeper than {patchlib.MAX_DEPTH} levels")) from None


async def patch(reg: Registry, info: ResourceInfo, ns: str | None, name: str, raw: bytes,
                content_type: str | None, opts: WriteOptions, sub: str | None) -> Result:
    ptype = decoding.PATCH_TYPES.get(decoding.media_type(content_type))
    if ptype is None:
        raise errors.unsupported_media_type(decoding.media_type(content_type))
    if ptype == "apply":
        return await server_side_apply(reg, info, ns, name, raw, content_type, opts, sub)
    check_patch_options(False, opts)
    body = decoding.parse_body(raw, content_type)
    _check_shape(ptype, body)
    for _ in range(CONFLICT_RETRIES):
        cur = reg.get(info, ns, name)
        rev = int(cur["metadata"]["resourceVersion"])
        if sub == "scale":
            scaled = _apply_one(ptype, to_scale(info, cur), body, "Scale")
            return await write_scale(reg, info, ns, name, scaled, opts)
        patched = _apply_one(ptype, cur, body, info.kind)
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch did not produce an object")
        if not isinstance(patched.get("metadata"), dict):
            raise errors.bad_request("metadata must be an object")
        want = patched["metadata"].get("resourceVersion")
        if want is not None and not isinstance(want, str):
            raise errors.bad_request("metadata.resourceVersion must be a string")
        if want and not decoding.is_resource_version(want):
            raise errors.bad_request(f'invalid resourceVersion "{want}"')
        pinned = bool(want) and want != cur["metadata"]["resourceVersion"]
        try:
            return await reg.update(info, ns, name, patched, opts, sub,
                                    expected=int(want) if pinned else rev)
        except errors.ApiError as e:
            if pinned:  # the client's own precondition failed: no retry
                raise
            await reg.lost_race(e, rev)
    raise errors.conflict(info, name)


def check_patch_options(apply: bool, opts: WriteOptions) -> None:
    """ValidatePatchOptions: an apply names its field manager; only an apply may force."""
    causes: list[StatusCause] = []
    if not apply and opts.force is not None:
        causes.append(fielderrors.forbidden("force", "may not be specified for non-apply patch"))
    if apply and not opts.field_manager:
        causes.append(fielderrors.required("fieldManager", "is required for apply patch"))
    causes += managedfields.manager_causes(opts.field_manager or "", "fieldManager")
    if causes:
        raise options_invalid("PatchOptions", causes)


def _conflict(e: ApplyConflict) -> errors.ApiError:
    return errors.ApiError(409, "Conflict", e.message, StatusDetails(causes=e.causes()))


def _applied(fm: FieldManager, cur: Obj | None, applied: Obj, opts: WriteOptions) -> Obj:
    try:
        return fm.apply(cur, applied, opts.field_manager or "", bool(opts.force))
    except ApplyConflict as e:
        raise _conflict(e) from None
    except BadApply as e:
        raise errors.bad_request(str(e)) from None
    except RecursionError:
        raise _patch_error(patchlib.PatchError(
            f"the applied object nests deeper than {patchlib.MAX_DEPTH} levels")) from None


async def server_side_apply(reg: Registry, info: ResourceInfo, ns: str | None, name: str,
                            raw: bytes, content_type: str | None, opts: WriteOptions,
                            sub: str | None) -> Result:
    """Apply: the field manager (api/fieldmanager) merges the configuration over the live
    object — or over nothing, a create (201) — and sets managedFields; the registry then
    writes the result like any update. A conflict with other managers is a 409."""
    check_patch_options(True, opts)
    applied = decoding.parse_object(raw, "application/yaml")
    decoding.check_type_meta(info, applied, apply=True)
    meta = applied.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the "
                                 f"name on the URL ({name})")
    meta["name"] = name
    fm = FieldManager(info.kind, info.api_version, sub or "")
    for _ in range(CONFLICT_RETRIES):
        try:
            cur = reg.get(info, ns, name)
        except errors.ApiError as e:
            if e.code != 404:
                raise
            cur = None
        if cur is None:
            if sub:
                raise errors.not_found(info, name)
            obj = _applied(fm, None, applied, opts)
            try:
                return await reg.create(info, ns, obj, replace(opts, fields_managed=True))
            except errors.ApiError as e:
                if e.code == 409 and e.reason == "AlreadyExists":
                    continue
                raise
        rev = int(cur["metadata"]["resourceVersion"])
        if sub == "scale":  # a Scale's fields are recorded as the scale subresource's update
            try:
                scaled = patchlib.apply_patch(to_scale(info, cur), applied, "Scale")
            except patchlib.PatchError as e:
                raise _patch_error(e) from None
            return await write_scale(reg, info, ns, name, scaled, opts)
        merged = _applied(fm, cur, applied, opts)
        try:
            return await reg.update(info, ns, name, merged, replace(opts, fields_managed=True),
                                    sub, expected=rev)
        except errors.ApiError as e:
            await reg.lost_race(e, rev)
    raise errors.conflict(info, name)
