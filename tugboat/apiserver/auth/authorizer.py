"""The authorizer interface (Kubernetes' authorizer.Attributes and Decision). RBAC, the
Node authorizer and AlwaysAllow implement it; a union asks each in turn until one allows
or denies."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from tugboat.apiserver.auth.user import UserInfo


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    NO_OPINION = "no-opinion"


@dataclass(frozen=True)
class Attributes:
    user: UserInfo
    verb: str  # get list watch create update patch delete deletecollection (non-resource: get post ...)
    resource_request: bool
    path: str = ""
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""


@dataclass
class ResourceRule:
    verbs: list[str]
    api_groups: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    resource_names: list[str] = field(default_factory=list)


@dataclass
class NonResourceRule:
    verbs: list[str]
    non_resource_urls: list[str] = field(default_factory=list)


class Authorizer(Protocol):
    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        """The decision and a reason (shown in 403 messages and SubjectAccessReviews)."""

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        """What `user` may do in `namespace` (SelfSubjectRulesReview): resource rules,
        non-resource rules, and whether the list is incomplete."""
