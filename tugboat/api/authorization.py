"""authorization.k8s.io/v1: the access reviews. A client asks "may this user do this?"
(SubjectAccessReview, LocalSubjectAccessReview), "may I?" (SelfSubjectAccessReview — what
`kubectl auth can-i` sends) or "what may I do here?" (SelfSubjectRulesReview — `can-i
--list`). They are never stored: the server fills `status` and returns the object."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.meta import (
    FieldSelectorRequirement,
    K8sModel,
    LabelSelectorRequirement,
    ObjectMeta,
)

GROUP = "authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"


class FieldSelectorAttributes(K8sModel):
    rawSelector: str | None = None
    requirements: list[FieldSelectorRequirement] | None = None


class LabelSelectorAttributes(K8sModel):
    rawSelector: str | None = None
    requirements: list[LabelSelectorRequirement] | None = None


class ResourceAttributes(K8sModel):
    namespace: str | None = None
    verb: str | None = None
    group: str | None = None
    version: str | None = None
    resource: str | None = None
    subresource: str | None = None
    name: str | None = None
    fieldSelector: FieldSelectorAttributes | None = None
    labelSelector: LabelSelectorAttributes | None = None


class NonResourceAttributes(K8sModel):
    path: str | None = None
    verb: str | None = None


class SubjectAccessReviewSpec(K8sModel):
    resourceAttributes: ResourceAttributes | None = None
    nonResourceAttributes: NonResourceAttributes | None = None
    user: str | None = None
    groups: list[str] | None = None
    extra: dict[str, list[str]] | None = None
    uid: str | None = None


class SelfSubjectAccessReviewSpec(K8sModel):
    resourceAttributes: ResourceAttributes | None = None
    nonResourceAttributes: NonResourceAttributes | None = None


class SubjectAccessReviewStatus(K8sModel):
    allowed: bool = False
    denied: bool | None = None
    reason: str | None = None
    evaluationError: str | None = None


class SubjectAccessReview(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "SubjectAccessReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SubjectAccessReviewSpec = Field(default_factory=SubjectAccessReviewSpec)
    status: SubjectAccessReviewStatus | None = None


class LocalSubjectAccessReview(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "LocalSubjectAccessReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SubjectAccessReviewSpec = Field(default_factory=SubjectAccessReviewSpec)
    status: SubjectAccessReviewStatus | None = None


class SelfSubjectAccessReview(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "SelfSubjectAccessReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SelfSubjectAccessReviewSpec = Field(default_factory=SelfSubjectAccessReviewSpec)
    status: SubjectAccessReviewStatus | None = None


class SelfSubjectRulesReviewSpec(K8sModel):
    namespace: str | None = None


class ResourceRule(K8sModel):
    verbs: list[str] = Field(default_factory=list)
    apiGroups: list[str] | None = None
    resources: list[str] | None = None
    resourceNames: list[str] | None = None


class NonResourceRule(K8sModel):
    verbs: list[str] = Field(default_factory=list)
    nonResourceURLs: list[str] | None = None


class SubjectRulesReviewStatus(K8sModel):
    resourceRules: list[ResourceRule] = Field(default_factory=list)
    nonResourceRules: list[NonResourceRule] = Field(default_factory=list)
    incomplete: bool = False
    evaluationError: str | None = None


class SelfSubjectRulesReview(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "SelfSubjectRulesReview"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SelfSubjectRulesReviewSpec = Field(default_factory=SelfSubjectRulesReviewSpec)
    status: SubjectRulesReviewStatus | None = None
