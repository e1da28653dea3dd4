"""Kubernetes' bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy):
the ClusterRoles every cluster starts with and the ClusterRoleBindings that give them to
system:masters, every authenticated user, the scheduler and the controller manager. The
reconciler in reconciliation.py writes them at start-up.

Verb sets and rules follow policy.go; rules for resources Tugboat does not serve are kept
where Kubernetes has them, so a role reads the same here as in a kubeadm cluster."""

from __future__ import annotations

from typing import Any

from tugboat.api.rbac import API_VERSION, AUTOUPDATE_ANNOTATION, GROUP
from tugboat.apiserver.auth.user import ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, MASTERS

Obj = dict[str, Any]

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
READ_WRITE = READ + WRITE
READ_UPDATE = ["get", "list", "watch", "update", "patch"]
CORE, APPS, BATCH, AUTOSCALING = "", "apps", "batch", "autoscaling"
POLICY, NETWORKING, COORDINATION = "policy", "networking.k8s.io", "coordination.k8s.io"
EVENTS, DISCOVERY, STORAGE = "events.k8s.io", "discovery.k8s.io", "storage.k8s.io"
CERTIFICATES, AUTHENTICATION = "certificates.k8s.io", "authentication.k8s.io"
AUTHORIZATION, METRICS = "authorization.k8s.io", "metrics.k8s.io"

AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"
BOOTSTRAPPING_LABEL = {"kubernetes.io/bootstrapping": "rbac-defaults"}


def rule(verbs: list[str], groups: list[str], resources: list[str],
         names: list[str] | None = None) -> Obj:
    out: Obj = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if names:
        out["resourceNames"] = names
    return out


def urls(verbs: list[str], paths: list[str]) -> Obj:
    return {"verbs": verbs, "nonResourceURLs": paths}


def cluster_role(name: str, rules: list[Obj], labels: dict[str, str] | None = None,
                 aggregate_from: str | None = None) -> Obj:
    role: Obj = {"apiVersion": API_VERSION, "kind": "ClusterRole", "metadata": {
        "name": name, "labels": {**BOOTSTRAPPING_LABEL, **(labels or {})},
        "annotations": {AUTOUPDATE_ANNOTATION: "true"}}, "rules": rules}
    if aggregate_from:
        role["aggregationRule"] = {"clusterRoleSelectors": [
            {"matchLabels": {AGGREGATE_TO + aggregate_from: "true"}}]}
    return role


def cluster_role_binding(name: str, role: str, users: tuple[str, ...] = (),
                         groups: tuple[str, ...] = ()) -> Obj:
    subjects = [{"apiGroup": GROUP, "kind": "User", "name": u} for u in users]
    subjects += [{"apiGroup": GROUP, "kind": "Group", "name": g} for g in groups]
    return {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding", "metadata": {
        "name": name, "labels": dict(BOOTSTRAPPING_LABEL),
        "annotations": {AUTOUPDATE_ANNOTATION: "true"}},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects}


def _aggregate_to_view() -> list[Obj]:
    return [
        rule(READ, [CORE], ["pods", "replicationcontrollers", "replicationcontrollers/scale",
                            "serviceaccounts", "services", "services/status", "endpoints",
                            "persistentvolumeclaims", "persistentvolumeclaims/status",
                            "configmaps"]),
        rule(READ, [CORE], ["limitranges", "resourcequotas", "bindings", "events",
                            "pods/status", "resourcequotas/status", "namespaces/status",
                            "replicationcontrollers/status", "pods/log"]),
        rule(READ, [CORE], ["namespaces"]),
        rule(READ, [DISCOVERY], ["endpointslices"]),
        rule(READ, [APPS], ["controllerrevisions", "statefulsets", "statefulsets/scale",
                            "statefulsets/status", "daemonsets", "daemonsets/status",
                            "deployments", "deployments/scale", "deployments/status",
                            "replicasets", "replicasets/scale", "replicasets/status"]),
        rule(READ, [AUTOSCALING], ["horizontalpodautoscalers",
                                   "horizontalpodautoscalers/status"]),
        rule(READ, [BATCH], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        rule(READ, [POLICY], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, [NETWORKING], ["ingresses", "ingresses/status", "networkpolicies"]),
        # what metrics-server's system:aggregated-metrics-reader adds, for `top`
        rule(READ, [METRICS], ["pods", "nodes"]),
    ]


def _aggregate_to_edit() -> list[Obj]:
    return [
        rule(WRITE, [CORE], ["pods", "pods/attach", "pods/proxy", "pods/exec",
                             "pods/portforward"]),
        rule(["create"], [CORE], ["pods/eviction"]),
        rule(READ, [CORE], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward",
                            "secrets", "services/proxy"]),
        rule(["impersonate"], [CORE], ["serviceaccounts"]),
        rule(WRITE, [CORE], ["replicationcontrollers", "replicationcontrollers/scale",
                             "services", "services/proxy", "endpoints",
                             "persistentvolumeclaims", "configmaps", "secrets", "events"]),
        rule(WRITE, [CORE], ["serviceaccounts"]),
        rule(["create"], [CORE], ["serviceaccounts/token"]),
        rule(WRITE, [APPS], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments",
                             "deployments/rollback", "deployments/scale", "replicasets",
                             "replicasets/scale"]),
        rule(WRITE, [AUTOSCALING], ["horizontalpodautoscalers"]),
        rule(WRITE, [BATCH], ["jobs", "cronjobs"]),
        rule(WRITE, [POLICY], ["poddisruptionbudgets"]),
        rule(WRITE, [NETWORKING], ["ingresses", "networkpolicies"]),
    ]


