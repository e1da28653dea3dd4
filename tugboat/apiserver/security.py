"""What makes the API server safe, gathered in one value the app is built with: who the
caller is (the authenticator chain), what they may do (the authorizer), what writes must
pass (the admission chain), what is recorded (the audit filter), and what must run at
start (e.g. reconciling RBAC's bootstrap policy).

Most parts read the watch cache (bootstrap-token Secrets, ServiceAccounts, RBAC roles,
namespaces for Pod Security), and the cache is created with the app, so the app is given a
factory, `Callable[[WatchCache], Security]`; `build_security(options, cache)` is that
factory for the kube-apiserver flags in SecurityOptions.

Admission plugins are on only when --enable-admission-plugins names them (Kubernetes turns
ServiceAccount and PodSecurity on by default; here a server started with no security
flags behaves as the first stage did, and `tug up` names them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionChain
from tugboat.apiserver.admission.limitranger import LimitRanger
from tugboat.apiserver.admission.noderestriction import NodeRestriction
from tugboat.apiserver.admission.podsecurity.admission import PodSecurity
from tugboat.apiserver.admission.priority import Priority
from tugboat.apiserver.admission.resourcequota import ResourceQuotaAdmission
from tugboat.apiserver.audit.options import audit_middleware
from tugboat.apiserver.auth.authenticator import RequestAuthenticator, TokenAuthenticator
from tugboat.apiserver.auth.authorizer import Authorizer
from tugboat.apiserver.auth.authorizers import build_authorizer
from tugboat.apiserver.auth.bootstraptoken import BootstrapTokenAuthenticator
from tugboat.apiserver.auth.filters import authorization_filter
from tugboat.apiserver.auth.rbac.escalation import RBACEscalation
from tugboat.apiserver.auth.rbac.reconciliation import reconcile_bootstrap_policy
from tugboat.apiserver.auth.reviews import install_review_handlers
from tugboat.apiserver.auth.tokenfile import TokenFileAuthenticator
from tugboat.apiserver.auth.union import Authenticator
from tugboat.apiserver.auth.x509 import X509Authenticator
from tugboat.apiserver.kubeletclient import KubeletClientConfig
from tugboat.apiserver.registry import Registry
from tugboat.apiserver.serviceaccount.admission import ServiceAccountAdmission
from tugboat.apiserver.serviceaccount.authenticator import ServiceAccountTokenAuthenticator
from tugboat.apiserver.serviceaccount.tokenrequest import install_token_request
from tugboat.apiserver.serviceaccount.tokens import (
    DEFAULT_ISSUER,
    load_public_keys,
    load_token_issuer,
)
from tugboat.apiserver.watchcache import WatchCache

AsgiApp = Any
Middleware = Callable[[AsgiApp], AsgiApp]  # an ASGI filter factory: app → wrapped app
StartHook = Callable[[Registry], Awaitable[None]]


@dataclass
class Security:
    authenticator: Authenticator
    authorizer: Authorizer | None = None  # None: every authenticated request is allowed
    # Wraps an app in the authorization filter for `authorizer` (AUTHZ's
    # auth.filters.authorization_filter); None with an authorizer is a wiring mistake.
    authorization_filter: Callable[[AsgiApp, Authorizer], AsgiApp] | None = None
    admission: AdmissionChain | None = None
    audit: Middleware | None = None
    # Run once at start, after the default namespaces exist, before serving.
    start_hooks: list[StartHook] = field(default_factory=list)
    # --api-audiences: what tokens must be meant for (TokenReview's default audiences).
    api_audiences: tuple[str, ...] = ()
    # How to dial kubelets (--kubelet-client-certificate ...); None: plain HTTP.
    kubelet_client: KubeletClientConfig | None = None


SecurityFactory = Callable[[WatchCache], Security]


@dataclass
class SecurityOptions:
    """kube-apiserver's security flags, as parsed by __main__."""
    client_ca_file: str | None = None
    token_auth_file: str | None = None
    enable_bootstrap_token_auth: bool = False
    anonymous_auth: bool = True
    service_account_key_files: list[str] = field(default_factory=list)
    service_account_signing_key_file: str | None = None
    service_account_issuers: list[str] = field(default_factory=lambda: [DEFAULT_ISSUER])
    api_audiences: list[str] = field(default_factory=list)  # default: the issuers
    authorization_modes: list[str] = field(default_factory=lambda: ["Node", "RBAC"])
    admission_plugins: list[str] = field(default_factory=list)
    kubelet_client_certificate: str | None = None
    kubelet_client_key: str | None = None
    kubelet_certificate_authority: str | None = None
    encryption_provider_config: str | None = None
    audit_log_path: str | None = None
    audit_policy_file: str | None = None

    @property
    def audiences(self) -> list[str]:
        return self.api_audiences or self.service_account_issuers


