"""Why a container is waiting instead of running (the kubelet's reasonCache): the waiting
reasons a start attempt can leave behind — ErrImagePull, ImagePullBackOff,
ErrImageNeverPull, CreateContainerConfigError, CreateContainerError, CrashLoopBackOff — kept
per pod and container until the container starts, so the status reports them."""

from __future__ import annotations

ERR_IMAGE_PULL = "ErrImagePull"
IMAGE_PULL_BACKOFF = "ImagePullBackOff"
ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull"
CREATE_CONFIG_ERROR = "CreateContainerConfigError"
CREATE_ERROR = "CreateContainerError"
CONTAINER_CREATING = "ContainerCreating"


class StartFailure(Exception):
    """A container could not be started; `reason` becomes its waiting reason."""

    def __init__(self, reason: str, message: str, retry_after: float | None = None):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message, self.retry_after = reason, message, retry_after


class ReasonCache:
    def __init__(self) -> None:
        self._reasons: dict[str, dict[str, tuple[str, str]]] = {}

    def set(self, uid: str, name: str, reason: str, message: str) -> None:
        self._reasons.setdefault(uid, {})[name] = (reason, message)

    def clear(self, uid: str, name: str) -> None:
        self._reasons.get(uid, {}).pop(name, None)

    def for_pod(self, uid: str) -> dict[str, tuple[str, str]]:
        return dict(self._reasons.get(uid, {}))

    def forget(self, uid: str) -> None:
        self._reasons.pop(uid, None)
