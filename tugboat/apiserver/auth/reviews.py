"""authorization.k8s.io's reviews, answered by the server's own authorizer: "may this user
do this?" (SubjectAccessReview, LocalSubjectAccessReview in one namespace), "may I?"
(SelfSubjectAccessReview, `kubectl auth can-i`) and "what may I do here?"
(SelfSubjectRulesReview, `kubectl auth can-i --list`). Nothing is stored; the request
comes back with its status filled, 201 Created, as from Kubernetes."""

from __future__ import annotations

from typing import Any

import pydantic

from tugboat.api.authorization import (
    GROUP,
    LocalSubjectAccessReview,
    NonResourceRule,
    ResourceRule,
    SelfSubjectAccessReview,
    SelfSubjectRulesReview,
    SubjectAccessReview,
    SubjectAccessReviewStatus,
    SubjectRulesReviewStatus,
)
from tugboat.api.meta import StatusCause
from tugboat.api.validation import causes_from_pydantic
from tugboat.api.validation.fielderrors import invalid
from tugboat.apiserver import errors
from tugboat.apiserver.auth.authorizer import Attributes, Authorizer, Decision
from tugboat.apiserver.auth.user import UserInfo, make_extra
from tugboat.apiserver.reststorage import Call, create_handler

Obj = dict[str, Any]
Review = SubjectAccessReview | LocalSubjectAccessReview | SelfSubjectAccessReview


def _decode(call: Call, model: type[Any]) -> Any:
    try:
        return model.model_validate(call.body)
    except pydantic.ValidationError as e:
        raise errors.invalid(call.info, None, causes_from_pydantic(e)) from None


def _spec_errors(review: Review) -> list[StatusCause]:
    spec = review.spec
    causes = []
    if spec.resourceAttributes is not None and spec.nonResourceAttributes is not None:
        causes.append(invalid("spec.resourceAttributes", spec.nonResourceAttributes.wire(),
                              "cannot be specified in combination with resourceAttributes"))
    if spec.resourceAttributes is None and spec.nonResourceAttributes is None:
        causes.append(invalid("spec.resourceAttributes", None, "exactly one of "
                              "nonResourceAttributes or resourceAttributes must be specified"))
    return causes


def attributes_of(review: Review, user: UserInfo) -> Attributes:
    spec = review.spec
    if spec.resourceAttributes is not None:
        r = spec.resourceAttributes
        return Attributes(user=user, verb=r.verb or "", resource_request=True,
                          namespace=r.namespace or "", api_group=r.group or "",
                          api_version=r.version or "", resource=r.resource or "",
                          subresource=r.subresource or "", name=r.name or "")
    n = spec.nonResourceAttributes
    return Attributes(user=user, verb=(n.verb if n else "") or "", resource_request=False,
                      path=(n.path if n else "") or "")


def _answer(authorizer: Authorizer, review: Review, user: UserInfo) -> Obj:
    decision, reason = authorizer.authorize(attributes_of(review, user))
    review.status = SubjectAccessReviewStatus(
        allowed=decision is Decision.ALLOW, denied=True if decision is Decision.DENY else None,
        reason=reason or None)
    out = review.wire()
    out["metadata"].setdefault("creationTimestamp", None)
    return out


def _subject(review: SubjectAccessReview | LocalSubjectAccessReview) -> UserInfo:
    s = review.spec
    return UserInfo(s.user or "", s.uid or "", tuple(s.groups or ()), make_extra(s.extra))


def install_review_handlers(authorizer: Authorizer) -> None:
    """Serve the four reviews with `authorizer` (the one --authorization-mode built)."""

    @create_handler(GROUP, "subjectaccessreviews")
    async def subject_access_review(call: Call) -> tuple[Obj, int]:
        review = _decode(call, SubjectAccessReview)
        causes = _spec_errors(review)
        if not review.spec.user and not review.spec.groups:
            causes.append(invalid("spec.user", review.spec.user or "",
                                  "at least one of user or group must be specified"))
        if causes:
            raise errors.invalid(call.info, None, causes)
        return _answer(authorizer, review, _subject(review)), 201

    @create_handler(GROUP, "localsubjectaccessreviews")
    async def local_subject_access_review(call: Call) -> tuple[Obj, int]:
        review = _decode(call, LocalSubjectAccessReview)
        causes = _spec_errors(review)
        if review.spec.nonResourceAttributes is not None:
            causes.append(invalid("spec.nonResourceAttributes",
                                  review.spec.nonResourceAttributes.wire(),
                                  "disallowed on this kind of request"))
        if not review.spec.user and not review.spec.groups:
            causes.append(invalid("spec.user", review.spec.user or "",
                                  "at least one of user or group must be specified"))
        if causes:
            raise errors.invalid(call.info, None, causes)
        attrs = review.spec.resourceAttributes
        if attrs is None or (attrs.namespace or "") != (call.namespace or ""):
            raise errors.bad_request(f"spec.resourceAttributes.namespace must match "
                                     f"namespace: {call.namespace}")
        review.metadata.namespace = call.namespace
        return _answer(authorizer, review, _subject(review)), 201

    @create_handler(GROUP, "selfsubjectaccessreviews")
    async def self_subject_access_review(call: Call) -> tuple[Obj, int]:
        review = _decode(call, SelfSubjectAccessReview)
        causes = _spec_errors(review)
        if causes:
            raise errors.invalid(call.info, None, causes)
        return _answer(authorizer, review, call.user), 201

    @create_handler(GROUP, "selfsubjectrulesreviews")
    async def self_subject_rules_review(call: Call) -> tuple[Obj, int]:
        review = _decode(call, SelfSubjectRulesReview)
        resource, non_resource, incomplete = authorizer.rules_for(
            call.user, review.spec.namespace or "")
        review.status = SubjectRulesReviewStatus(
            resourceRules=[ResourceRule(verbs=r.verbs, apiGroups=r.api_groups,
                                        resources=r.resources,
                                        resourceNames=r.resource_names or None)
                           for r in resource],
            nonResourceRules=[NonResourceRule(verbs=r.verbs,
                                              nonResourceURLs=r.non_resource_urls)
                              for r in non_resource],
            incomplete=incomplete)
        out = review.wire()
        out["metadata"].setdefault("creationTimestamp", None)
        return out, 201
