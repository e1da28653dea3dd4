"""Who a request to the kubelet port is and what it asks, in the API server's terms, so
the API server can decide with a SubjectAccessReview. As Kubernetes' kubelet maps it:
every path is the `proxy` subresource of this node (`nodes/proxy`), except /stats,
/metrics, /logs and /spec, which have subresources of their own, so that a monitoring
agent may read stats without being allowed to exec into pods; the verb is the HTTP
method's (GET get, POST create, ...)."""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS_NAME = "system:anonymous"
UNAUTHENTICATED = "system:unauthenticated"
AUTHENTICATED = "system:authenticated"

VERBS = {"GET": "get", "HEAD": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
         "DELETE": "delete"}
# The paths with a subresource of their own; everything else is "proxy".
SUBRESOURCES = (("/stats", "stats"), ("/metrics", "metrics"), ("/logs", "log"),
                ("/spec", "spec"))


@dataclass(frozen=True)
class User:
    """The caller as an authenticator saw it (user.Info): a name, groups and extras."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


ANONYMOUS = User(ANONYMOUS_NAME, groups=(UNAUTHENTICATED,))


def with_authenticated_group(user: User) -> User:
    """Every authenticated caller is in system:authenticated (Kubernetes' group adder)."""
    if user.name == ANONYMOUS_NAME or AUTHENTICATED in user.groups:
        return user
    return User(user.name, user.uid, (*user.groups, AUTHENTICATED), user.extra)


@dataclass(frozen=True)
class Attributes:
    """authorizer.Attributes of one kubelet request: always a resource request on
    nodes/<subresource> named after this node, in the core group, version v1."""

    user: User
    verb: str
    subresource: str
    name: str
    path: str
    resource: str = "nodes"
    api_version: str = "v1"


def is_subpath(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def subresource_of(path: str) -> str:
    return next((sub for prefix, sub in SUBRESOURCES if is_subpath(path, prefix)), "proxy")


def request_attributes(user: User, method: str, path: str, node: str) -> Attributes:
    # an unknown method gets no verb, as in Kubernetes: no rule can allow it
    return Attributes(user, VERBS.get(method.upper(), ""), subresource_of(path), node, path)


def forbidden_message(a: Attributes) -> str:
    return (f"Forbidden (user={a.user.name}, verb={a.verb}, resource={a.resource}, "
            f"subresource={a.subresource})")


def authorization_error_message(a: Attributes) -> str:
    return (f"Authorization error (user={a.user.name}, verb={a.verb}, resource={a.resource}, "
            f"subresource={a.subresource})")
