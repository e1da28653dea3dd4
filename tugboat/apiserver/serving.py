"""The API server's listeners, as kube-apiserver has them: the secure port (HTTPS, every
request authenticated) and the old insecure port (plain HTTP, loopback only, every request
fully privileged). Both serve the same app in one event loop; its lifespan (store, watch
cache, start hooks) runs once, before either accepts a connection.

The app must know which listener a request came on, and a client must not be able to say
so itself: the insecure listener marks each scope with INSECURE_KEY (a scope key, never a
header); the secure listener's connections carry the verified client certificate, which
uvicorn does not put in the ASGI scope, so its protocol classes are extended to add the
ASGI TLS extension (scope["extensions"]["tls"]) from the connection's SSL object — for
HTTP and WebSocket (exec) alike.

Every listener's port is bound first, before the store and cache start: a port that is
taken ends the process at once with one line naming the port and the flag that changes
it (no check-then-bind race, no traceback). Each socket listens as soon as it is bound,
as Go's net.Listen does: on Linux a socket bound with SO_REUSEADDR but not listening does
not hold its port against another such socket (uvicorn's, Go's), so a port left only bound
while the cache loads could still be taken. Connections made meanwhile wait in the backlog
and are served once the app is ready."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import signal
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import uvicorn
from cryptography import x509
from uvicorn.lifespan.on import LifespanOn

from tugboat.apiserver.requesthead import bound_request_head
from tugboat.apiserver.websocketprotocol import lenient_subprotocols

log = logging.getLogger(__name__)

INSECURE_KEY = "tugboat.insecure"
BACKLOG = 2048  # uvicorn's default
STARTUP_FAILURE = 3  # uvicorn's exit code when the app's start-up fails

Scope = dict[str, Any]


def is_insecure(scope: Mapping[str, Any]) -> bool:
    """Did this request come on the loopback insecure port?"""
    return scope.get(INSECURE_KEY) is True


def peer_certificate(scope: Mapping[str, Any]) -> x509.Certificate | None:
    """The client's verified leaf certificate on the secure port, if it sent one."""
    tls = (scope.get("extensions") or {}).get("tls") or {}
    return tls.get("client_cert")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_ssl_context(cert_file: str, key_file: str, client_ca_file: str | None) -> ssl.SSLContext:
    """TLS 1.2+; with a client CA, ask for a client certificate but do not require one
    (CERT_OPTIONAL), so token and anonymous clients still connect; a certificate that is
    sent must chain to the CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file)
    if client_ca_file:
        ctx.load_verify_locations(cafile=client_ca_file)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


@dataclass(frozen=True)
class Listener:
    host: str
    port: int
    ssl: ssl.SSLContext | None = None  # None: the loopback insecure port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.ssl else 'http'}://{host}:{self.port}"

    @property
    def flags(self) -> tuple[str, str]:
        """The flags that set this listener's address and port."""
        return ("--bind-address", "--secure-port") if self.ssl else ("--insecure-bind-address",
                                                                    "--insecure-port")


def bind_error(listener: Listener, error: OSError) -> str:
    """One line for a port the listener cannot have."""
    address_flag, port_flag = listener.flags
    if error.errno == errno.EADDRINUSE:
        return (f"tug-apiserver: port {listener.port} is already in use on {listener.host}; "
                f"stop what uses it or pick another port with {port_flag}")
    return (f"tug-apiserver: cannot listen on {listener.host}:{listener.port}: "
            f"{error.strerror or error}; change it with {address_flag} or {port_flag}")


