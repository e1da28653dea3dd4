"""authentication.k8s.io/v1: TokenReview (may this bearer token act, and as whom — asked by
kubelets and webhooks) and SelfSubjectReview (who am I — `kubectl auth whoami`). Both are
create-only and never stored: the reply is computed from the request."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.meta import K8sModel, ObjectMeta


class UserInfo(K8sModel):
    """The identity an authenticator found (the wire form of the API server's UserInfo)."""
    username: str | None = None
    uid: str | None = None
    groups: list[str] | None = None
    extra: dict[str, list[str]] | None = None


class TokenReviewSpec(K8sModel):
    token: str | None = None
    audiences: list[str] | None = None


class TokenReviewStatus(K8sModel):
    authenticated: bool | None = None
    user: UserInfo | None = None
    audiences: list[str] | None = None
    error: str | None = None


class TokenReview(K8sModel):
    apiVersion: str = "authentication.k8s.io/v1"
    kind: str = "TokenReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: TokenReviewSpec = Field(default_factory=TokenReviewSpec)
    status: TokenReviewStatus | None = None


class SelfSubjectReviewStatus(K8sModel):
    userInfo: UserInfo | None = None


class SelfSubjectReview(K8sModel):
    apiVersion: str = "authentication.k8s.io/v1"
    kind: str = "SelfSubjectReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    status: SelfSubjectReviewStatus | None = None
