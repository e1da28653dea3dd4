"""The OpenAPI v3 documents: an index of group-versions (/openapi/v3), and per group-version
(/openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>) every operation the server routes, in
Kubernetes' shape — its operationIds (`listCoreV1NamespacedPod`), path and query parameters,
request bodies and responses typed by the components openapischema.py makes from the
models, and the `x-kubernetes-action` / `x-kubernetes-group-version-kind` extensions.

Who reads them: kubectl create/apply looks for a PATCH with a `fieldValidation` parameter
(then lets the server validate) and, for client-side apply, for a PATCH taking
strategic-merge-patch plus the kind's schema with its patch metadata (COMPAT.md §2);
kubectl explain reads the kind's schema; the fuzz suite (tests/integration/fuzz/) generates
requests from them. openapiserving.py serves them (cached, hash-addressed); openapiv2.py
makes the Swagger 2.0 form `kubectl explain --output plaintext-openapiv2` reads."""

from __future__ import annotations

import functools
from typing import Any

from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import RESOURCES, ResourceInfo, groups
from tugboat.apiserver.openapischema import (
    EVICTION,
    META,
    PATCH,
    closure,
    kind_ref,
    list_name,
    ref,
)

Obj = dict[str, Any]
VERSION = "v1.32.4"


def _param(name: str, where: str, type_: str, description: str) -> Obj:
    return {"name": name, "in": where, "description": description,
            "schema": {"type": type_, "uniqueItems": True}}


def _q(name: str, type_: str, description: str) -> Obj:
    return _param(name, "query", type_, description)


_PRETTY = _q("pretty", "string", "If 'true', then the output is pretty printed.")
_DRY_RUN = _q("dryRun", "string", "When present, indicates that modifications should not be "
              "persisted. The only valid value is All.")
_FIELD_MANAGER = _q("fieldManager", "string", "A name associated with the actor or entity "
                    "that is making these changes.")
_FIELD_VALIDATION = _q("fieldValidation", "string", "How the server treats unknown or "
                       "duplicate fields in the body: Ignore, Warn (the default) or Strict.")
_FORCE = _q("force", "boolean", "Force an apply request to take fields owned by other "
            "managers.")
_WRITE = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
_LIST = [
    _q("allowWatchBookmarks", "boolean", "Requests watch events of type BOOKMARK."),
    _q("continue", "string", "The continue token of the previous page of a chunked list."),
    _q("fieldSelector", "string", "A selector restricting the returned objects by their "
       "fields."),
    _q("labelSelector", "string", "A selector restricting the returned objects by their "
       "labels."),
    _q("limit", "integer", "The maximum number of objects a list call returns; the rest "
       "follow through `continue`."),
    _q("resourceVersion", "string", "Which resource versions a request may be served from."),
    _q("resourceVersionMatch", "string", "How resourceVersion is applied to list calls."),
    _q("sendInitialEvents", "boolean", "A watch starts with synthetic ADDED events of the "
       "current state."),
    _q("timeoutSeconds", "integer", "Timeout for the list/watch call."),
    _q("watch", "boolean", "Watch for changes to the described resources and return them as "
       "a stream of add, update, and remove notifications."),
]
_DELETE = [
    _DRY_RUN,
    _q("gracePeriodSeconds", "integer", "The duration in seconds before the object should be "
       "deleted; zero means delete immediately."),
    _q("orphanDependents", "boolean", "Deprecated: use propagationPolicy."),
    _q("propagationPolicy", "string", "Whether and how garbage collection is performed: "
       "Orphan, Background or Foreground."),
]
_LOG = [
    _q("container", "string", "The container for which to stream logs."),
    _q("follow", "boolean", "Follow the log stream of the pod."),
    _q("limitBytes", "integer", "The number of bytes to read from the server before "
       "terminating the log output."),
    _q("previous", "boolean", "Return previous terminated container logs."),
    _q("sinceSeconds", "integer", "A relative time in seconds before the current time from "
       "which to show logs."),
    _q("tailLines", "integer", "The number of lines from the end of the logs to show."),
    _q("timestamps", "boolean", "Add an RFC3339 timestamp at the beginning of every line."),
]
_EXEC = [
    _q("command", "string", "Command is the remote command to execute; argv array."),
    _q("container", "string", "Container in which to execute the command."),
    _q("stderr", "boolean", "Redirect the standard error stream of the pod for this call."),
    _q("stdin", "boolean", "Redirect the standard input stream of the pod for this call."),
    _q("stdout", "boolean", "Redirect the standard output stream of the pod for this call."),
    _q("tty", "boolean", "Allocate a terminal for this exec call."),
]
_NAMESPACE = {**_param("namespace", "path", "string", "object name and auth scope, such as "
                       "for teams and projects"), "required": True}


