"""`--audit-policy-file`: Kubernetes' audit Policy (audit.k8s.io/v1), and the checker that
gives each request its level and the stages to leave out. The first rule that matches
wins; a request no rule matches is not audited (level None), as in Kubernetes.

Like EncryptionConfiguration, the Policy is the API server's own configuration
(k8s.io/apiserver/pkg/apis/audit), so its types live here rather than in tugboat/api.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tugboat.apiserver.auth.authorizer import Attributes

API_VERSIONS = ("audit.k8s.io/v1",)
KIND = "Policy"


class Level(enum.IntEnum):
    """Ordered, so `level >= Level.REQUEST` reads as Kubernetes' `!Less(LevelRequest)`."""

    NONE = 0
    METADATA = 1
    REQUEST = 2
    REQUEST_RESPONSE = 3

    @property
    def wire(self) -> str:
        return _LEVEL_NAMES[self]


_LEVEL_NAMES = {Level.NONE: "None", Level.METADATA: "Metadata", Level.REQUEST: "Request",
                Level.REQUEST_RESPONSE: "RequestResponse"}
_LEVELS = {v: k for k, v in _LEVEL_NAMES.items()}


class Stage(str, enum.Enum):
    REQUEST_RECEIVED = "RequestReceived"
    RESPONSE_STARTED = "ResponseStarted"
    RESPONSE_COMPLETE = "ResponseComplete"
    PANIC = "Panic"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroupResources(_Strict):
    group: str = ""
    resources: list[str] = []
    resourceNames: list[str] = []


class PolicyRule(_Strict):
    level: str
    users: list[str] = []
    userGroups: list[str] = []
    verbs: list[str] = []
    resources: list[GroupResources] = []
    namespaces: list[str] = []
    nonResourceURLs: list[str] = []
    omitStages: list[Stage] = []
    omitManagedFields: bool | None = None


class Policy(_Strict):
    apiVersion: str
    kind: str
    metadata: dict[str, Any] | None = None
    rules: list[PolicyRule] = []
    omitStages: list[Stage] = []
    omitManagedFields: bool = False


class AuditPolicyError(ValueError):
    """A one-line reason the policy file cannot be used, naming the field."""


@dataclass(frozen=True)
class RequestAuditConfig:
    """What the policy says about one request (Kubernetes' auditinternal.RequestAuditConfig)."""

    level: Level
    omit_stages: frozenset[Stage] = frozenset()


NOT_AUDITED = RequestAuditConfig(Level.NONE)


class PolicyRuleEvaluator:
    def __init__(self, policy: Policy):
        self.policy = policy
        # Each rule's answer, made once (evaluate runs on every request).
        self._configs = [RequestAuditConfig(_LEVELS[r.level], frozenset(policy.omitStages) |
                                            frozenset(r.omitStages)) for r in policy.rules]

    def evaluate(self, attrs: Attributes) -> RequestAuditConfig:
        for rule, config in zip(self.policy.rules, self._configs, strict=True):
            if _rule_matches(rule, attrs):
                return config
        return NOT_AUDITED


def _rule_matches(r: PolicyRule, a: Attributes) -> bool:
    if r.users and a.user.name not in r.users:
        return False
    if r.userGroups and not any(g in r.userGroups for g in a.user.groups):
        return False
    if r.verbs and a.verb not in r.verbs:
        return False
    if r.namespaces or r.resources:
        return _matches_resource(r, a)
    if r.nonResourceURLs:
        return not a.resource_request and any(_path_matches(a.path, spec)
                                              for spec in r.nonResourceURLs)
    return True


def _path_matches(path: str, spec: str) -> bool:
    return spec == "*" or spec == path or (spec.endswith("*") and
                                           path.startswith(spec.rstrip("*")))


def _matches_resource(r: PolicyRule, a: Attributes) -> bool:
    if not a.resource_request:
        return False
    if r.namespaces and a.namespace not in r.namespaces:  # "" selects cluster-scoped
        return False
    if not r.resources:
        return True
    combined = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
    for gr in r.resources:
        if gr.group != a.api_group:
            continue
        if not gr.resources:
            return True
        if gr.resourceNames and a.name not in gr.resourceNames:
            continue
        for res in gr.resources:
            if res in (combined, "*"):
                return True
            if a.subresource and res == f"*/{a.subresource}":
                return True
            if res.endswith("/*") and res[:-2] == a.resource:
                return True
    return False


def load_audit_policy(path: str | Path) -> PolicyRuleEvaluator:
    """Read and check an audit Policy file (YAML or JSON)."""
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as e:
        raise AuditPolicyError(f"{path}: {' '.join(str(e).split())}") from None
    try:
        return PolicyRuleEvaluator(parse_audit_policy(doc))
    except AuditPolicyError as e:
        raise AuditPolicyError(f"{path}: {e}") from None


def parse_audit_policy(doc: Any) -> Policy:
    if not isinstance(doc, dict):
        raise AuditPolicyError(f"want an audit {KIND} object, got {type(doc).__name__}")
    if doc.get("apiVersion") not in API_VERSIONS or doc.get("kind") != KIND:
        raise AuditPolicyError(
            f'no kind "{doc.get("kind")}" is registered for version "{doc.get("apiVersion")}"'
            f" (want apiVersion audit.k8s.io/v1, kind {KIND})")
    try:
        policy = Policy.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        raise AuditPolicyError(f"{where.lstrip('.')}: {err['msg']}") from None
    for i, rule in enumerate(policy.rules):
        where = f"rules[{i}]"
        if rule.level not in _LEVELS:
            raise AuditPolicyError(f'{where}.level: Unsupported value: "{rule.level}": '
                                   'supported values: "None", "Metadata", "Request", '
                                   '"RequestResponse"')
        if rule.nonResourceURLs and (rule.resources or rule.namespaces):
            raise AuditPolicyError(f"{where}.nonResourceURLs: Invalid value: rules cannot "
                                   "apply to both regular resources and non-resource URLs")
        for url in rule.nonResourceURLs:
            if "*" in url.rstrip("*") or not (url.startswith("/") or url == "*"):
                raise AuditPolicyError(f'{where}.nonResourceURLs: Invalid value: "{url}": '
                                       'must start with "/" and may end with "*" only')
    return policy
