"""The kubelet's two questions to the API server, asked with its own client (its
kubeconfig identity): "who holds this bearer token?" (authentication.k8s.io/v1
TokenReview) and "may this user do this to this node?" (authorization.k8s.io/v1
SubjectAccessReview). Both are create-only resources: POST the review, read its status."""

from __future__ import annotations

import pydantic

from tugboat.api.authentication import TokenReview, TokenReviewSpec, UserInfo
from tugboat.api.authorization import (
    ResourceAttributes,
    SubjectAccessReview,
    SubjectAccessReviewSpec,
)
from tugboat.client import ApiClient, ClientError
from tugboat.kubelet.server.attributes import Attributes, User


class ReviewFailed(Exception):
    """The API server could not be asked, or did not answer with a review."""


def user_from_review(info: UserInfo) -> User:
    return User(info.username or "", info.uid or "", tuple(info.groups or ()),
                tuple(sorted((k, tuple(v)) for k, v in (info.extra or {}).items())))


def subject_access_review(a: Attributes) -> SubjectAccessReview:
    u = a.user
    return SubjectAccessReview(spec=SubjectAccessReviewSpec(
        resourceAttributes=ResourceAttributes(verb=a.verb, version=a.api_version,
                                              resource=a.resource, subresource=a.subresource,
                                              name=a.name),
        user=u.name, groups=list(u.groups), uid=u.uid or None,
        extra={k: list(v) for k, v in u.extra} or None))


class Reviewer:
    """Posts reviews through the kubelet's API client and returns their status."""

    def __init__(self, client: ApiClient):
        self.client = client

    async def review_token(self, token: str) -> User | None:
        """The token's user, or None when the API server does not accept the token."""
        review = await self._create("tokenreviews",
                                    TokenReview(spec=TokenReviewSpec(token=token)))
        status = review.status
        if status is None or not status.authenticated or status.user is None:
            return None
        return user_from_review(status.user)

    async def review_access(self, a: Attributes) -> tuple[bool, str]:
        """(allowed, reason)."""
        review = await self._create("subjectaccessreviews", subject_access_review(a))
        status = review.status
        # not allowed is a denial here: the webhook is the kubelet's only authorizer
        return (status.allowed, status.reason or "") if status else (False, "")

    async def _create(self, resource: str, review: TokenReview | SubjectAccessReview
                      ) -> TokenReview | SubjectAccessReview:
        try:
            answer = await self.client.typed.create(resource, review)
        except (ClientError, pydantic.ValidationError) as e:
            raise ReviewFailed(f"{review.kind}: {e}") from e
        if not isinstance(answer, type(review)):  # e.g. a Status in a 200
            raise ReviewFailed(f"{review.kind}: the API server answered {answer!r:.200}")
        return answer
