"""kube-apiserver's audit flags turned into the filter the app is built with (Kubernetes'
AuditOptions): auditing is on only when both --audit-policy-file and --audit-log-path are
given, since without a policy nothing is recorded and without a path nothing is written."""

from __future__ import annotations

from dataclasses import dataclass

from tugboat.apiserver.audit.filter import ASGIApp, audit_filter, failed_authentication_audit
from tugboat.apiserver.audit.policy import PolicyRuleEvaluator, load_audit_policy
from tugboat.apiserver.audit.sink import AuditLogSink, AuditSink


@dataclass(frozen=True)
class Auditing:
    """The two audit filters over one policy and one log: called on an app, the audit
    filter (inside authentication); `failed_authentication` goes around authentication."""
    policy: PolicyRuleEvaluator
    sink: AuditSink

    def __call__(self, app: ASGIApp) -> ASGIApp:
        return audit_filter(app, self.policy, self.sink)

    def failed_authentication(self, app: ASGIApp) -> ASGIApp:
        return failed_authentication_audit(app, self.policy, self.sink)


def audit_middleware(policy_file: str | None, log_path: str | None) -> Auditing | None:
    """The audit filters, or None when auditing is off. Raises AuditPolicyError (one
    line) for a bad policy, OSError for an unwritable log."""
    if not policy_file or not log_path:
        return None
    return Auditing(load_audit_policy(policy_file), AuditLogSink(log_path))
