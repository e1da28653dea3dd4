"""The options of a write request, as Kubernetes' handlers read them before calling the
registry: dryRun, fieldValidation, fieldManager and force from the query (CreateOptions,
UpdateOptions, PatchOptions), and a DELETE's DeleteOptions from its body and query, with
the values Kubernetes accepts and the 400s it answers for the rest."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from tugboat.api.fieldmanager import managedfields
from tugboat.api.meta import DeleteOptions, StatusCause, StatusDetails
from tugboat.apiserver import decoding, errors, queryparams
from tugboat.apiserver.auth.user import PRIVILEGED, UserInfo, user_of
from tugboat.apiserver.registry import WriteOptions

Obj = dict[str, Any]


def write_options(q: Any, user: UserInfo = PRIVILEGED, agent: str | None = None) -> WriteOptions:
    dry = q.getlist("dryRun")
    for d in dry:
        if d != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{d}": supported values: "All"')
    fv = q.get("fieldValidation")
    if fv and fv not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f'fieldValidation: Unsupported value: "{fv}": supported '
                                 f'values: "Strict", "Warn", "Ignore"')
    return WriteOptions(dry_run=bool(dry), field_validation=fv,
                        field_manager=q.get("fieldManager"), user=user,
                        force=queryparams.boolean(q, "force"), user_agent=agent)


# The options kind each write verb's handler validates; a patch's PatchOptions are checked
# with the patch type known (patching.check_patch_options).
_OPTIONS_KIND = {"POST": "CreateOptions", "PUT": "UpdateOptions"}


def request_write_options(request: Request) -> WriteOptions:
    """A create's, update's or patch's options: the query's, the caller, its user agent
    (which names the field manager when fieldManager is unset). A create's or update's
    fieldManager is validated here, before the body is read, as ValidateCreateOptions and
    ValidateUpdateOptions do: past 128 bytes (or unprintable) it is a 422, not a silently
    dropped managedFields entry."""
    # Header bytes arrive as latin-1; Go reads the agent's bytes as UTF-8.
    agent = request.headers.get("user-agent", "").encode("latin-1").decode("utf-8", "replace")
    opts = write_options(request.query_params, user_of(request.scope), agent)
    kind = _OPTIONS_KIND.get(request.method)
    if kind and opts.field_manager:
        causes = managedfields.manager_causes(opts.field_manager, "fieldManager")
        if causes:
            raise options_invalid(kind, causes)
    return opts


def options_invalid(kind: str, causes: list[StatusCause]) -> errors.ApiError:
    """CreateOptions, UpdateOptions or PatchOptions that fail validation: Kubernetes' 422
    about the meta.k8s.io kind, with no name."""
    summary = ", ".join(f"{c.field}: {c.message}" for c in causes)
    return errors.ApiError(422, "Invalid", f'{kind}.meta.k8s.io "" is invalid: {summary}',
                           StatusDetails(group="meta.k8s.io", kind=kind, causes=causes))


def delete_write_options(request: Request, options: DeleteOptions) -> WriteOptions:
    """client-go (kubectl delete --dry-run=server) sends dryRun in the DeleteOptions body."""
    opts = write_options(request.query_params, user_of(request.scope))
    if options.dryRun:
        opts.dry_run = write_options(QueryParams([("dryRun", d) for d in options.dryRun])).dry_run
    return opts


async def delete_options(request: Request) -> DeleteOptions:
    """DeleteOptions from the body (if any) and the query, which wins, as Kubernetes
    reads them."""
    raw = await request.body()
    data: Obj = {}
    if raw.strip():
        parsed = decoding.parse_body(raw, request.headers.get("content-type"))
        if not isinstance(parsed, dict):
            raise errors.bad_request("the delete options must be an object")
        data = parsed
    q = request.query_params
    grace = queryparams.int64(q, "gracePeriodSeconds")
    if grace is not None:
        data["gracePeriodSeconds"] = grace
    if q.get("propagationPolicy"):
        data["propagationPolicy"] = q["propagationPolicy"]
    orphan = queryparams.boolean(q, "orphanDependents")
    if orphan is not None:
        data["orphanDependents"] = orphan
    try:
        opts = DeleteOptions.model_validate(data)
    except Exception as e:
        raise errors.bad_request(f"invalid delete options: {e}") from None
    if opts.propagationPolicy not in (None, "Foreground", "Background", "Orphan"):
        raise errors.bad_request(f'propagationPolicy: Unsupported value: '
                                 f'"{opts.propagationPolicy}": supported values: '
                                 f'"Foreground", "Background", "Orphan"')
    return opts