def bind(listener: Listener) -> socket.socket:
    """The listener's socket, bound and listening; SystemExit with one line when the port
    cannot be had."""
    try:
        family = socket.getaddrinfo(listener.host, listener.port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        raise SystemExit(bind_error(listener, e)) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT
        sock.bind((listener.host, listener.port))
        sock.listen(BACKLOG)  # only a listening socket holds the port (see the docstring)
    except OSError as e:
        sock.close()
        raise SystemExit(bind_error(listener, e)) from None
    return sock


def tls_extension(ssl_object: ssl.SSLObject | None) -> dict[str, Any] | None:
    """The ASGI TLS extension for one connection (parsed once, shared by its requests),
    plus `client_cert`: the leaf as a cryptography Certificate."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return {"server_cert": None, "client_cert_name": None, "client_cert_error": None,
            "tls_version": None, "cipher_suite": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert": x509.load_der_x509_certificate(der) if der else None}


def _with_tls(app: Any, tls: dict[str, Any]) -> Any:
    async def app_with_tls(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["extensions"] = {**(scope.get("extensions") or {}), "tls": tls}
        await app(scope, receive, send)
    return app_with_tls


class _PeerCertificate:
    """Mixed into uvicorn's HTTP and WebSocket protocol classes on the secure port."""

    app: Any

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        tls = tls_extension(transport.get_extra_info("ssl_object"))
        if tls is not None:
            self.app = _with_tls(self.app, tls)


def _with_peer_certificate(cls: type) -> type:
    return type(f"PeerCertificate{cls.__name__}", (_PeerCertificate, cls), {})


def _insecure_port(app: Any) -> Any:
    async def insecure_port(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[INSECURE_KEY] = True
        await app(scope, receive, send)
    return insecure_port


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the process owns SIGINT/SIGTERM and stops every listener together


def _config(app: Any, listener: Listener, graceful_timeout: float) -> uvicorn.Config:
    context = listener.ssl
    cfg = uvicorn.Config(
        app if context else _insecure_port(app), host=listener.host, port=listener.port,
        lifespan="off", proxy_headers=False,  # X-Forwarded-* must never change the scope
        log_level="warning", access_log=False, timeout_graceful_shutdown=graceful_timeout,
        ssl_context_factory=(lambda _cfg, _default: context) if context else None)
    cfg.load()
    bound_request_head(cfg)  # uvicorn's httptools protocol reads heads without a limit
    cfg.ws_protocol_class = lenient_subprotocols(cfg.ws_protocol_class)  # kubectl's SPDY/3.1+
    if context:
        cfg.http_protocol_class = _with_peer_certificate(cfg.http_protocol_class)
        if cfg.ws_protocol_class is not None:
            cfg.ws_protocol_class = _with_peer_certificate(cfg.ws_protocol_class)
    return cfg


async def serve(app: Any, listeners: list[Listener], graceful_timeout: float = 5.0) -> None:
    """Bind every listener's port, run the app's lifespan once, serve every listener until
    SIGTERM/SIGINT, then stop them together and run the lifespan's shutdown."""
    sockets: list[socket.socket] = []
    try:
        for lst in listeners:
            sockets.append(bind(lst))
    except SystemExit:
        for sock in sockets:
            sock.close()
        raise
    lifespan = LifespanOn(uvicorn.Config(app, lifespan="on", log_level="warning"))
    await lifespan.startup()
    if lifespan.should_exit:
        raise SystemExit(STARTUP_FAILURE)
    servers = [_Server(_config(app, lst, graceful_timeout)) for lst in listeners]

    def stop() -> None:
        for s in servers:
            s.force_exit = s.should_exit  # a second signal: stop waiting for connections
            s.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    for lst in listeners:
        log.info("serving %s on %s", "securely" if lst.ssl else "the insecure port", lst.url)
    try:
        tasks = [asyncio.create_task(s.serve(sockets=[sock]))
                 for s, sock in zip(servers, sockets, strict=True)]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop()  # one listener ended (a signal, or it failed): end them all
        await asyncio.gather(*tasks)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await lifespan.shutdown()


def run(app: Any, listeners: list[Listener], graceful_timeout: float = 5.0) -> None:
    loop_factory = uvicorn.Config(app).get_loop_factory()  # uvloop when installed
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(app, listeners, graceful_timeout))
