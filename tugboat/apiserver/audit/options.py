"""kube-apiserver's audit flags turned into the filter the app is built with (Kubernetes'
AuditOptions): auditing is on only when both --audit-policy-file and --audit-log-path are
given, since without a policy nothing is recorded and without a path nothing is written."""

from __future__ import annotations

from collections.abc import Callable

from tugboat.apiserver.audit.filter import ASGIApp, audit_filter
from tugboat.apiserver.audit.policy import load_audit_policy
from tugboat.apiserver.audit.sink import AuditLogSink


def audit_middleware(policy_file: str | None, log_path: str | None
                     ) -> Callable[[ASGIApp], ASGIApp] | None:
    """The audit filter factory (app → audited app), or None when auditing is off.
    Raises AuditPolicyError (one line) for a bad policy, OSError for an unwritable log."""
    if not policy_file or not log_path:
        return None
    policy = load_audit_policy(policy_file)
    sink = AuditLogSink(log_path)
    return lambda app: audit_filter(app, policy, sink)