def _name(kind: str) -> Obj:
    return {**_param("name", "path", "string", f"name of the {kind}"), "required": True}


def _json(schema: Obj) -> Obj:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(schema: Obj, *codes: str) -> Obj:
    text = {"200": "OK", "201": "Created", "202": "Accepted"}
    out: Obj = {c: {"description": text[c], **_json(schema)} for c in codes}
    out["401"] = {"description": "Unauthorized"}
    return out


def _body(schema: Obj) -> Obj:
    return {"content": {"*/*": {"schema": schema}}, "required": True}


_PATCH_TYPES = ("application/apply-patch+yaml", "application/json-patch+json",
                "application/merge-patch+json", "application/strategic-merge-patch+json")
_PATCH_BODY = {"content": {t: {"schema": ref(PATCH)} for t in _PATCH_TYPES}, "required": True}
# Custom resources take no strategic merge patch (no Go struct carries its merge keys), and
# their documents say so: kubectl's apply sends a strategic patch only where the OpenAPI v3
# PATCH operation accepts one, a JSON merge patch otherwise.
_CUSTOM_PATCH_BODY = {"content": {t: {"schema": ref(PATCH)} for t in _PATCH_TYPES[:3]},
                      "required": True}


def _op_prefix(r: ResourceInfo) -> str:
    """`CoreV1`, `AppsV1`, `RbacAuthorizationV1`: the group-version in operationIds."""
    group = r.group.removesuffix(".k8s.io") if r.group else "core"
    return "".join(p[:1].upper() + p[1:] for p in group.split(".")) + \
        r.version[:1].upper() + r.version[1:]


def _tag(r: ResourceInfo) -> str:
    group = r.group.removesuffix(".k8s.io").replace(".", "") if r.group else "core"
    return f"{group}_{r.version}"


_BINDING = {"group": "", "version": "v1", "kind": "Binding"}
_SCALE = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
_EVICTION = {"group": "policy", "version": "v1", "kind": "Eviction"}
_TOKEN = {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}
_DELETE_OPTIONS = {"content": {"*/*": {"schema": ref(f"{META}.DeleteOptions")}}}
_TEXT = {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}}
# Subresources with a body of their own: HTTP methods, body model (None: the kind itself;
# a str: a component name), group-version-kind (None: the resource's).
_SUBRESOURCES: dict[str, tuple[tuple[str, ...], str | None, Obj | None]] = {
    "status": (("get", "put", "patch"), None, None),
    "ephemeralcontainers": (("get", "put", "patch"), None, None),
    "scale": (("get", "put", "patch"), "Scale", _SCALE),
    "binding": (("post",), "Binding", _BINDING),
    "eviction": (("post",), EVICTION, _EVICTION),
    "finalize": (("put",), None, None),
    "token": (("post",), "TokenRequest", _TOKEN),
}


