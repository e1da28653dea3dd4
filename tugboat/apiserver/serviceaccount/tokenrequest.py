"""POST `serviceaccounts/{name}/token` (Kubernetes' TokenREST): a TokenRequest in, the
same TokenRequest with `status.token` and `status.expirationTimestamp` out, 201. The
token is bound to the pod, secret or node in `spec.boundObjectRef` (checked to exist,
with the same uid if one is given), so it dies with it; unset audiences become the API
server's own, unset expirationSeconds one hour, and less than ten minutes is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic

from tugboat.api.meta import StatusCause, StatusDetails
from tugboat.api.resources import lookup
from tugboat.api.serviceaccount import TokenRequest, TokenRequestStatus
from tugboat.api.validation import causes_from_pydantic
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.reststorage import Call, subresource_handler
from tugboat.apiserver.serviceaccount.tokens import ObjectRef, TokenClaims, TokenIssuer

Obj = dict[str, Any]
DEFAULT_EXPIRATION = 3600
MIN_EXPIRATION = 600
MAX_EXPIRATION = 1 << 32
_GROUP = "authentication.k8s.io"
# kind of the bound object → (its resource, whether it lives in the token's namespace)
_BINDABLE = {"Pod": ("pods", True), "Secret": ("secrets", True), "Node": ("nodes", False)}


def _invalid(name: str, field: str, value: Any, detail: str) -> errors.ApiError:
    message = f"Invalid value: {value!r}: {detail}" if isinstance(value, str) \
        else f"Invalid value: {value}: {detail}"
    message = message.replace("'", '"')
    cause = StatusCause(reason="FieldValueInvalid", message=message, field=field)
    return errors.ApiError(
        422, "Invalid", f'TokenRequest.{_GROUP} "{name}" is invalid: {field}: {message}',
        StatusDetails(name=name, group=_GROUP, kind="TokenRequest", causes=[cause]))


def _decode(call: Call, name: str) -> TokenRequest:
    try:
        req = TokenRequest.model_validate(call.body)
    except pydantic.ValidationError as e:  # Kubernetes' decoding error: a 400, one line
        why = ", ".join(f"{c.field}: {c.message}" for c in causes_from_pydantic(e, TokenRequest))
        raise errors.bad_request(f'TokenRequest in version "v1" cannot be handled as a '
                                 f'TokenRequest: {why}') from None
    if req.metadata.name and req.metadata.name != name:
        raise _invalid(name, "metadata.name", req.metadata.name,
                       "must match the service account name if specified")
    if req.metadata.namespace and req.metadata.namespace != call.namespace:
        raise _invalid(name, "metadata.namespace", req.metadata.namespace,
                       "must match the service account namespace if specified")
    seconds = req.spec.expirationSeconds
    if seconds is None:
        req.spec.expirationSeconds = DEFAULT_EXPIRATION
    elif seconds < MIN_EXPIRATION:
        raise _invalid(name, "spec.expirationSeconds", seconds,
                       "may not specify a duration less than 10 minutes")
    elif seconds > MAX_EXPIRATION:
        raise _invalid(name, "spec.expirationSeconds", seconds,
                       "may not specify a duration larger than 2^32 seconds")
    return req


def _bound(call: Call, req: TokenRequest, sa_name: str) -> dict[str, ObjectRef]:
    """The object the token is bound to (and, for a pod, its node), checked to exist."""
    ref = req.spec.boundObjectRef
    if ref is None:
        return {}
    kind, api_version = ref.kind or "", ref.apiVersion or "v1"
    if api_version != "v1" or kind not in _BINDABLE:
        raise errors.bad_request(f"cannot bind token to object of type {api_version}, "
                                 f"Kind={kind}")
    resource, namespaced = _BINDABLE[kind]
    info = lookup("", "v1", resource)
    assert info is not None
    obj = call.registry.get(info, call.namespace if namespaced else None, ref.name or "")
    meta = obj.get("metadata") or {}
    uid = meta.get("uid", "")
    if ref.uid and ref.uid != uid:
        raise errors.ApiError(
            409, "Conflict", f'Operation cannot be fulfilled on {kind} "{ref.name}": the UID '
            f"in the bound object reference ({ref.uid}) does not match the UID in record. The "
            "object might have been deleted and then recreated",
            StatusDetails(name=ref.name, kind=kind))
    bound = {kind.lower(): ObjectRef(meta.get("name", ""), uid)}
    if kind == "Pod":
        spec = obj.get("spec") or {}
        if spec.get("serviceAccountName", "default") != sa_name:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{sa_name}" to pod '
                                     "running with different serviceaccount name.")
        node_name = spec.get("nodeName")
        node = call.registry.cache.get(lookup("", "v1", "nodes").key(None, node_name)) \
            if node_name else None
        if node is not None:
            bound["node"] = ObjectRef(node_name, node["metadata"].get("uid", ""))
    return bound


def _admit(call: Call, name: str, req: TokenRequest, sa: Obj) -> TokenRequest:
    """The write pipeline's admission for the `token` subresource (NodeRestriction lets a
    kubelet ask only for tokens bound to its own pods)."""
    chain = call.registry.admission
    review = AdmissionRequest(call.info, Operation.CREATE, call.namespace, name, "token",
                              obj=req.wire(), old=sa, user=call.user, dry_run=call.opts.dry_run)
    chain.admit(review)
    chain.validate(review)
    return TokenRequest.model_validate(review.obj) if chain.mutating else req


def token_request_handler(issuer: TokenIssuer):  # noqa: ANN201 - a reststorage.Handler
    async def create_token(call: Call) -> tuple[Obj, int]:
        name = call.name or ""
        req = _decode(call, name)
        sa = call.registry.get(call.info, call.namespace, name)
        req = _admit(call, name, req, sa)
        if not req.spec.audiences:
            req.spec.audiences = list(issuer.audiences)
        bound = _bound(call, req, name)
        req.metadata.name = req.metadata.name or name
        req.metadata.namespace = req.metadata.namespace or call.namespace
        now = dt.datetime.fromtimestamp(int(issuer.clock()), dt.timezone.utc)
        req.metadata.creationTimestamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        claims = TokenClaims(call.namespace or "", ObjectRef(name, sa["metadata"]["uid"]),
                             pod=bound.get("pod"), secret=bound.get("secret"),
                             node=bound.get("node"))
        token, expires = issuer.issue(claims, req.spec.audiences,
                                      req.spec.expirationSeconds or DEFAULT_EXPIRATION)
        req.status = TokenRequestStatus(token=token,
                                        expirationTimestamp=expires.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return req.wire(), 201
    return create_token


def install_token_request(issuer: TokenIssuer) -> None:
    """Serve `serviceaccounts/{name}/token`, signing with `issuer`."""
    subresource_handler("", "serviceaccounts", "token")(token_request_handler(issuer))
