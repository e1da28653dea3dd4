"""One CLI invocation's connection: the global flags resolved against the kubeconfig into a
client, the namespace to use, and the few requests the plain client does not make (Tables,
raw paths, streams).

kubectl decides the namespace per object: `-n` wins, else the kubeconfig context's, else
"default"; an object from a file keeps its own unless `-n` says otherwise. The client is
built lazily, so `tug config ...` and `tug up` never need a reachable server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import httpx
import orjson

from tugboat.api.resources import ResourceInfo
from tugboat.client import ClientConfig, ServerUnreachable, SyncApiClient, load_config
from tugboat.client.errors import error_from_response
from tugboat.client.warnings import WarningWriter

TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
USER_AGENT = "tug/0.1.0"


@dataclass
class GlobalOptions:
    kubeconfig: str | None = None
    context: str | None = None
    server: str | None = None
    token: str | None = None
    namespace: str | None = None
    request_timeout: float | None = None


class Session:
    """The resolved connection of one `tug` run (`ctx.obj`)."""

    def __init__(self, options: GlobalOptions):
        self.options = options
        self.warnings = WarningWriter()  # kubectl's: each server warning once, on stderr

    @cached_property
    def config(self) -> ClientConfig:
        cfg = load_config(self.options.kubeconfig, context=self.options.context,
                          server=self.options.server, namespace=self.options.namespace)
        if self.options.token:
            cfg = replace(cfg, token=self.options.token)  # keeps the CA and client cert
        return cfg

    @property
    def namespace(self) -> str:
        return self.config.namespace

    @property
    def explicit_namespace(self) -> str | None:
        return self.options.namespace

    @property
    def server(self) -> str:
        return self.config.server

    def _new_client(self, accept: str | None = None) -> SyncApiClient:
        timeout = self.options.request_timeout or 30.0
        client = SyncApiClient.from_config(self.config, timeout=timeout, user_agent=USER_AGENT,
                                           warning_handler=self.warnings)
        if accept:
            client.http.headers["Accept"] = accept
        return client

    @cached_property
    def client(self) -> SyncApiClient:
        return self._new_client()

    @cached_property
    def table_client(self) -> SyncApiClient:
        """The same connection asking for Tables: `table_client.watch(...)` streams one-row
        Tables, as `kubectl get -w` shows them."""
        return self._new_client(TABLE_ACCEPT)

    def ns_for(self, info: ResourceInfo, obj_namespace: str | None = None) -> str | None:
        if not info.namespaced:
            return None
        return self.explicit_namespace or obj_namespace or self.namespace

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                accept: str | None = None, body: Any = None,
                content_type: str = "application/json") -> Any:
        """A raw API call: the decoded JSON reply, or the client's ApiError."""
        headers = {"Accept": accept} if accept else {}
        content = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = content_type
        try:
            resp = self.client.http.request(method, path, params=params, headers=headers,
                                            content=content)
        except httpx.TransportError as e:
            raise ServerUnreachable(self.server, e) from e
        self.client.warn(resp)
        if resp.status_code >= 300:
            raise error_from_response(resp.status_code, resp.content, resp.reason_phrase)
        return orjson.loads(resp.content) if resp.content else {}

    def table(self, info: ResourceInfo, namespace: str | None, name: str | None = None,
              params: dict[str, Any] | None = None) -> Any:
        """GET a Table (a list, or one object's one-row Table)."""
        return self.request("GET", info.path(namespace, name), params=params,
                            accept=TABLE_ACCEPT)

    def stream(self, path: str, params: dict[str, Any]) -> Any:
        """An open streaming GET (logs -f): use as a context manager, iterate raw bytes."""
        timeout = httpx.Timeout(self.options.request_timeout or 30.0, read=None)
        return self.client.http.stream("GET", path, params=params, timeout=timeout)

    def close(self) -> None:
        for name in ("client", "table_client"):
            if name in self.__dict__:
                self.__dict__[name].close()
