"""`tug auth can-i` and `tug auth whoami`: ask the server what the caller may do
(SelfSubjectAccessReview, SelfSubjectRulesReview for `--list`) and who it takes the
caller to be (SelfSubjectReview), printed as kubectl prints them — `yes` / `no` with
exit 1, the `Resources  Non-Resource URLs  Resource Names  Verbs` table, the
`ATTRIBUTE  VALUE` table — so scripts written for kubectl read tug the same way."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import typer

from tugboat.api import resources
from tugboat.cli.errors import CliError, ExitCode
from tugboat.cli.options import ALL_NAMESPACES, CONTEXT, examples, session_of
from tugboat.cli.printers.objects import dump_json, dump_yaml
from tugboat.cli.session import Session
from tugboat.cli.tabwriter import tabulate
from tugboat.client import ApiError

Obj = dict[str, Any]

SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSRR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
SSR_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
RESOURCE_VERBS = frozenset(("get", "list", "watch", "create", "update", "patch", "delete",
                            "deletecollection", "use", "bind", "impersonate", "*", "approve",
                            "sign", "escalate", "attest"))
NON_RESOURCE_VERBS = frozenset(("get", "put", "post", "head", "options", "delete", "patch",
                                "*"))
NOT_ENABLED = ("the selfsubjectreviews API is not enabled in the cluster\n"
               "enable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 "
               "or authentication.k8s.io/v1beta1 API")
NOT_PERMITTED = ("the selfsubjectreviews API is not enabled in the cluster or you do not have "
                 "permission to call it")

auth_app = typer.Typer(name="auth", no_args_is_help=True, context_settings=CONTEXT,
                       help="Inspect authorization: what you may do, and who you are.")


@dataclass
class AccessCheck:
    """One `can-i` question, as the SelfSubjectAccessReview's attributes."""

    verb: str
    namespace: str = ""
    group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    non_resource_url: str = ""
    warnings: list[str] = field(default_factory=list)

    def review(self) -> Obj:
        if self.non_resource_url:
            spec: Obj = {"nonResourceAttributes": {"path": self.non_resource_url,
                                                   "verb": self.verb}}
        else:
            attrs = {"namespace": self.namespace, "verb": self.verb, "group": self.group,
                     "resource": self.resource, "subresource": self.subresource,
                     "name": self.name}
            spec = {"resourceAttributes": {k: v for k, v in attrs.items() if v}}
        return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "metadata": {}, "spec": spec}


def access_check(args: list[str], namespace: str, all_namespaces: bool,
                 subresource: str) -> AccessCheck:
    """kubectl's argument rules: VERB then TYPE, TYPE/NAME or a /non-resource/url (tug also
    takes NAME as a third argument)."""
    if len(args) not in (2, 3):
        raise CliError("you must specify two arguments: verb resource or verb "
                       "resource/resourceName.\nSee 'tug auth can-i -h' for help and examples.")
    verb, target = args[0], args[1]
    check = AccessCheck(verb, namespace="" if all_namespaces else namespace,
                        subresource=subresource)
    if target.startswith("/"):
        if subresource:
            raise CliError("--subresource can not be used with NonResourceURL")
        if len(args) == 3:
            raise CliError("NonResourceURL and ResourceName can not specified together")
        check.non_resource_url, check.namespace = target, ""
        if verb not in NON_RESOURCE_VERBS:
            check.warnings.append(f"verb '{verb}' is not a known verb")
        return check
    kind, _, name = target.partition("/")
    check.name = args[2] if len(args) == 3 else name
    if kind == "*":
        check.resource = "*"
    else:
        info = resources.resolve(kind)
        if info is None:
            plain, _, group = kind.lower().partition(".")
            where = f" in group '{group}'" if group else ""
            check.warnings.append(f"the server doesn't have a resource type '{plain}'{where}")
            check.resource = kind
        else:
            check.group, check.resource = info.group, info.resource
            if not info.namespaced and not all_namespaces:
                where = f" in group '{info.group}'" if info.group else ""
                check.warnings.append(f"resource '{info.resource}' is not namespace "
                                      f"scoped{where}")
    if verb not in RESOURCE_VERBS:
        check.warnings.append(f"verb '{verb}' is not a known verb")
    return check


