"""The resource endpoints: turns a request path into (resource, namespace, name,
subresource), the HTTP verb and query into a registry call, and the result (or ApiError)
into JSON, a Table, or a watch stream. One dispatcher for every resource keeps the
conventions (Status errors, dryRun, fieldValidation, Warning headers) in one place."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tugboat.api.meta import DeleteOptions
from tugboat.api.resources import ResourceInfo, lookup
from tugboat.apiserver import (
    decoding,
    deletion,
    errors,
    filters,
    patching,
    protobuf,
    proxy,
    queryparams,
    reststorage,
    subresources,
)
from tugboat.apiserver.auth.user import PRIVILEGED, UserInfo, user_of
from tugboat.apiserver.diskreserve import DiskReserve
from tugboat.apiserver.metrics import ApiMetrics
from tugboat.apiserver.metricsapi import MetricsApi
from tugboat.apiserver.registry import Registry, Result, WriteOptions
from tugboat.apiserver.tables import to_table
from tugboat.apiserver.warningheaders import warning_values
from tugboat.apiserver.watching import Stream, WatchRequest

log = logging.getLogger(__name__)
Obj = dict[str, Any]


@dataclass
class Target:
    info: ResourceInfo
    namespace: str | None
    name: str | None
    sub: str | None


def parse_target(group: str, version: str, rest: str) -> Target:
    parts = [p for p in rest.split("/") if p]
    path = f"/{'apis/' + group if group else 'api'}/{version}/{rest}"
    if not parts:
        raise errors.not_found_path(path)
    ns = None
    pods = lookup(group, version, "pods")
    if pods and len(parts) == 3 and parts[0] == "namespaces" and parts[2] == "bindings":
        return Target(pods, parts[1], None, "binding")  # the pod is named in the body
    if len(parts) >= 3 and parts[0] == "namespaces":
        cand = lookup(group, version, parts[2])
        if cand and cand.namespaced:
            ns, parts = parts[1], parts[2:]
    info = lookup(group, version, parts[0])
    if info is None or len(parts) > 3:
        raise errors.not_found_path(path)
    name = parts[1] if len(parts) > 1 else None
    sub = parts[2] if len(parts) > 2 else None
    if sub and sub not in info.subresources:
        raise errors.not_found_path(path)
    if info.namespaced and name and ns is None:
        raise errors.not_found_path(path)
    return Target(info, ns, name, sub)


def wants_table(accept: str | None) -> bool:
    return bool(accept) and "as=Table" in accept  # type: ignore[operator]


def json_response(obj: Any, status: int = 200, warnings: list[str] | None = None) -> Response:
    resp = Response(orjson.dumps(obj), status_code=status, media_type="application/json")
    if warnings:  # one header each, as kube-apiserver sends them; always legal HTTP
        resp.raw_headers.extend((b"warning", v) for v in warning_values(warnings))
    return resp


def object_response(request: Request, obj: Any, status: int = 200,
                    warnings: list[str] | None = None) -> Response:
    """An object, a list or a Status in the media type the client's Accept prefers:
    protobuf when it comes first and the kind has a message, JSON otherwise."""
    if isinstance(obj, dict) and protobuf.wants_protobuf(request.headers.get("accept")):
        listing = "items" in obj and obj.get("kind", "").endswith("List")
        body = protobuf.encode_list(obj) if listing else protobuf.encode(obj)
        if body is not None:
            resp = Response(body, status_code=status, media_type=protobuf.MEDIA_TYPE)
            if warnings:
                resp.raw_headers.extend((b"warning", v) for v in warning_values(warnings))
            return resp
    return json_response(obj, status, warnings)


def status_response(err: errors.ApiError, accept: str | None = None) -> Response:
    if accept and err.code != 406:
        try:
            body = protobuf.encode(err.wire()) if protobuf.wants_protobuf(accept) else None
        except errors.ApiError:
            body = None
        if body is not None:
            return Response(body, status_code=err.code, media_type=protobuf.MEDIA_TYPE,
                            headers=err.headers)
    return Response(orjson.dumps(err.wire()), status_code=err.code,
                    media_type="application/json", headers=err.headers)


def write_options(q: Any, user: UserInfo = PRIVILEGED, agent: str | None = None) -> WriteOptions:
    dry = q.getlist("dryRun")
    for d in dry:
        if d != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{d}": supported values: "All"')
    fv = q.get("fieldValidation")
    if fv and fv not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f'fieldValidation: Unsupported value: "{fv}": supported '
                                 f'values: "Strict", "Warn", "Ignore"')
    return WriteOptions(dry_run=bool(dry), field_validation=fv,
                        field_manager=q.get("fieldManager"), user=user,
                        force=queryparams.boolean(q, "force"), user_agent=agent)


def _delete_write_options(request: Request, options: DeleteOptions) -> WriteOptions:
    """client-go (kubectl delete --dry-run=server) sends dryRun in the DeleteOptions body."""
    opts = write_options(request.query_params, user_of(request.scope))
    if options.dryRun:
        opts.dry_run = write_options(QueryParams([("dryRun", d) for d in options.dryRun])).dry_run
    return opts


# POST subresources that store nothing of their own: a token is signed, not kept, and an
# eviction is a delete, which the disk reserve exists to let through.
WRITE_NOTHING = ("token", "eviction")


class ResourceHandler:
    def __init__(self, registry: Registry, metrics: ApiMetrics,
                 reserve: DiskReserve | None = None):
        self.reg = registry
        self.metrics = metrics
        self.reserve = reserve  # below it, writes that store something are refused (507)
        self.metrics_api = MetricsApi(registry)

    async def __call__(self, request: Request) -> Response:
        t0 = time.perf_counter()
        p = request.path_params
        verb, resource, code = request.method.lower(), "", 500
        try:
            target = parse_target(p.get("group", ""), p["version"], p["rest"])
            resource = target.info.resource + (f"/{target.sub}" if target.sub else "")
            # Negotiated before any work, as kube-apiserver does: 406 when the client
            # accepts nothing this resource can be written as.
            protobuf.wants_protobuf(request.headers.get("accept"), protobuf.encodable(
                target.info.api_version, target.info.kind))
            resp, verb = await self._dispatch(request, target)
            code = resp.status_code
            return resp
        except errors.ApiError as e:
            code = e.code
            return status_response(e, request.headers.get("accept"))
        except Exception:
            log.exception("internal error on %s %s", request.method, request.url.path)
            return status_response(errors.ApiError(500, "InternalError",
                                                   "an internal error occurred"))
        finally:
            self.metrics.observe(verb, resource, code, time.perf_counter() - t0)

    async def _dispatch(self, request: Request, t: Target) -> tuple[Response, str]:
        m = request.method
        if t.sub in proxy.SUBRESOURCES and t.name:  # pods/log, pods/exec: to the kubelet
            return await proxy.serve_http(request, self.reg, t.namespace or "", t.name,
                                          t.sub or ""), "connect"
        if t.sub and t.name is None and m != "POST":
            raise errors.method_not_allowed(f"{m} is not supported on bindings")
        if self.reserve is not None and t.info.stored and t.sub not in WRITE_NOTHING:
            self.reserve.check_write(m)
        if m == "GET" and not t.info.stored:
            return await self._computed(request, t)
        if m == "GET":
            if t.name is None:
                watch = bool(queryparams.boolean(request.query_params, "watch"))
                verb = "watch" if watch else "list"
                self._allow(t, verb)
                return (await (self.watch(request, t) if watch else self.list(request, t))), verb
            self._allow(t, "get")
            return self.get(request, t), "get"
        if m == "POST":
            self._allow(t, "create")
            return await self.create(request, t), "create"
        if m == "PUT" and t.name:
            self._allow(t, "update")
            return await self.update(request, t), "update"
        if m == "PATCH" and t.name:
            self._allow(t, "patch")
            return await self.patch(request, t), "patch"
        if m == "DELETE":
            verb = "delete" if t.name else "deletecollection"
            self._allow(t, verb)
            return await (self.delete(request, t) if t.name else self.delete_collection(
                request, t)), verb
        raise errors.method_not_allowed(f"the server does not allow this method on the "
                                        f"requested resource ({m} {t.info.resource})")

    async def _computed(self, request: Request, t: Target) -> tuple[Response, str]:
        """Resources served from the kubelets rather than the store (metrics.k8s.io)."""
        watch = bool(queryparams.boolean(request.query_params, "watch"))
        verb = "watch" if watch else "get" if t.name else "list"
        self._allow(t, verb)
        if t.sub:
            raise errors.not_found_path(request.url.path)
        obj = await self.metrics_api.serve(request, t.info, t.namespace, t.name)
        if wants_table(request.headers.get("accept")):
            obj = to_table(f"{t.info.resource}.{t.info.group}", obj.get("items", [obj]),
                           list_resource_version=None,
                           include_object=queryparams.include_object(request.query_params))
        return json_response(obj), verb

    @staticmethod
    def _allow(t: Target, verb: str) -> None:
        if verb not in t.info.verbs:
            raise errors.method_not_allowed(
                f"the server does not allow this method on the requested resource "
                f"({verb} {t.info.resource})")

    # -- reads ------------------------------------------------------------------------

    def get(self, request: Request, t: Target) -> Response:
        if t.sub not in (None, "status", "scale", "ephemeralcontainers"):
            raise errors.method_not_allowed(f"GET is not supported on {t.info.resource}/{t.sub}")
        queryparams.resource_version(request.query_params)  # any is served from the cache,
        obj = self.reg.get(t.info, t.namespace, t.name or "")  # but it must parse
        if t.sub == "scale":
            return object_response(request, subresources.to_scale(t.info, obj))
        if t.sub is None and wants_table(request.headers.get("accept")):
            return json_response(to_table(t.info.resource, [obj], list_resource_version=obj[
                "metadata"].get("resourceVersion"), include_object=queryparams.include_object(
                    request.query_params)))
        return object_response(request, obj)

    async def list(self, request: Request, t: Target) -> Response:
        q = request.query_params
        queryparams.resource_version(q)
        queryparams.validate_list_options(q, watch=False)
        match = filters.build(t.info, q.get("labelSelector"), q.get("fieldSelector"))
        limit = queryparams.int64(q, "limit") or 0
        items, rv, cont = await self.reg.list(t.info, t.namespace, match,
                                              limit=max(limit, 0),  # below 0: no limit, as
                                              cont=q.get("continue") or None)  # Kubernetes
        if wants_table(request.headers.get("accept")):
            table = to_table(t.info.resource, items, list_resource_version=rv,
                             include_object=queryparams.include_object(q))
            if cont:
                table["metadata"]["continue"] = cont
            return json_response(table)
        meta: Obj = {"resourceVersion": rv}
        if cont:
            meta["continue"] = cont
        return object_response(request, {"kind": t.info.list_kind,
                                          "apiVersion": t.info.api_version, "metadata": meta,
                                          "items": items})

    async def watch(self, request: Request, t: Target) -> Response:
        q = request.query_params
        rv = queryparams.resource_version(q)
        queryparams.validate_list_options(q, watch=True)
        timeout = queryparams.int64(q, "timeoutSeconds")
        as_table = wants_table(request.headers.get("accept"))
        if as_table:
            queryparams.include_object(q)
        req = WatchRequest(
            info=t.info, namespace=t.namespace,
            match=filters.build(t.info, q.get("labelSelector"), q.get("fieldSelector")),
            resource_version=rv,
            timeout=float(timeout) if timeout else None,  # 0 is the default, as in Kubernetes
            bookmarks=bool(queryparams.boolean(q, "allowWatchBookmarks")),
            as_table=as_table,
            send_initial_events=bool(queryparams.boolean(q, "sendInitialEvents")),
            protobuf=not as_table and protobuf.wants_protobuf(
                request.headers.get("accept"), protobuf.encodable(t.info.api_version,
                                                                  t.info.kind)))
        body = Stream(self.reg.cache, req).open()
        return StreamingResponse(body, media_type=protobuf.WATCH_MEDIA_TYPE if req.protobuf
                                 else "application/json",
                                 headers={"Cache-Control": "no-cache"})

    # -- writes -----------------------------------------------------------------------

    @staticmethod
    def _reply(request: Request, res: Result, created_code: int = 201) -> Response:
        return object_response(request, res.obj, created_code if res.created else 200,
                               res.warnings)

    async def create(self, request: Request, t: Target) -> Response:
        opts = write_options(request.query_params, user_of(request.scope),
                             request.headers.get("user-agent", ""))
        body = decoding.parse_object(await request.body(), request.headers.get("content-type"))
        special = reststorage.SUBRESOURCE_CREATES.get((t.info.group, t.info.resource, t.sub or "")) \
            if t.name and t.sub else reststorage.CREATES.get((t.info.group, t.info.resource)) \
            if t.name is None and t.sub is None else None
        if special is not None:
            warnings: list[str] = []
            if t.name and t.sub:  # a write of the named object's subresource: admitted
                body, warnings = self.reg.admit_subresource(t.info, t.namespace, t.name, t.sub,
                                                            body, opts)
            obj, code = await special(reststorage.Call(
                self.reg, t.info, t.namespace, t.name, t.sub, body, opts, opts.user, request))
            return object_response(request, obj, code, warnings)
        if t.name is None and t.sub == "binding":  # POST namespaces/{ns}/bindings
            name = subresources.binding_name(body)
            obj, warnings = await subresources.bind(self.reg, t.info, t.namespace, name, body,
                                                    opts)
            return object_response(request, obj, 201, warnings)
        if t.name is None:
            if t.info.namespaced and t.namespace is None:
                raise errors.method_not_allowed(f"create of {t.info.resource} needs a namespace")
            return self._reply(request, await self.reg.create(t.info, t.namespace, body, opts))
        post = subresources.POSTS.get(t.sub or "")
        if post is None:
            raise errors.method_not_allowed(f"POST is not supported on {t.info.resource}"
                                            + (f"/{t.sub}" if t.sub else "/{name}"))
        obj, warnings = await post(self.reg, t.info, t.namespace, t.name, body, opts)
        return object_response(request, obj, 201, warnings)

    async def update(self, request: Request, t: Target) -> Response:
        opts = write_options(request.query_params, user_of(request.scope),
                             request.headers.get("user-agent", ""))
        body = decoding.parse_object(await request.body(), request.headers.get("content-type"))
        name = t.name or ""
        if t.sub == "scale":
            return self._reply(request, await subresources.write_scale(
                self.reg, t.info, t.namespace, name, body, opts))
        if t.sub == "finalize":  # the namespace controller's write: no revision to honour
            return self._reply(request, await self.reg.guaranteed_update(
                t.info, t.namespace, name, body, opts, t.sub))
        if t.sub not in (None, "status", "ephemeralcontainers"):
            raise errors.method_not_allowed(f"PUT is not supported on {t.info.resource}/{t.sub}")
        return self._reply(request, await self.reg.update(t.info, t.namespace, name, body, opts,
                                                          t.sub))

    async def patch(self, request: Request, t: Target) -> Response:
        if t.sub not in (None, "status", "scale", "ephemeralcontainers"):
            raise errors.method_not_allowed(f"PATCH is not supported on "
                                            f"{t.info.resource}/{t.sub}")
        opts = write_options(request.query_params, user_of(request.scope),
                             request.headers.get("user-agent", ""))
        res = await patching.patch(self.reg, t.info, t.namespace, t.name or "",
                                   await request.body(), request.headers.get("content-type"),
                                   opts, t.sub)
        return self._reply(request, res)

    async def _delete_options(self, request: Request) -> DeleteOptions:
        raw = await request.body()
        data: Obj = {}
        if raw.strip():
            parsed = decoding.parse_body(raw, request.headers.get("content-type"))
            if not isinstance(parsed, dict):
                raise errors.bad_request("the delete options must be an object")
            data = parsed
        q = request.query_params
        grace = queryparams.int64(q, "gracePeriodSeconds")
        if grace is not None:
            data["gracePeriodSeconds"] = grace
        if q.get("propagationPolicy"):
            data["propagationPolicy"] = q["propagationPolicy"]
        orphan = queryparams.boolean(q, "orphanDependents")
        if orphan is not None:
            data["orphanDependents"] = orphan
        try:
            opts = DeleteOptions.model_validate(data)
        except Exception as e:
            raise errors.bad_request(f"invalid delete options: {e}") from None
        if opts.propagationPolicy not in (None, "Foreground", "Background", "Orphan"):
            raise errors.bad_request(f'propagationPolicy: Unsupported value: '
                                     f'"{opts.propagationPolicy}": supported values: '
                                     f'"Foreground", "Background", "Orphan"')
        return opts

    async def delete(self, request: Request, t: Target) -> Response:
        if t.sub:
            raise errors.method_not_allowed(f"DELETE is not supported on "
                                            f"{t.info.resource}/{t.sub}")
        options = await self._delete_options(request)
        res = await self.reg.delete(t.info, t.namespace, t.name or "", options,
                                    _delete_write_options(request, options))
        body, code = deletion.answer(t.info, res.obj, res.removed, options)
        return object_response(request, body, code, res.warnings)

    async def delete_collection(self, request: Request, t: Target) -> Response:
        q = request.query_params
        options = await self._delete_options(request)
        opts = _delete_write_options(request, options)
        match = filters.build(t.info, q.get("labelSelector"), q.get("fieldSelector"))
        items, rv, _ = await self.reg.list(t.info, t.namespace, match)
        warnings: list[str] = []
        for obj in items:
            m = obj["metadata"]
            try:
                res = await self.reg.delete(t.info, m.get("namespace"), m["name"], options, opts)
                warnings += [w for w in res.warnings if w not in warnings]
            except errors.ApiError as e:
                if e.code != 404:  # gone meanwhile is fine
                    raise
        return object_response(request, deletion.collection(t.info, items, rv), 200, warnings)
