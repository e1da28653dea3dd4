"""core/v1 ServiceAccount, the identity a pod's processes act as, and
authentication.k8s.io/v1 TokenRequest, the body of `serviceaccounts/{name}/token` that
mints a bound, expiring token for it (what the kubelet mounts into every pod and what
`kubectl create token` asks for). core.py re-exports ServiceAccount."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int64
from tugboat.api.meta import K8sModel, ObjectMeta, ObjectReference, Time
from tugboat.api.pod import LocalObjectReference

TOKEN_REQUEST_API_VERSION = "authentication.k8s.io/v1"
DEFAULT_SERVICE_ACCOUNT = "default"
# Where every pod finds its token, CA bundle and namespace (rest.InClusterConfig reads it).
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"


class ServiceAccount(K8sModel):
    apiVersion: str = "v1"
    kind: str = "ServiceAccount"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    secrets: list[ObjectReference] | None = None
    imagePullSecrets: list[LocalObjectReference] | None = None
    automountServiceAccountToken: bool | None = None


class BoundObjectReference(K8sModel):
    """The pod or secret a token dies with."""

    kind: str | None = None
    apiVersion: str | None = None
    name: str | None = None
    uid: str | None = None


class TokenRequestSpec(K8sModel):
    audiences: list[str] = Field(default_factory=list)
    expirationSeconds: Int64 | None = None
    boundObjectRef: BoundObjectReference | None = None


class TokenRequestStatus(K8sModel):
    token: str = ""
    expirationTimestamp: Time | None = None


class TokenRequest(K8sModel):
    apiVersion: str = TOKEN_REQUEST_API_VERSION
    kind: str = "TokenRequest"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: TokenRequestSpec = Field(default_factory=TokenRequestSpec)
    status: TokenRequestStatus | None = None
