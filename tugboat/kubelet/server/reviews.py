"""The kubelet's two questions to the API server, asked with its own client (its
kubeconfig identity): "who holds this bearer token?" (authentication.k8s.io/v1
TokenReview) and "may this user do this to this node?" (authorization.k8s.io/v1
SubjectAccessReview). Both are create-only resources: POST the review, read its status."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tugboat.client import ApiClient
from tugboat.kubelet.server.attributes import Attributes, User

TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews"


class ReviewFailed(Exception):
    """The API server could not be asked, or did not answer with a review."""


def user_from_review(doc: dict[str, Any]) -> User:
    """authentication.k8s.io/v1 UserInfo → User."""
    extra = doc.get("extra") or {}
    return User(doc.get("username") or "", doc.get("uid") or "",
                tuple(doc.get("groups") or ()),
                tuple(sorted((k, tuple(v or ())) for k, v in extra.items())))


def subject_access_review(a: Attributes) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "resourceAttributes": {"verb": a.verb, "version": a.api_version,
                               "resource": a.resource, "subresource": a.subresource,
                               "name": a.name},
        "user": a.user.name, "groups": list(a.user.groups)}
    if a.user.uid:
        spec["uid"] = a.user.uid
    if a.user.extra:
        spec["extra"] = {k: list(v) for k, v in a.user.extra}
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": spec}


class Reviewer:
    """Posts reviews through the kubelet's API client and returns their status."""

    def __init__(self, client: ApiClient):
        self.client = client

    async def review_token(self, token: str) -> User | None:
        """The token's user, or None when the API server does not accept the token."""
        status = await self._post(TOKEN_REVIEWS, {
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
            "spec": {"token": token}})
        if not status.get("authenticated"):
            return None
        return user_from_review(status.get("user") or {})

    async def review_access(self, a: Attributes) -> tuple[bool, str]:
        """(allowed, reason)."""
        status = await self._post(SUBJECT_ACCESS_REVIEWS, subject_access_review(a))
        # not allowed is a denial here: the webhook is the kubelet's only authorizer
        return bool(status.get("allowed")), status.get("reason") or ""

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            resp = await self.client.http.post(path, content=orjson.dumps(body),
                                               headers={"Content-Type": "application/json"})
        except httpx.HTTPError as e:
            raise ReviewFailed(f"POST {path}: {e}") from e
        if resp.status_code not in (200, 201):
            raise ReviewFailed(f"POST {path}: {resp.status_code} {resp.text[:200]}")
        try:
            doc = orjson.loads(resp.content)
        except orjson.JSONDecodeError as e:
            raise ReviewFailed(f"POST {path}: {e}") from e
        status = doc.get("status") if isinstance(doc, dict) else None
        return status if isinstance(status, dict) else {}
