"""SelfSubjectReview (authentication.k8s.io/v1): "who am I?" — `kubectl auth whoami`. The
answer is the identity the authentication filter found for this very request."""

from __future__ import annotations

from tugboat.api.authentication import SelfSubjectReview, SelfSubjectReviewStatus, UserInfo
from tugboat.api.meta import ObjectMeta, now_rfc3339
from tugboat.apiserver.reststorage import Call, Obj, create_handler


@create_handler("authentication.k8s.io", "selfsubjectreviews")
async def create_self_subject_review(call: Call) -> tuple[Obj, int]:
    review = SelfSubjectReview(metadata=ObjectMeta(creationTimestamp=now_rfc3339()),
                               status=SelfSubjectReviewStatus(userInfo=UserInfo(
                                   **call.user.wire())))
    return review.wire(), 201
