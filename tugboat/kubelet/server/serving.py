"""Puts the kubelet server on the network as the flags ask: the app behind the auth
filter, over HTTPS when a serving certificate is given, and the loopback healthz port.
The sockets are bound here, before the loops start, so a port in use fails the start."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from tugboat.client import ApiClient
from tugboat.kubelet.config import KubeletConfig
from tugboat.kubelet.server.app import build_app, healthz_app, listen, server
from tugboat.kubelet.server.authentication import Authenticator
from tugboat.kubelet.server.authfilter import AuthFilter
from tugboat.kubelet.server.authorization import AlwaysAllow, Authorizer, WebhookAuthorizer
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.reviews import Reviewer
from tugboat.kubelet.server.tls import ServingTLS

log = logging.getLogger(__name__)


def auth_filter(app: Any, cfg: KubeletConfig, client: ApiClient) -> Any:
    """`app` behind authentication and authorization; as it is when nothing is asked
    (anonymous allowed, AlwaysAllow — the plain-HTTP default)."""
    if cfg.anonymous_auth and cfg.authorization_mode == "AlwaysAllow" and \
            not cfg.authentication_token_webhook and not cfg.client_ca_file:
        return app
    reviewer = Reviewer(client)
    authn = Authenticator(reviewer if cfg.authentication_token_webhook else None,
                          anonymous=cfg.anonymous_auth,
                          token_ttl=cfg.authentication_token_webhook_cache_ttl)
    authz: Authorizer = AlwaysAllow()
    if cfg.authorization_mode == "Webhook":
        authz = WebhookAuthorizer(
            reviewer, authorized_ttl=cfg.authorization_webhook_cache_authorized_ttl,
            unauthorized_ttl=cfg.authorization_webhook_cache_unauthorized_ttl)
    return AuthFilter(app, cfg.node_name, authn, authz)


def serving(cfg: KubeletConfig, ctx: ServerContext, client: ApiClient
            ) -> list[Coroutine[Any, Any, None]]:
    """The server loops to run: the kubelet port, and the healthz port if asked for."""
    options: dict[str, Any] = {}
    if cfg.tls_cert_file and cfg.tls_private_key_file:
        options = ServingTLS(cfg.tls_cert_file, cfg.tls_private_key_file,
                             cfg.client_ca_file).uvicorn_options()
    main = server(auth_filter(build_app(ctx), cfg, client), cfg.address, cfg.port, **options)
    loops = [main.serve(sockets=[listen(cfg.address, cfg.port)])]
    if cfg.healthz_port:
        try:
            sock = listen(cfg.healthz_bind_address, cfg.healthz_port)
        except OSError as e:
            # as the kubelet: a healthz port it cannot have is logged, not fatal
            log.error("healthz server on %s:%d not started: %s", cfg.healthz_bind_address,
                      cfg.healthz_port, e)
        else:
            health = server(healthz_app(), cfg.healthz_bind_address, cfg.healthz_port)
            loops.append(health.serve(sockets=[sock]))
    return loops
