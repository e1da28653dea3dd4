"""The TLS side of a connection: one `ssl.SSLContext` built from a ClientConfig — the
cluster's CA (a file or the kubeconfig's embedded data), or no verification at all
(insecure-skip-tls-verify), and the user's client certificate (files or embedded data) —
which httpx, the scheduler's keep-alive transport and the CLI's exec WebSocket all share,
so every way we reach the API server presents the same identity and trusts the same CA.

Python's `load_cert_chain` reads only files, so an embedded certificate and key are
written to a private (0600) temporary file, loaded, and removed at once.
"""

from __future__ import annotations

import os
import ssl
import tempfile

from tugboat.client.config import ClientConfig, ConfigError


def ssl_context(config: ClientConfig) -> ssl.SSLContext:
    """A client-side context for `config`: server verification and client certificate."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    try:
        if config.verify is False:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif config.certificate_authority_data:
            ctx.load_verify_locations(cadata=config.certificate_authority_data.decode())
        elif isinstance(config.verify, str):
            ctx.load_verify_locations(cafile=config.verify)
        _load_client_certificate(ctx, config)
    except (OSError, ssl.SSLError, ValueError) as e:
        raise ConfigError(f"cannot load the TLS settings of the kubeconfig: {e}") from e
    return ctx


def transport_verify(config: ClientConfig) -> ssl.SSLContext | bool | str:
    """What httpx's `verify=` gets: the full context for an https server, else the plain
    setting (no context is built for plain-HTTP servers such as the insecure port)."""
    if config.server.startswith("https:"):
        return ssl_context(config)
    return config.verify


def _load_client_certificate(ctx: ssl.SSLContext, config: ClientConfig) -> None:
    cert, key = config.client_certificate_data, config.client_key_data
    if cert is None and config.client_certificate:
        with open(config.client_certificate, "rb") as f:
            cert = f.read()
    if key is None and config.client_key:
        with open(config.client_key, "rb") as f:
            key = f.read()
    if cert is None and key is None:
        return
    if cert is None or key is None:
        raise ValueError("client-certificate and client-key must be given together")
    fd, path = tempfile.mkstemp(prefix="tug-client-", suffix=".pem")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(cert.rstrip(b"\n") + b"\n" + key)
        ctx.load_cert_chain(path)
    finally:
        os.unlink(path)
