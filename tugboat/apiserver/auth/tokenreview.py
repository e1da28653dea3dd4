"""TokenReview (authentication.k8s.io/v1): "who is this bearer token?", asked by kubelets
(--authentication-token-webhook) and other webhooks. The token goes through the same
authenticator chain as a request's `Authorization: Bearer` header; the review is
answered, never stored. Token authenticators that know nothing of audiences (the token
file, bootstrap tokens) count as meant for the API server's own audiences, as
Kubernetes' audience-agnostic wrapper does."""

from __future__ import annotations

import pydantic

from tugboat.api.authentication import TokenReview, TokenReviewStatus, UserInfo
from tugboat.apiserver import errors
from tugboat.apiserver.auth.authenticator import Unauthenticated
from tugboat.apiserver.reststorage import Call, Obj, create_handler


def _decode(body: Obj) -> TokenReview:
    try:
        return TokenReview.model_validate(body)
    except pydantic.ValidationError as e:
        raise errors.bad_request(f"not a TokenReview: {e.errors()[0]['msg']}") from None


@create_handler("authentication.k8s.io", "tokenreviews")
async def create_token_review(call: Call) -> tuple[Obj, int]:
    if call.namespace:
        raise errors.bad_request(f"namespace is not allowed on this type: {call.namespace}")
    review = _decode(call.body)
    if not review.spec.token:
        raise errors.bad_request("token is required for TokenReview in authentication")
    security = getattr(call.request.app.state, "security", None)
    status = TokenReviewStatus()  # `authenticated` is omitted when false, as Kubernetes does
    if security is not None:
        wanted = review.spec.audiences or list(security.api_audiences)
        audiences = [a for a in wanted if a in security.api_audiences] if wanted else []
        try:
            user = security.authenticator.authenticate_token(review.spec.token)
            if user is None or (wanted and not audiences):
                raise Unauthenticated("invalid bearer token")
        except Unauthenticated as e:
            status.error = str(e)
        else:
            w = user.wire()
            status = TokenReviewStatus(authenticated=True, user=UserInfo(**w),
                                       audiences=audiences or None)
    review.status = status
    return review.wire(), 201
