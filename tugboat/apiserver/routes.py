"""The resource endpoints: turns a request path into (resource, namespace, name,
subresource), the HTTP verb and query into a registry call, and the result (or ApiError)
into JSON, a Table, or a watch stream. One dispatcher for every resource keeps the
conventions (Status errors, dryRun, fieldValidation, Warning headers) in one place: a
request's options are read by writeoptions, answers written by responsewriters."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

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
from tugboat.apiserver.customresources import mediatypes
from tugboat.apiserver.diskreserve import DiskReserve
from tugboat.apiserver.metrics import ApiMetrics
from tugboat.apiserver.metricsapi import MetricsApi
from tugboat.apiserver.registry import Registry, Result
from tugboat.apiserver.responsewriters import (
    json_response,
    object_response,
    status_response,
    wants_table,
)
from tugboat.apiserver.tables import to_table
from tugboat.apiserver.watching import Stream, WatchRequest
from tugboat.apiserver.writeoptions import (
    delete_options,
    delete_write_options,
    request_write_options,
)

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
        mediatypes.check(t.info, m, request.headers.get("content-type"))
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
            return json_response(to_table(t.info.printer_name, [obj], list_resource_version=obj[
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
            table = to_table(t.info.printer_name, items, list_resource_version=rv,
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
        opts = request_write_options(request)
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
        opts = request_write_options(request)
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
        opts = request_write_options(request)
        res = await patching.patch(self.reg, t.info, t.namespace, t.name or "",
                                   await request.body(), request.headers.get("content-type"),
                                   opts, t.sub)
        return self._reply(request, res)

    async def delete(self, request: Request, t: Target) -> Response:
        if t.sub:
            raise errors.method_not_allowed(f"DELETE is not supported on "
                                            f"{t.info.resource}/{t.sub}")
        options = await delete_options(request)
        res = await self.reg.delete(t.info, t.namespace, t.name or "", options,
                                    delete_write_options(request, options))
        body, code = deletion.answer(t.info, res.obj, res.removed, options)
        return object_response(request, body, code, res.warnings)

    async def delete_collection(self, request: Request, t: Target) -> Response:
        q = request.query_params
        options = await delete_options(request)
        opts = delete_write_options(request, options)
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