def answer(status: Obj) -> str:
    """`yes`, or `no` with the server's reason and evaluation error, as kubectl."""
    if status.get("allowed"):
        return "yes"
    line = "no"
    if status.get("reason"):
        line += f" - {status['reason']}"
    if status.get("evaluationError"):
        line += f" - {status['evaluationError']}"
    return line


# -- can-i --list: kubectl's rule table ------------------------------------------------

def _rule_key(rule: Obj) -> str:
    """The Go String() of an rbac/v1 PolicyRule, which is what kubectl sorts the table by."""
    def go(values: list[str] | None) -> str:
        return "[" + " ".join(values or []) + "]"
    return (f"&PolicyRule{{Verbs:{go(rule.get('verbs'))},APIGroups:{go(rule.get('apiGroups'))},"
            f"Resources:{go(rule.get('resources'))},"
            f"ResourceNames:{go(rule.get('resourceNames'))},"
            f"NonResourceURLs:{go(rule.get('nonResourceURLs'))},}}")


def _breakdown(rule: Obj) -> list[Obj]:
    """One rule per group × resource (× resource name), one per non-resource URL."""
    out: list[Obj] = []
    verbs = list(rule.get("verbs") or [])
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            names = rule.get("resourceNames") or []
            for name in names or [None]:
                sub: Obj = {"verbs": verbs, "apiGroups": [group], "resources": [resource]}
                if name is not None:
                    sub["resourceNames"] = [name]
                out.append(sub)
    for url in rule.get("nonResourceURLs") or []:
        out.append({"verbs": verbs, "nonResourceURLs": [url]})
    return out


def _compact(rules: list[Obj]) -> list[Obj]:
    """Merge the verbs of rules on the same single group/resource/name (rbac CompactRules)."""
    compacted: list[Obj] = []
    simple: dict[tuple[str, str, str | None], Obj] = {}
    for rule in rules:
        if rule.get("nonResourceURLs"):
            compacted.append(rule)
            continue
        names = rule.get("resourceNames") or []
        key = (rule["apiGroups"][0], rule["resources"][0], names[0] if names else None)
        if key in simple:
            simple[key]["verbs"] += [v for v in rule["verbs"] if v not in simple[key]["verbs"]]
        else:
            simple[key] = {**rule, "verbs": list(rule["verbs"])}
    return compacted + list(simple.values())


def _resource_group(rule: Obj) -> str:
    """`pods`, `deployments.apps`, `pods/log` → kubectl's CombineResourceGroup."""
    res = rule.get("resources") or []
    if not res:
        return ""
    name, _, sub = res[0].partition("/")
    groups = rule.get("apiGroups") or []
    if groups and groups[0]:
        name += "." + groups[0]
    return name + (f"/{sub}" if sub else "")


def rules_table(status: Obj, no_headers: bool = False) -> str:
    rules = [{"verbs": r.get("verbs") or [], "apiGroups": r.get("apiGroups") or [],
              "resources": r.get("resources") or [],
              "resourceNames": r.get("resourceNames") or []}
             for r in status.get("resourceRules") or []]
    rules += [{"verbs": r.get("verbs") or [], "nonResourceURLs": r.get("nonResourceURLs") or []}
              for r in status.get("nonResourceRules") or []]
    compacted = _compact([sub for r in rules for sub in _breakdown(r)])
    compacted.sort(key=_rule_key)

    def go(values: list[str] | None) -> str:
        return "[" + " ".join(values or []) + "]"
    rows = [] if no_headers else [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
    rows += [[_resource_group(r), go(r.get("nonResourceURLs")), go(r.get("resourceNames")),
              go(r.get("verbs"))] for r in compacted]
    return tabulate(rows)


def can_i(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="VERB [TYPE | TYPE/NAME | "
                                                      "NONRESOURCEURL] [NAME]"),
          all_namespaces: bool = ALL_NAMESPACES,
          list_: bool = typer.Option(False, "--list", help="Print every allowed action."),
          no_headers: bool = typer.Option(False, "--no-headers",
                                          help="With --list: no header line."),
          quiet: bool = typer.Option(False, "--quiet", "-q",
                                     help="Print nothing; only the exit code answers."),
          subresource: str = typer.Option("", "--subresource",
                                          help="A subresource, such as log or scale.")) -> None:
    """Check whether an action is allowed (exit 0 and `yes`, or exit 1 and `no`)."""
    session = session_of(ctx)
    if list_:
        if args:
            raise CliError("list option must be specified with no arguments")
        if quiet or all_namespaces or subresource:
            raise CliError("--list option must not be specified with --quiet, "
                           "--all-namespaces or --subresource")
        print_rules(session, no_headers)
        return
    check = access_check(list(args or []), session.namespace, all_namespaces, subresource)
    if no_headers:
        raise CliError("--no-headers cannot be set without --list specified")
    for warning in check.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    review = session.request("POST", SSAR_PATH, body=check.review())
    status = review.get("status") or {}
    if not quiet:
        print(answer(status))
    if not status.get("allowed"):
        raise ExitCode(1)


