"""`tug-apiserver`: parse kube-apiserver's flags, build the app and its Security, serve
the secure port (HTTPS, when given a certificate) and the loopback insecure port. A
configuration that cannot work (flags that contradict each other, an unusable database)
ends the process with one line and exit code 1, before anything is served."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import logging
import socket
import ssl
import sys

from tugboat.api.durations import parse_duration
from tugboat.api.quantity import parse_quantity
from tugboat.apiserver.app import build_app
from tugboat.apiserver.diskreserve import DEFAULT_RESERVE
from tugboat.apiserver.encryption.config import load_encryption_config
from tugboat.apiserver.encryption.store import EncryptingStore
from tugboat.apiserver.kubernetesservice import KubernetesService
from tugboat.apiserver.security import DEFAULT_ISSUER, SecurityOptions, build_security
from tugboat.apiserver.serving import Listener, is_loopback, run, server_ssl_context
from tugboat.apiserver.watchcache import DEFAULT_WINDOW_BYTES
from tugboat.store import Store, StoreError, StoreHealth, open_store


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean {value!r}")


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _bytes(value: str) -> int:
    """A size as a quantity (64Mi, 1G, 1048576)."""
    try:
        size = parse_quantity(value).value
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size {value!r} (e.g. 64Mi)") from None
    if size < 0 or size != int(size):
        raise argparse.ArgumentTypeError(f"invalid size {value!r}: a whole number of bytes")
    return int(size)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="tug-apiserver",
                                description="Tugboat's Kubernetes API server on SQLite.")
    insecure = p.add_argument_group("insecure port (plain HTTP, loopback only, no auth)")
    insecure.add_argument("--host", "--insecure-bind-address", dest="host", default="127.0.0.1",
                          help="loopback address of the insecure port")
    insecure.add_argument("--port", "--insecure-port", dest="port", type=int, default=8080,
                          help="the insecure port; 0 disables it")
    secure = p.add_argument_group("secure serving")
    secure.add_argument("--secure-port", type=int, default=6443,
                        help="HTTPS port (opened when --tls-cert-file is given); 0 disables it")
    secure.add_argument("--bind-address", default="0.0.0.0", help="address of the secure port")
    secure.add_argument("--advertise-address",
                        help="address the `kubernetes` Service's endpoints name (default: "
                             "--bind-address when it is one address, else this host's "
                             "address by its hostname)")
    secure.add_argument("--tls-cert-file", help="serving certificate (PEM, chain allowed)")
    secure.add_argument("--tls-private-key-file", help="serving certificate's key (PEM)")
    authn = p.add_argument_group("authentication")
    authn.add_argument("--client-ca-file", help="CA bundle that signs client certificates")
    authn.add_argument("--token-auth-file", help="static tokens: token,user,uid,\"g1,g2\"")
    authn.add_argument("--enable-bootstrap-token-auth", type=_bool, nargs="?", const=True,
                       default=False, help="accept bootstrap tokens (kube-system Secrets)")
    authn.add_argument("--anonymous-auth", type=_bool, default=True,
                       help="requests without credentials act as system:anonymous")
    authn.add_argument("--service-account-key-file", action="append", default=[],
                       help="PEM key(s) that verify ServiceAccount tokens (repeatable)")
    authn.add_argument("--service-account-signing-key-file",
                       help="private key that signs ServiceAccount tokens")
    authn.add_argument("--service-account-issuer", action="append", default=[],
                       help=f"token issuer(s); the first signs (default {DEFAULT_ISSUER})")
    authn.add_argument("--api-audiences", type=_list, default=[],
                       help="audiences tokens must carry (default: the issuers)")
    p.add_argument("--authorization-mode", type=_list, default=["Node", "RBAC"],
                   help="authorizers in order: Node, RBAC, AlwaysAllow, AlwaysDeny")
    p.add_argument("--enable-admission-plugins", type=_list, default=[],
                   help="admission plugins to enable (comma-separated)")
    p.add_argument("--kubelet-client-certificate", help="client certificate for kubelets")
    p.add_argument("--kubelet-client-key", help="its key")
    p.add_argument("--kubelet-certificate-authority", help="CA of the kubelets' serving certs")
    p.add_argument("--encryption-provider-config", help="EncryptionConfiguration file")
    p.add_argument("--audit-log-path", help="audit log file ('-' for stdout)")
    p.add_argument("--audit-policy-file", help="audit Policy file")
    p.add_argument("--store", default="sqlite:///var/lib/tugboat/state.db",
                   help="store URL, e.g. sqlite:///var/lib/tugboat/state.db")
    p.add_argument("--compaction-interval", default="5m",
                   help="keep at least this much watch history (e.g. 5m)")
    p.add_argument("--event-ttl", default="1h", help="how long Events are kept (e.g. 1h)")
    p.add_argument("--allow-empty-store", action="store_true",
                   help="start on an existing database that is empty (0 bytes or no Tugboat "
                        "marker) instead of refusing it")
    p.add_argument("--watch-cache-bytes", type=_bytes, default=DEFAULT_WINDOW_BYTES,
                   help="JSON bytes of recent changes the watch cache keeps for watches that "
                        "resume (older ones get 410 Expired); default 64Mi")
    p.add_argument("--storage-reserve", type=_bytes, default=DEFAULT_RESERVE,
                   help="free disk space kept under the database: below it only deletes are "
                        "written, and /readyz fails; default 64Mi, 0 disables")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def security_options(args: argparse.Namespace) -> SecurityOptions:
    return SecurityOptions(
        client_ca_file=args.client_ca_file, token_auth_file=args.token_auth_file,
        enable_bootstrap_token_auth=args.enable_bootstrap_token_auth,
        anonymous_auth=args.anonymous_auth,
        service_account_key_files=args.service_account_key_file,
        service_account_signing_key_file=args.service_account_signing_key_file,
        service_account_issuers=args.service_account_issuer or [DEFAULT_ISSUER],
        api_audiences=args.api_audiences, authorization_modes=args.authorization_mode,
        admission_plugins=args.enable_admission_plugins,
        kubelet_client_certificate=args.kubelet_client_certificate,
        kubelet_client_key=args.kubelet_client_key,
        kubelet_certificate_authority=args.kubelet_certificate_authority,
        encryption_provider_config=args.encryption_provider_config,
        audit_log_path=args.audit_log_path, audit_policy_file=args.audit_policy_file)


def store(args: argparse.Namespace) -> tuple[Store, Store]:
    """(the store the app uses, the store under it) — the first behind encryption at rest
    when --encryption-provider-config is given. The database is checked now: SystemExit
    with one line when it cannot be used."""
    try:
        inner = open_store(args.store, allow_empty=args.allow_empty_store, prepare=True)
    except (StoreError, ValueError) as e:
        sys.exit(f"tug-apiserver: --store: {e}")
    except OSError as e:
        sys.exit(f"tug-apiserver: --store: cannot open the database: {e}")
    if not args.encryption_provider_config:
        return inner, inner
    try:
        config = load_encryption_config(args.encryption_provider_config)
    except (ValueError, OSError) as e:
        sys.exit(f"tug-apiserver: {e}")
    return EncryptingStore(inner, config), inner


def refuse_contradictions(args: argparse.Namespace) -> None:
    """Flag combinations that cannot work: SystemExit with one line naming them."""
    def no(why: str) -> None:
        sys.exit(f"tug-apiserver: {why}")
    for flag, port in (("--port", args.port), ("--secure-port", args.secure_port)):
        if not 0 <= port <= 65535:
            no(f"{flag} {port}: a port is 0-65535")
    if args.port and args.tls_cert_file and args.secure_port == args.port and \
            is_loopback(args.bind_address) == is_loopback(args.host):
        no(f"--port and --secure-port are both {args.port}: one port cannot serve both")
    if bool(args.kubelet_client_certificate) != bool(args.kubelet_client_key):
        no("--kubelet-client-certificate and --kubelet-client-key go together")
    if args.kubelet_certificate_authority and not args.kubelet_client_certificate:
        no("--kubelet-certificate-authority checks kubelets over HTTPS, which needs "
           "--kubelet-client-certificate and --kubelet-client-key")
    modes = args.authorization_mode
    if len(set(modes)) != len(modes):
        no(f"--authorization-mode {','.join(modes)} has a mode specified more than once")


def listeners(args: argparse.Namespace) -> list[Listener]:
    """The secure port when a serving certificate is given, and the insecure port unless
    disabled; SystemExit with a one-line reason for a configuration that cannot serve."""
    out: list[Listener] = []
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        sys.exit("tug-apiserver: --tls-cert-file and --tls-private-key-file go together")
    if args.tls_cert_file and args.secure_port:
        try:
            context = server_ssl_context(args.tls_cert_file, args.tls_private_key_file,
                                         args.client_ca_file)
        except (OSError, ssl.SSLError) as e:
            sys.exit(f"tug-apiserver: cannot load the serving certificate: {e}")
        out.append(Listener(args.bind_address, args.secure_port, context))
    if args.port:
        if not is_loopback(args.host):
            sys.exit(f"tug-apiserver: --host {args.host}: the insecure port serves without "
                     f"authentication, so it listens only on loopback (127.0.0.1, ::1); use "
                     f"--secure-port with --bind-address for other addresses")
        out.append(Listener(args.host, args.port))
    if not out:
        sys.exit("tug-apiserver: nothing to serve: give --tls-cert-file/--tls-private-key-file "
                 "for the secure port, or a non-zero --port")
    return out


def kubernetes_service(args: argparse.Namespace) -> KubernetesService:
    """The `kubernetes` Service always exists; its endpoints name the advertise address
    only when the secure port is served (it is the port they name)."""
    if not (args.tls_cert_file and args.secure_port):
        return KubernetesService(None, args.secure_port)
    address = args.advertise_address
    if not address and args.bind_address not in ("0.0.0.0", "::"):
        address = args.bind_address
    if not address:
        with contextlib.suppress(OSError):  # /etc/hosts or the local resolver, no traffic
            address = socket.gethostbyname(socket.gethostname())
    return KubernetesService(address, args.secure_port)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=apiserver "
                               "logger=%(name)s msg=%(message)s")
    try:
        interval = parse_duration(args.compaction_interval)
        event_ttl = parse_duration(args.event_ttl)
    except ValueError as e:
        sys.exit(f"tug-apiserver: {e}")
    if interval <= 0:
        sys.exit("tug-apiserver: --compaction-interval must be above 0 (history would be "
                 "dropped as it is written)")
    if event_ttl <= 0:
        sys.exit("tug-apiserver: --event-ttl must be above 0")
    refuse_contradictions(args)
    serve_on = listeners(args)
    served, inner = store(args)
    # The watch cache holds every object: hundreds of thousands of long-lived dicts that
    # the cyclic GC would rescan again and again, pausing every request. Collect young
    # objects less often; the cache's start-up objects are frozen out of scans (app.py).
    gc.set_threshold(20_000, 50, 100)
    security = functools.partial(build_security, security_options(args))
    try:
        app = build_app(served, compaction_interval=interval, event_ttl=event_ttl,
                        security=security, watch_cache_bytes=args.watch_cache_bytes,
                        storage=inner if isinstance(inner, StoreHealth) else None,
                        storage_reserve=args.storage_reserve,
                        loopback_kubelets=all(is_loopback(lst.host) for lst in serve_on),
                        kubernetes_service=kubernetes_service(args))
    except (ValueError, OSError) as e:  # bad token, policy, key or encryption files
        sys.exit(f"tug-apiserver: {e}")
    run(app, serve_on)


if __name__ == "__main__":
    main()
