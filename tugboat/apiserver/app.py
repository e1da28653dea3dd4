"""Builds the API server's ASGI app: the store and watch cache on start-up (and the
default namespaces), the non-resource endpoints (discovery, version, OpenAPI, health,
metrics), the one resource dispatcher, periodic compaction of the store's history, and —
when built with a Security — kube-apiserver's request filters in its order:
authentication → audit → authorization → handlers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tugboat.api.meta import DeleteOptions, StatusDetails, parse_rfc3339
from tugboat.api.resources import lookup
from tugboat.apiserver import (
    attach,
    discovery,
    errors,
    healthz,
    openapiserving,
    openapiv2,
    proxy,
)
from tugboat.apiserver.audit.options import Auditing
from tugboat.apiserver.auth import selfsubjectreview, tokenreview  # noqa: F401 - registers handlers
from tugboat.apiserver.auth.authentication import authentication_filter
from tugboat.apiserver.connectroutes import add_connect_routes
from tugboat.apiserver.customresources.establishing import Establishing
from tugboat.apiserver.diskreserve import DEFAULT_RESERVE, DiskReserve
from tugboat.apiserver.kubeletclient import install_kubelet_client, kubelet_client
from tugboat.apiserver.kubernetesservice import KubernetesService, keep
from tugboat.apiserver.metrics import ApiMetrics
from tugboat.apiserver.priorityclasses import ensure_system_priority_classes
from tugboat.apiserver.registry import Registry, WriteOptions
from tugboat.apiserver.requestbody import RequestBodyLimit
from tugboat.apiserver.responsewriters import json_response, status_response
from tugboat.apiserver.routes import ResourceHandler
from tugboat.apiserver.security import Security, SecurityFactory
from tugboat.apiserver.watchcache import DEFAULT_WINDOW_BYTES, WatchCache
from tugboat.store import Store, StoreHealth, open_store

log = logging.getLogger(__name__)
DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def ensure_namespaces(reg: Registry) -> None:
    info = lookup("", "v1", "namespaces")
    for ns in DEFAULT_NAMESPACES:
        if reg.cache.get(info.key(None, ns)) is None:
            try:
                await reg.create(info, None, {"metadata": {"name": ns}}, WriteOptions())
            except errors.ApiError as e:
                if e.code != 409:
                    raise


async def compact_periodically(store: Store, interval: float) -> None:
    """Keep at least `interval` of history: each tick compacts to the previous tick's
    revision, as kube-apiserver does with etcd every five minutes."""
    previous = await store.current_revision()
    while True:
        await asyncio.sleep(interval)
        try:
            await store.compact(previous)
        except Exception:
            log.exception("compaction at %d failed", previous)
        previous = await store.current_revision()


async def expire_events(reg: Registry, ttl: float, every: float = 60.0) -> None:
    """Kubernetes keeps Events for --event-ttl (1h) through etcd leases; here a sweep
    deletes Events whose last occurrence is older than the TTL."""
    info = lookup("", "v1", "events")
    while True:
        await asyncio.sleep(every)
        cutoff = time.time() - ttl
        for ev in reg.cache.list(info.key_prefix()):
            stamp = ev.get("lastTimestamp") or ev.get("eventTime") or \
                ev["metadata"].get("creationTimestamp")
            try:
                old = parse_rfc3339(stamp).timestamp() < cutoff
            except (TypeError, ValueError):
                old = False
            if old:
                with contextlib.suppress(errors.ApiError):
                    await reg.delete(info, ev["metadata"].get("namespace"),
                                     ev["metadata"]["name"], DeleteOptions(), WriteOptions())


def build_app(store: Store | str, compaction_interval: float = 300.0,
              event_ttl: float = 3600.0, security: SecurityFactory | None = None, *,
              watch_cache_bytes: int = DEFAULT_WINDOW_BYTES,
              storage: StoreHealth | None = None, storage_reserve: int = DEFAULT_RESERVE,
              loopback_kubelets: bool = True,
              kubernetes_service: KubernetesService | None = None) -> FastAPI:
    """Without `security` every request acts as the privileged user (the insecure port's
    behaviour, and what the existing suites expect). `storage` is what /readyz probes
    (the store itself when it offers StoreHealth; a wrapper such as encryption at rest
    passes the store under it); below `storage_reserve` free bytes only deletes are
    written. `loopback_kubelets` lets logs/exec reach kubelets registered on a loopback
    address: right only when every node runs on this host (see proxy.py). With
    `kubernetes_service` the server keeps the `kubernetes` Service in `default`."""
    store = open_store(store) if isinstance(store, str) else store
    if storage is None and isinstance(store, StoreHealth):
        storage = store
    cache = WatchCache(store, window_bytes=watch_cache_bytes)
    reserve = DiskReserve(storage.data_dir, storage_reserve) if storage is not None else None
    metrics = ApiMetrics()
    sec = security(cache) if security is not None else None
    admission = {"admission": sec.admission} if sec and sec.admission else {}
    registry = Registry(store, cache, observe_commit=metrics.commit.observe, **admission)
    handler = ResourceHandler(registry, metrics, reserve)
    establishing = Establishing(registry)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await store.start()
        await cache.start()
        await ensure_namespaces(registry)
        await ensure_system_priority_classes(registry)
        for hook in sec.start_hooks if sec else ():
            await hook(registry)
        gc.freeze()  # the objects loaded so far live as long as the process
        compactor = asyncio.create_task(compact_periodically(store, compaction_interval))
        sweeper = asyncio.create_task(expire_events(registry, event_ttl))
        tasks = [compactor, sweeper]
        # CRDs' resources are served from before the first request (a restart serves
        # them at once), then follow every CRD change
        await establishing.sync()
        tasks.append(asyncio.create_task(establishing.run()))
        if kubernetes_service is not None:
            tasks.append(asyncio.create_task(keep(registry, kubernetes_service)))
        log.info("apiserver ready at revision %d", cache.rev)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await kubelet_client(app.state).aclose()
            await cache.stop()
            await store.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.registry = registry
    app.state.cache = cache
    app.state.security = sec  # TokenReview reads the authenticator and audiences here
    if sec is not None:
        add_filters(app, sec)
        if sec.kubelet_client is not None:
            install_kubelet_client(app, sec.kubelet_client)
    app.state.loopback_kubelets = loopback_kubelets  # proxy.py: may logs/exec dial them?
    app.add_middleware(RequestBodyLimit)  # type: ignore[arg-type] - added last: outermost

    async def not_found(request: Request, _exc: Exception) -> Response:
        return status_response(errors.not_found_path(request.url.path))

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return status_response(errors.not_found_path(request.url.path))
        return status_response(errors.ApiError(exc.status_code, "BadRequest" if exc.status_code
                                               == 400 else "MethodNotAllowed", str(exc.detail)))

    app.add_exception_handler(404, not_found)
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]

    async def resources(request: Request) -> Response:  # a plain function: Starlette
        # would take a callable object for a raw ASGI app
        if not cache.current:  # a wrong answer is worse than none: come back shortly
            return status_response(not_current(cache))
        return await handler(request)

    # The resource routes come first: the router tries routes in order, and nearly every
    # request is one of these (no other route matches a path under /api/V/ or /apis/G/V/).
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app.router.add_route("/api/{version}/{rest:path}", resources, methods=methods)
    app.router.add_route("/apis/{group}/{version}/{rest:path}", resources, methods=methods)

    def get(path: str):  # noqa: ANN202 - a decorator factory
        return app.get(path, include_in_schema=False)

    @get("/version")
    async def version() -> Response:
        return json_response(discovery.version())

    @get("/api")
    async def api() -> Response:
        return json_response(discovery.api_versions())

    @get("/apis")
    async def apis() -> Response:
        return json_response(discovery.api_group_list())

    @get("/api/{version}")
    async def core_resources(version: str) -> Response:
        return _or_404(discovery.resource_list("", version), f"/api/{version}")

    @get("/apis/{group}")
    async def api_group(group: str) -> Response:
        return _or_404(discovery.api_group(group), f"/apis/{group}")

    @get("/apis/{group}/{version}")
    async def group_resources(group: str, version: str) -> Response:
        return _or_404(discovery.resource_list(group, version), f"/apis/{group}/{version}")

    @get("/openapi/v2")
    async def openapi_v2(request: Request) -> Response:
        return openapiv2.serve(request)

    @get("/openapi/v3")
    async def openapi_index(request: Request) -> Response:
        return openapiserving.serve_index(request)

    @get("/openapi/v3/api/{version}")
    async def openapi_core(request: Request, version: str) -> Response:
        return openapiserving.serve_group_version(request, "", version) or status_response(
            errors.not_found_path(f"/openapi/v3/api/{version}"))

    @get("/openapi/v3/apis/{group}/{version}")
    async def openapi_group(request: Request, group: str, version: str) -> Response:
        return openapiserving.serve_group_version(request, group, version) or status_response(
            errors.not_found_path(f"/openapi/v3/apis/{group}/{version}"))

    checks = healthz.health_checks(cache, storage, reserve)
    for endpoint, listed in (("healthz", checks.healthz), ("livez", checks.livez),
                             ("readyz", checks.readyz)):
        app.add_api_route(f"/{endpoint}", healthz.root_handler(endpoint, listed),
                          include_in_schema=False)
        app.add_api_route(f"/{endpoint}/{{name:path}}", healthz.single_handler(endpoint, listed),
                          include_in_schema=False)

    @get("/metrics")
    async def prometheus() -> Response:
        metrics.watchers.set(cache.watcher_count)
        metrics.revision.set(cache.rev)
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    app.router.add_websocket_route("/api/v1/namespaces/{namespace}/pods/{name}/exec",
                                   proxy.exec_socket)
    app.router.add_websocket_route("/api/v1/namespaces/{namespace}/pods/{name}/attach",
                                   attach.attach_socket)
    add_connect_routes(app)  # pods/portforward, pods/proxy, services/proxy: ahead of the rest
    return app


def add_filters(app: FastAPI, sec: Security) -> None:
    """Starlette runs the last middleware added first, so they are added innermost first."""
    if sec.authorizer is not None:
        if sec.authorization_filter is None:
            raise ValueError("an authorizer needs its authorization filter")
        app.add_middleware(sec.authorization_filter, sec.authorizer)  # type: ignore[arg-type]
    if sec.audit is not None:
        app.add_middleware(sec.audit)  # type: ignore[arg-type]
    app.add_middleware(authentication_filter, sec.authenticator)  # type: ignore[arg-type]
    if isinstance(sec.audit, Auditing):  # 401s before anyone is known are audited too
        app.add_middleware(sec.audit.failed_authentication)  # type: ignore[arg-type]


def _or_404(doc: dict | None, path: str) -> Response:
    if doc is None:
        return status_response(errors.not_found_path(path))
    return json_response(doc)


def not_current(cache: WatchCache) -> errors.ApiError:
    """kube-apiserver's answer while its watch cache (re)initializes, as a 503 with
    Retry-After so clients come back by themselves."""
    retry = 1
    return errors.ApiError(503, "ServiceUnavailable", "storage is (re)initializing",
                           StatusDetails(retryAfterSeconds=retry),
                           headers={"Retry-After": str(retry)})