def _aggregate_to_admin() -> list[Obj]:
    return [
        rule(["create"], [AUTHORIZATION], ["localsubjectaccessreviews"]),
        rule(READ_WRITE, [GROUP], ["rolebindings", "roles"]),
    ]


def _scheduler() -> list[Obj]:
    return [
        rule(["create", "patch", "update"], [CORE, EVENTS], ["events"]),
        rule(["create"], [COORDINATION], ["leases"]),
        rule(["get", "update"], [COORDINATION], ["leases"], ["kube-scheduler"]),
        rule(READ, [CORE], ["nodes"]),
        rule(READ + ["delete"], [CORE], ["pods"]),
        rule(["create"], [CORE], ["bindings", "pods/binding"]),
        rule(["patch", "update"], [CORE], ["pods/status"]),
        rule(READ, [CORE], ["replicationcontrollers", "services", "namespaces",
                            "persistentvolumeclaims", "persistentvolumes", "configmaps"]),
        rule(READ, [APPS], ["replicasets", "statefulsets"]),
        rule(READ, [POLICY], ["poddisruptionbudgets"]),
        rule(READ, [STORAGE], ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities"]),
        rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
        rule(["create"], [AUTHORIZATION], ["subjectaccessreviews"]),
    ]


def _controller_manager() -> list[Obj]:
    """One identity runs every controller here (Kubernetes gives each its own service
    account). The garbage collector and the namespace controller must read and delete
    every kind, so this is broad; it still cannot bind roles, impersonate, or create what
    no controller creates. It may `escalate` ClusterRoles: aggregating is writing rules."""
    return [
        rule(READ + ["delete", "deletecollection", "patch", "update"], ["*"], ["*"]),
        rule(["create"], [CORE], ["pods", "endpoints", "events", "serviceaccounts",
                                  "secrets", "configmaps", "serviceaccounts/token",
                                  "persistentvolumeclaims"]),  # statefulset's claims
        rule(["create"], [APPS], ["replicasets", "controllerrevisions"]),
        rule(["create"], [BATCH], ["jobs"]),  # the cronjob controller
        rule(["create"], [DISCOVERY], ["endpointslices"]),
        rule(["create"], [EVENTS], ["events"]),
        rule(["create"], [COORDINATION], ["leases"]),
        rule(["update", "patch"], ["*"], ["*/status", "*/scale", "namespaces/finalize"]),
        rule(["create"], [CORE], ["pods/eviction", "pods/binding", "bindings"]),
        rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
        rule(["create"], [AUTHORIZATION], ["subjectaccessreviews"]),
        rule(READ + ["create", "update", "patch", "delete"], [CERTIFICATES],
             ["certificatesigningrequests", "certificatesigningrequests/approval",
              "certificatesigningrequests/status"]),
        # the clusterrole-aggregation controller writes rules it need not hold itself
        rule(["escalate"], [GROUP], ["clusterroles"]),
        rule(["approve"], [CERTIFICATES], ["signers"]),
        rule(["sign"], [CERTIFICATES], ["signers"]),
        urls(["get"], ["/healthz", "/livez", "/readyz"]),
    ]


def _node() -> list[Obj]:
    """NodeRules: what a kubelet may do (the Node authorizer grants it per node; the role
    itself is bound to no one by default, as in Kubernetes)."""
    return [
        rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
        rule(["create"], [AUTHORIZATION], ["subjectaccessreviews", "localsubjectaccessreviews"]),
        rule(READ, [CORE], ["services"]),
        rule(["create", "get", "list", "watch", "patch", "update"], [CORE], ["nodes"]),
        rule(["patch", "update"], [CORE], ["nodes/status"]),
        rule(["create", "patch", "update"], [CORE, EVENTS], ["events"]),
        rule(READ, [CORE], ["pods"]),
        rule(["create", "delete"], [CORE], ["pods"]),
        rule(["update", "patch"], [CORE], ["pods/status"]),
        rule(["create"], [CORE], ["pods/eviction"]),
        rule(["get"], [CORE], ["configmaps", "secrets", "persistentvolumeclaims",
                               "persistentvolumes", "serviceaccounts"]),
        rule(["get", "update", "patch"], [CORE], ["persistentvolumeclaims/status"]),
        rule(["get"], [CORE], ["endpoints"]),
        rule(["create"], [CORE], ["serviceaccounts/token"]),
        rule(["get", "create", "update", "patch", "delete"], [COORDINATION], ["leases"]),
        rule(["create", "get", "list", "watch"], [CERTIFICATES], ["certificatesigningrequests"]),
    ]


def cluster_roles() -> list[Obj]:
    return [
        cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
        cluster_role("system:discovery", [urls(["get"], [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
            "/openapi/*", "/readyz", "/version", "/version/"])]),
        cluster_role("system:monitoring", [urls(["get"], [
            "/metrics", "/metrics/slis", "/healthz", "/livez", "/readyz", "/healthz/*",
            "/livez/*", "/readyz/*"])]),
        cluster_role("system:basic-user", [
            rule(["create"], [AUTHORIZATION], ["selfsubjectaccessreviews",
                                               "selfsubjectrulesreviews"]),
            rule(["create"], [AUTHENTICATION], ["selfsubjectreviews"])]),
        cluster_role("system:public-info-viewer", [urls(["get"], [
            "/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        cluster_role("admin", [], aggregate_from="admin"),
        cluster_role("edit", [], {AGGREGATE_TO + "admin": "true"}, aggregate_from="edit"),
        cluster_role("view", [], {AGGREGATE_TO + "edit": "true"}, aggregate_from="view"),
        cluster_role("system:aggregate-to-admin", _aggregate_to_admin(),
                     {AGGREGATE_TO + "admin": "true"}),
        cluster_role("system:aggregate-to-edit", _aggregate_to_edit(),
                     {AGGREGATE_TO + "edit": "true"}),
        cluster_role("system:aggregate-to-view", _aggregate_to_view(),
                     {AGGREGATE_TO + "view": "true"}),
        cluster_role("system:kube-scheduler", _scheduler()),
        cluster_role("system:kube-controller-manager", _controller_manager()),
        cluster_role("system:node", _node()),
        cluster_role("system:node-bootstrapper", [
            rule(["create", "get", "list", "watch"], [CERTIFICATES],
                 ["certificatesigningrequests"])]),
        cluster_role("system:node-proxier", [
            rule(["list", "watch"], [CORE], ["services", "endpoints"]),
            rule(["get", "list", "watch"], [CORE], ["nodes"]),
            rule(["create", "patch", "update"], [CORE, EVENTS], ["events"]),
            rule(["list", "watch"], [DISCOVERY], ["endpointslices"])]),
        cluster_role("system:kube-dns", [
            rule(["list", "watch"], [CORE], ["endpoints", "services"]),
            rule(["list", "watch"], [DISCOVERY], ["endpointslices"])]),
        # kubeadm's CoreDNS add-on role; tug-dns is bound to it (users, not a ServiceAccount)
        cluster_role("system:coredns", [
            rule(["list", "watch"], [CORE], ["endpoints", "services", "pods", "namespaces"]),
            rule(["list", "watch"], [DISCOVERY], ["endpointslices"])]),
        cluster_role("system:auth-delegator", [
            rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
            rule(["create"], [AUTHORIZATION], ["subjectaccessreviews"])]),
    ]


def cluster_role_bindings() -> list[Obj]:
    return [
        cluster_role_binding("cluster-admin", "cluster-admin", groups=(MASTERS,)),
        cluster_role_binding("system:monitoring", "system:monitoring",
                             groups=("system:monitoring",)),
        cluster_role_binding("system:discovery", "system:discovery",
                             groups=(ALL_AUTHENTICATED,)),
        cluster_role_binding("system:basic-user", "system:basic-user",
                             groups=(ALL_AUTHENTICATED,)),
        cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                             groups=(ALL_AUTHENTICATED, ALL_UNAUTHENTICATED)),
        cluster_role_binding("system:node-proxier", "system:node-proxier",
                             users=("system:kube-proxy",)),
        cluster_role_binding("system:kube-controller-manager",
                             "system:kube-controller-manager",
                             users=("system:kube-controller-manager",)),
        cluster_role_binding("system:kube-scheduler", "system:kube-scheduler",
                             users=("system:kube-scheduler",)),
        cluster_role_binding("system:node", "system:node"),
        # Tugboat's DNS server is a host daemon with a certificate, not a pod
        cluster_role_binding("system:tug-dns", "system:coredns", users=("system:tug-dns",)),
        {**cluster_role_binding("system:kube-dns", "system:kube-dns"),
         "subjects": [{"kind": "ServiceAccount", "name": "kube-dns",
                       "namespace": "kube-system"}]},
    ]
