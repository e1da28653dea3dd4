"""HTTPS on the kubelet port (--tls-cert-file, --tls-private-key-file) and client
certificates (--client-ca-file). The handshake asks for a client certificate and checks
it against the CA when one is sent (a caller may instead present a bearer token); the
verified leaf reaches the app in the ASGI scope as the TLS extension's
`client_cert_chain`, which uvicorn does not fill itself — hence the two protocol classes
below, which wrap the app per connection once the handshake is done."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

SCOPE_EXTENSION = "tls"


def tls_extension(transport: Any) -> dict[str, Any] | None:
    """The ASGI TLS extension for a connection, None on plain TCP."""
    ssl_object = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return {"server_cert": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_error": None, "tls_version": None, "cipher_suite": None}


def peer_certificate(scope: Mapping[str, Any]) -> x509.Certificate | None:
    """The client's verified certificate, if it sent one."""
    chain = ((scope.get("extensions") or {}).get(SCOPE_EXTENSION) or {}).get(
        "client_cert_chain") or []
    return x509.load_pem_x509_certificate(chain[0].encode()) if chain else None


class _WithPeerCertificate:
    """Puts the connection's TLS extension into every scope served on it."""

    app: Any

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        tls = tls_extension(transport)
        if tls is None:
            return
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope["extensions"] = {**(scope.get("extensions") or {}), SCOPE_EXTENSION: tls}
            await inner(scope, receive, send)

        self.app = app


class HttpProtocol(_WithPeerCertificate, AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    pass


class WebSocketProtocol(_WithPeerCertificate, AutoWebSocketsProtocol):  # type: ignore[misc, valid-type]
    pass


@dataclass(frozen=True)
class ServingTLS:
    cert_file: str
    key_file: str
    client_ca_file: str | None = None

    def uvicorn_options(self) -> dict[str, Any]:
        return {"ssl_certfile": self.cert_file, "ssl_keyfile": self.key_file,
                "ssl_ca_certs": self.client_ca_file,
                "ssl_cert_reqs": ssl.CERT_OPTIONAL if self.client_ca_file else ssl.CERT_NONE,
                "http": HttpProtocol, "ws": WebSocketProtocol}