def _secrets(cache: WatchCache) -> Callable[[str, str], dict | None]:
    info = lookup("", "v1", "secrets")
    assert info is not None
    return lambda namespace, name: cache.get(info.key(namespace, name))


def token_authenticators(opts: SecurityOptions, cache: WatchCache) -> list[TokenAuthenticator]:
    """In kube-apiserver's order: token file, ServiceAccount tokens, bootstrap tokens."""
    tokens: list[TokenAuthenticator] = []
    if opts.token_auth_file:
        tokens.append(TokenFileAuthenticator.from_file(opts.token_auth_file))
    key_files = opts.service_account_key_files or (
        [opts.service_account_signing_key_file] if opts.service_account_signing_key_file
        else [])
    if key_files:
        tokens.append(ServiceAccountTokenAuthenticator(
            cache, load_public_keys(key_files), opts.service_account_issuers, opts.audiences))
    if opts.enable_bootstrap_token_auth:
        tokens.append(BootstrapTokenAuthenticator(_secrets(cache)))
    return tokens


def build_authenticator(opts: SecurityOptions, cache: WatchCache) -> Authenticator:
    requests: list[RequestAuthenticator] = [X509Authenticator()] if opts.client_ca_file else []
    return Authenticator(requests, token_authenticators(opts, cache), opts.anonymous_auth)


# --enable-admission-plugins names → (plugin factory, mutating?). NamespaceLifecycle is
# accepted for kube-apiserver compatibility: the namespace strategy does its work.
ADMISSION_PLUGINS: dict[str, tuple[Callable[[WatchCache], Any], bool] | None] = {
    "NamespaceLifecycle": None,
    "ServiceAccount": (ServiceAccountAdmission, True),
    "NodeRestriction": (NodeRestriction, False),
    "PodSecurity": (PodSecurity, False),
    "Priority": (Priority, True),
    "LimitRanger": (LimitRanger, True),
    "ResourceQuota": (ResourceQuotaAdmission, False),
}


def build_admission(names: list[str], cache: WatchCache,
                    authorizer: Authorizer | None) -> AdmissionChain:
    """The chain for --enable-admission-plugins, in flag order; with RBAC, its escalation
    check (in Kubernetes part of RBAC's storage, so always on) comes last."""
    chain = AdmissionChain()
    for name in names:
        if name not in ADMISSION_PLUGINS:
            raise ValueError(f'enable-admission-plugins plugin "{name}" is unknown; known: '
                             f'{", ".join(ADMISSION_PLUGINS)}')
        entry = ADMISSION_PLUGINS[name]
        if entry is not None:
            factory, mutating = entry
            (chain.mutating if mutating else chain.validating).append(factory(cache))
    if authorizer is not None:
        chain.validating.append(RBACEscalation(authorizer, cache))
    # Kubernetes runs ResourceQuota last whatever the flag's order: it charges usage only
    # for writes every other plugin has let through.
    chain.validating.sort(key=lambda p: p.name == ResourceQuotaAdmission.name)
    return chain


def build_security(opts: SecurityOptions, cache: WatchCache) -> Security:
    """The SecurityFactory for the flags: authentication, authorization (and the access
    reviews), admission, audit, TokenRequest signing, the kubelet client."""
    authorizer = build_authorizer(opts.authorization_modes, cache)
    install_review_handlers(authorizer)
    sec = Security(
        authenticator=build_authenticator(opts, cache), authorizer=authorizer,
        authorization_filter=authorization_filter,
        admission=build_admission(opts.admission_plugins, cache,
                                  authorizer if "RBAC" in opts.authorization_modes else None),
        audit=audit_middleware(opts.audit_policy_file, opts.audit_log_path),
        api_audiences=tuple(opts.audiences))
    if "RBAC" in opts.authorization_modes:
        sec.start_hooks.append(reconcile_bootstrap_policy)
    if opts.kubelet_client_certificate:
        sec.kubelet_client = KubeletClientConfig(opts.kubelet_client_certificate,
                                                 opts.kubelet_client_key,
                                                 opts.kubelet_certificate_authority)
    if opts.service_account_signing_key_file:
        install_token_request(load_token_issuer(opts.service_account_signing_key_file,
                                                opts.service_account_issuers[0],
                                                opts.audiences))
    return sec
