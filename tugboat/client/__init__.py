"""What every Tugboat component shares to talk to the apiserver (client-go's role): the REST
client, watches, informers, the work queue, backoff, leader election and kubeconfig.
Imports only tugboat.api, httpx, orjson and PyYAML (for kubeconfig files).
"""

from tugboat.client.backoff import Backoff
from tugboat.client.config import (
    DEFAULT_SERVER,
    ClientConfig,
    ConfigError,
    daemon_config,
    load_config,
    write_kubeconfig,
)
from tugboat.client.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Expired,
    Forbidden,
    Gone,
    InternalError,
    Invalid,
    MethodNotAllowed,
    NotFound,
    ServerUnreachable,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from tugboat.client.informer import Informer, SharedInformerFactory, object_key, split_key
from tugboat.client.leaderelection import LeaderElector, micro_time
from tugboat.client.record import EventRecorder, involved_object
from tugboat.client.rest import (
    ApiClient,
    ObjectList,
    SyncApiClient,
    resource_info,
)
from tugboat.client.watch import ADDED, BOOKMARK, DELETED, ERROR, MODIFIED, WatchEvent
from tugboat.client.workqueue import ExponentialRateLimiter, ShutDown, WorkQueue

__all__ = [
    "ADDED", "BOOKMARK", "DELETED", "ERROR", "MODIFIED", "DEFAULT_SERVER",
    "AlreadyExists", "ApiClient", "ApiError", "Backoff", "BadRequest", "ClientConfig",
    "ClientError", "ConfigError", "Conflict", "EventRecorder", "Expired",
    "ExponentialRateLimiter", "Forbidden", "Gone", "Informer", "InternalError", "Invalid",
    "LeaderElector", "MethodNotAllowed", "NotFound", "ObjectList", "ServerUnreachable",
    "ServiceUnavailable", "SharedInformerFactory", "ShutDown", "SyncApiClient",
    "TooManyRequests", "Unauthorized", "WatchEvent", "WorkQueue", "involved_object",
    "daemon_config", "load_config", "micro_time", "object_key", "resource_info", "split_key",
    "write_kubeconfig",
]
