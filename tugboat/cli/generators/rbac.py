"""The RBAC generators: role and cluster role (`--verb`, `--resource=res[.group][/sub]`,
`--resource-name`, `--non-resource-url`, `--aggregation-rule`), role binding and cluster
role binding (`--role|--clusterrole`, `--user`, `--group`, `--serviceaccount=ns:name`).

kubectl maps each resource through discovery; tug maps it through the RESOURCES table —
the same list the server's discovery serves — so generating needs no server."""

from __future__ import annotations

from tugboat.api import resources
from tugboat.cli.generators import GeneratorError, NoResourceType, Obj, metadata

RBAC = "rbac.authorization.k8s.io"
RBAC_VERSION = f"{RBAC}/v1"
RESOURCE_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy",
                  "deletecollection", "use", "bind", "escalate", "impersonate")
NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")


def nonstandard_verbs(verbs: list[str], non_resource_urls: list[str]) -> list[str]:
    """The verbs kubectl warns about (it creates the rule all the same)."""
    return [] if non_resource_urls else [v for v in verbs if v not in RESOURCE_VERBS]


def _split_resource(spec: str) -> tuple[str, str, str]:
    """`deployments.apps/scale` → (resource, group, subresource), mapped to the plural."""
    name, _, sub = spec.partition("/")
    resource, _, group = name.partition(".")
    if not resource:
        raise GeneratorError("resource must be specified if apiGroup/subresource specified")
    if resource == "*":
        return resource, group, sub
    info = resources.resolve(name)
    if info is None:
        raise NoResourceType(f'the server doesn\'t have a resource type "{resource}"')
    return info.resource, info.group, sub


def resource_rules(verbs: list[str], specs: list[str], names: list[str],
                   non_resource_urls: list[str]) -> list[Obj]:
    """One rule per API group (groups sorted, resources in the order given), then one for
    the non-resource URLs."""
    if not verbs:
        raise GeneratorError("at least one verb must be specified")
    by_group: dict[str, list[str]] = {}
    for spec in specs:
        resource, group, sub = _split_resource(spec)
        full = f"{resource}/{sub}" if sub else resource
        if full not in by_group.setdefault(group, []):
            by_group[group].append(full)
    rules: list[Obj] = []
    for group in sorted(by_group):
        rule: Obj = {"verbs": list(verbs), "apiGroups": [group], "resources": by_group[group]}
        if names:
            rule["resourceNames"] = list(names)
        rules.append(rule)
    if non_resource_urls:
        for url in non_resource_urls:
            if not url.startswith("/"):
                raise GeneratorError("nonResourceURL should start with /")
        for verb in verbs:
            if verb not in NON_RESOURCE_VERBS:
                raise GeneratorError(f"invalid verb: '{verb}' for nonResourceURL")
        rules.append({"verbs": list(verbs), "nonResourceURLs": list(non_resource_urls)})
    return rules


def role(name: str, verbs: list[str], specs: list[str], names: list[str]) -> Obj:
    if not specs:
        if not verbs:
            raise GeneratorError("at least one verb must be specified")
        raise GeneratorError("at least one resource must be specified")
    return {"kind": "Role", "apiVersion": RBAC_VERSION, "metadata": metadata(name),
            "rules": resource_rules(verbs, specs, names, [])}


def cluster_role(name: str, verbs: list[str], specs: list[str], names: list[str],
                 non_resource_urls: list[str], aggregation_rule: str = "") -> Obj:
    obj: Obj = {"kind": "ClusterRole", "apiVersion": RBAC_VERSION, "metadata": metadata(name)}
    if aggregation_rule:
        if verbs or specs or names or non_resource_urls:
            raise GeneratorError("--verb, --resource, --resource-name, --non-resource-url "
                                 "can not be specified when --aggregation-rule is provided")
        labels = {}
        for pair in aggregation_rule.split(","):
            key, eq, value = pair.partition("=")
            if not eq or not key:
                raise GeneratorError(f"invalid aggregation rule {aggregation_rule}, expected "
                                     f"key=value pairs")
            labels[key] = value
        obj["rules"] = None
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": labels}]}
        return obj
    if not specs and not non_resource_urls:
        if not verbs:
            raise GeneratorError("at least one verb must be specified")
        raise GeneratorError("one of resource or nonResourceURL must be specified")
    obj["rules"] = resource_rules(verbs, specs, names, non_resource_urls)
    return obj


def subjects(users: list[str], groups: list[str], service_accounts: list[str]) -> list[Obj]:
    out: list[Obj] = [{"kind": "User", "apiGroup": RBAC, "name": u} for u in users]
    out += [{"kind": "Group", "apiGroup": RBAC, "name": g} for g in groups]
    for sa in service_accounts:
        ns, sep, name = sa.partition(":")
        if not sep or not ns or not name or ":" in name:
            raise GeneratorError("serviceaccount must be <namespace>:<name>")
        out.append({"kind": "ServiceAccount", "name": name, "namespace": ns})
    return out


def role_binding(name: str, role_name: str, cluster_role_name: str, users: list[str],
                 groups: list[str], service_accounts: list[str]) -> Obj:
    if bool(role_name) == bool(cluster_role_name):
        raise GeneratorError("exactly one of clusterrole or role must be specified")
    ref_kind, ref = ("Role", role_name) if role_name else ("ClusterRole", cluster_role_name)
    obj: Obj = {"kind": "RoleBinding", "apiVersion": RBAC_VERSION, "metadata": metadata(name)}
    found = subjects(users, groups, service_accounts)
    if found:
        obj["subjects"] = found
    obj["roleRef"] = {"apiGroup": RBAC, "kind": ref_kind, "name": ref}
    return obj


def cluster_role_binding(name: str, cluster_role_name: str, users: list[str],
                         groups: list[str], service_accounts: list[str]) -> Obj:
    if not cluster_role_name:
        raise GeneratorError('required flag(s) "clusterrole" not set')
    obj: Obj = {"kind": "ClusterRoleBinding", "apiVersion": RBAC_VERSION,
                "metadata": metadata(name)}
    found = subjects(users, groups, service_accounts)
    if found:
        obj["subjects"] = found
    obj["roleRef"] = {"apiGroup": RBAC, "kind": "ClusterRole", "name": cluster_role_name}
    return obj