def print_rules(session: Session, no_headers: bool) -> None:
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
            "metadata": {}, "spec": {"namespace": session.namespace}}
    status = session.request("POST", SSRR_PATH, body=body).get("status") or {}
    if status.get("incomplete"):
        print(f"warning: the list may be incomplete: {status.get('evaluationError', '')}",
              file=sys.stderr)
    sys.stdout.write(rules_table(status, no_headers))


# -- whoami ------------------------------------------------------------------------

def whoami_table(review: Obj) -> str:
    info = (review.get("status") or {}).get("userInfo") or {}
    rows = [["ATTRIBUTE", "VALUE"]]
    if info.get("username"):
        rows.append(["Username", info["username"]])
    if info.get("uid"):
        rows.append(["UID", info["uid"]])
    if info.get("groups"):
        rows.append(["Groups", "[" + " ".join(info["groups"]) + "]"])
    for key in sorted(info.get("extra") or {}):
        rows.append([f"Extra: {key}", "[" + " ".join(info["extra"][key]) + "]"])
    return tabulate(rows)


def whoami(ctx: typer.Context,
           output: str = typer.Option(None, "--output", "-o", help="yaml or json")) -> None:
    """Show who the server takes you to be: user name, UID, groups, extra attributes."""
    if output not in (None, "", "yaml", "json"):
        raise CliError(f'unable to match a printer suitable for the output format "{output}", '
                       f"allowed formats are: json,yaml")
    session = session_of(ctx)
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
            "metadata": {}}
    try:
        review = session.request("POST", SSR_PATH, body=body)
    except ApiError as e:
        if e.code == 403:
            raise CliError(NOT_PERMITTED) from None
        if e.code == 404:
            raise CliError(NOT_ENABLED) from None
        raise
    review.setdefault("apiVersion", "authentication.k8s.io/v1")
    review.setdefault("kind", "SelfSubjectReview")
    if output == "json":
        sys.stdout.write(dump_json(review))
    elif output == "yaml":
        sys.stdout.write(dump_yaml(review))
    else:
        sys.stdout.write(whoami_table(review))


CAN_I_EXAMPLES = examples("""
    # Can I create pods in any namespace?
    tug auth can-i create pods --all-namespaces

    # Can I list deployments in my current namespace?
    tug auth can-i list deployments.apps

    # Can I read the logs of pod web?
    tug auth can-i get pods/web --subresource=log

    # Can I access the URL /logs/?
    tug auth can-i get /logs/

    # Everything I may do in namespace dev
    tug auth can-i --list -n dev
""")
WHOAMI_EXAMPLES = examples("""
    # Who am I to the server?
    tug auth whoami

    # The SelfSubjectReview as JSON
    tug auth whoami -o json
""")

auth_app.command("can-i", epilog=CAN_I_EXAMPLES, context_settings=CONTEXT)(can_i)
auth_app.command("whoami", epilog=WHOAMI_EXAMPLES, context_settings=CONTEXT)(whoami)


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app)
