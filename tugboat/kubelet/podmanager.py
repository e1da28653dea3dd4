"""The pods this node should run (the kubelet's pod manager), by uid, from its two sources:
the API server (pods bound to the node, through the informer) and the manifest folder
(static pods). Mirror pods — the API's copies of static pods — are tracked by name and
never run. A removed pod leaves a tombstone (its last version) until its worker has
cleaned up, so the worker still knows its name and grace period."""

from __future__ import annotations

from tugboat.api.core import Pod

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
SOURCE_ANNOTATION = "kubernetes.io/config.source"
HASH_ANNOTATION = "kubernetes.io/config.hash"
SOURCE_API, SOURCE_FILE = "api", "file"


def is_mirror(pod: Pod) -> bool:
    return MIRROR_ANNOTATION in (pod.metadata.annotations or {})


def differs_beyond_status(old: Pod, new: Pod) -> bool:
    """Whether a pod update means more than a new status (the kubelet's own writes come
    back through the informer; like Kubernetes' config source, they wake no one)."""
    if old.spec != new.spec:
        return True
    skip = {"resourceVersion", "managedFields"}
    return old.metadata.model_dump(exclude=skip) != new.metadata.model_dump(exclude=skip)


def full_name(pod: Pod) -> tuple[str, str]:
    return pod.metadata.namespace or "default", pod.metadata.name or ""


class PodManager:
    def __init__(self) -> None:
        self._api: dict[str, Pod] = {}
        self._static: dict[str, Pod] = {}
        self._mirrors: dict[tuple[str, str], Pod] = {}
        self._tombstones: dict[str, Pod] = {}
        self.api_synced = False  # the informer's first list is in
        self.static_loaded = False  # the manifest folder has been read once

    # --- sources --------------------------------------------------------------------------

    def update_api_pod(self, pod: Pod) -> str:
        """Add or update a pod from the informer; returns the uid to sync."""
        uid = pod.metadata.uid or ""
        if is_mirror(pod):
            self._mirrors[full_name(pod)] = pod
        else:
            self._api[uid] = pod
            self._tombstones.pop(uid, None)
        return uid

    def delete_api_pod(self, pod: Pod) -> str:
        uid = pod.metadata.uid or ""
        if is_mirror(pod):
            if self._mirrors.get(full_name(pod)) is not None and \
                    self._mirrors[full_name(pod)].metadata.uid == uid:
                del self._mirrors[full_name(pod)]
            return uid
        gone = self._api.pop(uid, None)
        self._tombstones[uid] = gone or pod
        return uid

    def set_static_pods(self, pods: list[Pod]) -> set[str]:
        """Replace the static set; returns the uids that appeared or went away."""
        fresh = {p.metadata.uid or "": p for p in pods}
        changed = set(fresh) ^ set(self._static)
        for uid in set(self._static) - set(fresh):
            self._tombstones[uid] = self._static[uid]
        self._static = fresh
        self.static_loaded = True
        return changed

    # --- lookups ----------------------------------------------------------------------------

    def get(self, uid: str) -> Pod | None:
        return self._api.get(uid) or self._static.get(uid)

    def tombstone(self, uid: str) -> Pod | None:
        return self._tombstones.get(uid)

    def forget(self, uid: str) -> None:
        self._tombstones.pop(uid, None)

    def is_static(self, uid: str) -> bool:
        return uid in self._static

    def uids(self) -> set[str]:
        return set(self._api) | set(self._static)

    def pods(self) -> list[Pod]:
        return list(self._api.values()) + list(self._static.values())

    def static_pods(self) -> list[Pod]:
        return list(self._static.values())

    def mirror_pods(self) -> list[Pod]:
        return list(self._mirrors.values())

    def mirror_of(self, static: Pod) -> Pod | None:
        return self._mirrors.get(full_name(static))

    def find(self, namespace: str, name: str) -> Pod | None:
        """A running pod by namespace/name (static pods answer to their mirror's name)."""
        for pod in self.pods():
            if full_name(pod) == (namespace, name):
                return pod
        return None

    def may_clean(self, source: str) -> bool:
        """Whether a container of an unknown pod from `source` is really an orphan: only
        once that source has reported everything it has."""
        return self.static_loaded if source == SOURCE_FILE else self.api_synced