class Builder:
    """The operations of one resource, in the order and shape Kubernetes documents them."""

    def __init__(self, r: ResourceInfo):
        self.r = r
        self.gvk = {"group": r.group, "version": r.version, "kind": r.kind}
        self.prefix = _op_prefix(r)
        self.scope = "Namespaced" if r.namespaced else ""
        self.obj, self.listed = self.schemas()
        self.paths: Obj = {}

    def schemas(self) -> tuple[Obj, Obj]:
        """$refs to the components of the kind and of its list."""
        return kind_ref(self.r.model), ref(list_name(self.r))

    def op(self, verb: str, action: str, summary: str, sub: str = "", kind: str | None = None,
           gvk: Obj | None = None, **more: Any) -> Obj:
        kind_name = kind or self.r.kind
        op_id = f"{verb}{self.prefix}{self.scope}{kind_name}{sub[:1].upper() + sub[1:]}"
        return {"description": summary, "operationId": op_id, "tags": [_tag(self.r)],
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk or self.gvk, **more}

    def build(self) -> Obj:
        r = self.r
        coll = r.path("{namespace}") if r.namespaced else r.path()
        scope = [_NAMESPACE] if r.namespaced else []
        named = [_name(r.kind), *scope]
        self.add(coll, self.collection(), scope)
        if r.namespaced and "list" in r.verbs:  # /api/v1/pods: every namespace's
            op = self.collection()["get"]
            op["operationId"] = f"list{self.prefix}{r.kind}ForAllNamespaces"
            self.add(r.path(), {"get": op}, [])
        self.add(coll + "/{name}", self.item(), named)
        for sub in r.subresources:
            self.add(f"{coll}/{{name}}/{sub}", self.subresource(sub), named)
        if "binding" in r.subresources and r.namespaced:  # POST namespaces/{ns}/bindings
            b = kind_ref("Binding")
            op = self.op("create", "post", "create a Binding", kind="Binding", gvk=_BINDING,
                         parameters=_WRITE, requestBody=_body(b),
                         responses=_responses(b, "200", "201", "202"))
            self.add(coll.rsplit("/", 1)[0] + "/bindings", {"post": op}, scope)
        return self.paths

    def collection(self) -> Obj:
        r, kind, listed = self.r, self.r.kind, self.listed
        ops: Obj = {}
        if "list" in r.verbs:
            ops["get"] = self.op("list", "list", f"list or watch objects of kind {kind}",
                                 parameters=_LIST, responses=_responses(listed, "200"))
        if "create" in r.verbs:
            ops["post"] = self.op("create", "post", f"create a {kind}", parameters=_WRITE,
                                  requestBody=_body(self.obj),
                                  responses=_responses(self.obj, "200", "201", "202"))
        if "deletecollection" in r.verbs:
            ops["delete"] = self.op("deleteCollection", "deletecollection",
                                    f"delete collection of {kind}",
                                    parameters=_DELETE + _LIST, requestBody=_DELETE_OPTIONS,
                                    responses=_responses(listed, "200"))
        return ops

    def item(self) -> Obj:
        r = self.r
        ops = {m: self.method(m, "", self.obj, self.gvk) for m in ("get", "put", "patch")
               if _VERB_OF[m] in r.verbs}
        if "delete" in r.verbs:
            ops["delete"] = self.op("delete", "delete", f"delete a {r.kind}",
                                    parameters=_DELETE, requestBody=_DELETE_OPTIONS,
                                    responses=_responses(self.obj, "200", "202"))
        return ops

    def method(self, method: str, sub: str, schema: Obj, gvk: Obj) -> Obj:
        """GET, PUT, PATCH or POST of the object or one of its subresources."""
        what = f"{sub} of " if sub else ""
        verb, action, summary = {
            "get": ("read", "get", f"read {what}the specified {self.r.kind}"),
            "put": ("replace", "put", f"replace {what}the specified {self.r.kind}"),
            "patch": ("patch", "patch", f"partially update {what}the specified {self.r.kind}"),
            "post": ("create", "post", f"create {what}a {self.r.kind}"),
        }[method]
        more: Obj = {"responses": _responses(schema, "200")}
        if method == "put":
            more = {"parameters": _WRITE, "requestBody": _body(schema),
                    "responses": _responses(schema, "200", "201")}
        elif method == "patch":
            body = _CUSTOM_PATCH_BODY if isinstance(self.r, CustomResourceInfo) else _PATCH_BODY
            more = {"parameters": [*_WRITE, _FORCE], "requestBody": body,
                    "responses": _responses(schema, "200", "201")}
        elif method == "post":
            more = {"parameters": _WRITE, "requestBody": _body(schema),
                    "responses": _responses(schema, "200", "201", "202")}
        return self.op(verb, action, summary, sub, gvk=gvk, **more)

    def subresource(self, sub: str) -> Obj:
        if sub in _SUBRESOURCES:
            methods, model, gvk = _SUBRESOURCES[sub]
            schema = self.obj if model is None else ref(model) if "." in model \
                else kind_ref(model)
            return {m: self.method(m, sub, schema, gvk or self.gvk) for m in methods}
        if sub == "log":
            return {"get": self.op("read", "get", f"read log of the specified {self.r.kind}",
                                   "log", parameters=_LOG, responses=_TEXT)}
        if sub == "exec":  # a connection upgraded to a stream, typed by its options
            return {m: self.op(f"connect{m.title()}", "connect", f"connect {m.upper()} "
                               f"requests to exec of {self.r.kind}", "exec",
                               gvk={"group": "", "version": "v1", "kind": "PodExecOptions"},
                               parameters=_EXEC, responses={"200": {
                                   "description": "OK", "content": {"*/*": {
                                       "schema": {"type": "string"}}}}})
                    for m in ("get", "post")}
        return {}

    def add(self, path: str, ops: Obj, params: list[Obj]) -> None:
        if ops:
            self.paths[path] = {**ops, "parameters": [*params, _PRETTY]}


_VERB_OF = {"get": "get", "put": "update", "patch": "patch"}


def group_versions() -> dict[str, tuple[str, str]]:
    """Every served group-version by its path under /openapi/v3 (`api/v1`, `apis/apps/v1`)."""
    return {(f"apis/{g}/{v}" if g else f"api/{v}"): (g, v)
            for g, versions in groups().items() for v in versions}


@functools.cache
def group_version(group: str, version: str) -> Obj | None:
    found = [r for r in RESOURCES if r.group == group and r.version == version]
    if not found:
        return None
    paths: Obj = {}
    for r in found:
        paths.update(Builder(r).build())
    doc: Obj = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": VERSION},
                "paths": dict(sorted(paths.items()))}
    doc["components"] = {"schemas": closure(doc)}
    return doc
