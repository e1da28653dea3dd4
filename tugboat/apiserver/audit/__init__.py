"""The audit log (`--audit-policy-file`, `--audit-log-path`): Kubernetes' audit Policy
decides what each request records, and an ASGI filter writes audit.k8s.io/v1 Events as
JSON lines.

    app = audit_filter(app, load_audit_policy(policy_path), AuditLogSink(log_path))
    # or, from the flags: audit_middleware(policy_file, log_path) → that wrapper or None

placed inside the authentication filter and outside authorization.
"""

from tugboat.apiserver.audit.event import Event, ObjectReference
from tugboat.apiserver.audit.filter import ANNOTATIONS_KEY, add_annotation, audit_filter
from tugboat.apiserver.audit.options import audit_middleware
from tugboat.apiserver.audit.policy import (
    AuditPolicyError,
    Level,
    Policy,
    PolicyRuleEvaluator,
    Stage,
    load_audit_policy,
    parse_audit_policy,
)
from tugboat.apiserver.audit.sink import AuditLogSink, AuditSink

__all__ = [
    "ANNOTATIONS_KEY",
    "AuditLogSink",
    "AuditPolicyError",
    "AuditSink",
    "Event",
    "Level",
    "ObjectReference",
    "Policy",
    "PolicyRuleEvaluator",
    "Stage",
    "add_annotation",
    "audit_filter",
    "audit_middleware",
    "load_audit_policy",
    "parse_audit_policy",
]
