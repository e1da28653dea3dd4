"""Routes of the subresources that connect a client to a pod rather than read or write an
object — pods/portforward, pods/proxy, services/proxy — which take any method and, for
proxy, a path of their own after the subresource. They are added ahead of the resource
routes (whose `/api/{version}/{rest:path}` would take these paths too), and their errors
are Status replies like every other API error."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from tugboat.apiserver import errors, portforward, proxysubresources
from tugboat.apiserver.responsewriters import status_response

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NAMESPACED = "/api/v1/namespaces/{namespace}"


def _as_status(handler: Handler) -> Handler:
    async def handle(request: Request) -> Response:
        try:
            return await handler(request)
        except errors.ApiError as e:
            return status_response(e)
        except Exception:
            log.exception("internal error on %s %s", request.method, request.url.path)
            return status_response(errors.ApiError(500, "InternalError",
                                                   "an internal error occurred"))
    return handle


def add_connect_routes(app: Starlette) -> None:
    """Put the connect routes first in `app`'s router."""
    pod_proxy, service_proxy = (_as_status(proxysubresources.pod_proxy),
                                _as_status(proxysubresources.service_proxy))
    routes = [
        WebSocketRoute(portforward.PATH, portforward.portforward_socket),
        Route(portforward.PATH, _as_status(portforward.portforward_http),
              methods=["GET", "POST"]),
        Route(f"{NAMESPACED}/pods/{{name}}/proxy", pod_proxy, methods=ALL_METHODS),
        Route(f"{NAMESPACED}/pods/{{name}}/proxy/{{path:path}}", pod_proxy,
              methods=ALL_METHODS),
        Route(f"{NAMESPACED}/services/{{name}}/proxy", service_proxy, methods=ALL_METHODS),
        Route(f"{NAMESPACED}/services/{{name}}/proxy/{{path:path}}", service_proxy,
              methods=ALL_METHODS),
    ]
    app.router.routes[:0] = routes
