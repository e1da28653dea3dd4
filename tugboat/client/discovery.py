"""What the API server serves, read from its discovery documents (client-go's discovery
client with a deferred, discovery-backed RESTMapper).

The built-in table (tugboat.api.resources) is compiled into every component, but custom
resources exist only while their CustomResourceDefinitions do, so a component that must
act on *every* kind — the garbage collector finding owners, the namespace controller
emptying a namespace — asks the server: `/api/v1`, `/apis` and each group version's
APIResourceList. A discovered resource that is in the built-in table is that table's
row (typed model, conversion); any other is served from a CRD and gets a ResourceInfo
whose objects decode as `Unstructured` (metadata typed, the rest kept as sent).

The last answer is cached; `refresh(max_age)` reads again only when it is older than
`max_age`, and a kind nobody knows triggers a re-read (rate limited) the way client-go's
DeferredDiscoveryRESTMapper resets itself on a no-match."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from tugboat.api import resources
from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import ResourceInfo
from tugboat.client.errors import ClientError
from tugboat.client.rest import ApiClient, Request

log = logging.getLogger(__name__)

# How often a controller re-reads discovery on its own (Kubernetes' garbage collector
# re-syncs its monitors every 30 s); a miss re-reads sooner, at most every MISS_INTERVAL.
DEFAULT_MAX_AGE = 30.0
MISS_INTERVAL = 1.0

Obj = dict[str, Any]


def _info_from(group: str, version: str, r: Obj) -> ResourceInfo:
    """A discovered resource: the built-in table's row when it has one, else a custom
    resource's (decoded as Unstructured, every field kept)."""
    known = resources.lookup(group, version, r["name"])
    if known is not None:
        return known
    return CustomResourceInfo(
        group=group, version=version, resource=r["name"], kind=r.get("kind", ""),
        namespaced=bool(r.get("namespaced")), model_path="",
        short_names=tuple(r.get("shortNames") or ()), verbs=tuple(r.get("verbs") or ()),
        categories=tuple(r.get("categories") or ()), preserve_unknown=True)


class DiscoveryClient:
    """The server's served resources, cached; one per controller manager, shared."""

    def __init__(self, client: ApiClient, *, max_age: float = DEFAULT_MAX_AGE,
                 clock: Any = time.monotonic):
        self.client = client
        self.max_age = max_age
        self.clock = clock
        self._infos: tuple[ResourceInfo, ...] = ()
        self._preferred: dict[str, str] = {}  # group → its preferred version
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    # --- reading --------------------------------------------------------------------------

    async def refresh(self, max_age: float | None = None) -> tuple[ResourceInfo, ...]:
        """Every served resource (with subresources left out), read again when the last
        read is older than `max_age` (default: the client's); a failed read keeps the
        last good answer."""
        age = self.max_age if max_age is None else max_age
        async with self._lock:
            now = self.clock()
            if self._read_at is not None and now - self._read_at < age:
                return self._infos
            try:
                infos, preferred = await self._read()
            except ClientError as e:
                log.warning("discovery failed: %s; keeping the last answer", e)
                return self._infos
            self._infos, self._preferred, self._read_at = infos, preferred, self.clock()
            return infos

    async def _get(self, path: str) -> Obj:
        return await self.client._send(Request("GET", path))  # the client's own package

    async def _read(self) -> tuple[tuple[ResourceInfo, ...], dict[str, str]]:
        lists: list[tuple[str, str]] = [("", v) for v in
                                        (await self._get("/api")).get("versions") or []]
        preferred: dict[str, str] = {"": lists[0][1]} if lists else {}
        for g in (await self._get("/apis")).get("groups") or []:
            name = g.get("name") or ""
            versions = [v.get("version") for v in g.get("versions") or [] if v.get("version")]
            pv = (g.get("preferredVersion") or {}).get("version") or (versions or [None])[0]
            if pv:
                preferred[name] = pv
            lists += [(name, v) for v in versions]
        infos: list[ResourceInfo] = []
        for group, version in lists:
            path = f"/apis/{group}/{version}" if group else f"/api/{version}"
            try:
                reply = await self._get(path)
            except ClientError as e:  # a group version going away between two reads
                log.info("discovery of %s skipped: %s", path, e)
                continue
            infos += [_info_from(group, version, r) for r in reply.get("resources") or []
                      if "/" not in r.get("name", "")]
        return tuple(infos), preferred

    # --- answers from the last read ---------------------------------------------------------

    @property
    def infos(self) -> tuple[ResourceInfo, ...]:
        return self._infos

    def preferred(self) -> list[ResourceInfo]:
        """One resource per group and resource name, at its group's preferred version
        (or the first served), as ServerPreferredResources."""
        out: dict[tuple[str, str], ResourceInfo] = {}
        for info in self._infos:
            key = (info.group, info.resource)
            if key not in out or info.version == self._preferred.get(info.group):
                out[key] = info
        return list(out.values())

    def deletable(self, namespaced: bool | None = None) -> list[ResourceInfo]:
        """Preferred resources that can be listed, watched and deleted (what the garbage
        collector monitors and the namespace controller empties)."""
        return [i for i in self.preferred() if {"list", "watch", "delete"} <= set(i.verbs)
                and (namespaced is None or i.namespaced == namespaced)]

    def custom(self, namespaced: bool | None = None) -> list[ResourceInfo]:
        """The deletable resources that are not in the built-in table: those served from
        CustomResourceDefinitions (or any other API the server has learnt about)."""
        return [i for i in self.deletable(namespaced) if resources.lookup(
            i.group, i.version, i.resource) is None or isinstance(i, CustomResourceInfo)]

    def for_kind(self, api_version: str, kind: str) -> ResourceInfo | None:
        """The resource of a kind: the built-in table's, else the last discovery's."""
        known = resources.for_kind(api_version, kind)
        if known is not None:
            return known
        return next((i for i in self._infos if i.api_version == api_version
                     and i.kind == kind), None)

    async def resolve_kind(self, api_version: str, kind: str) -> ResourceInfo | None:
        """for_kind, reading discovery again first when the kind is not known yet."""
        found = self.for_kind(api_version, kind)
        if found is None:
            await self.refresh(MISS_INTERVAL)
            found = self.for_kind(api_version, kind)
        return found
