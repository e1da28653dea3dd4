"""Image pull policy (the kubelet's image manager): `Never` uses the local image or fails
with ErrImageNeverPull; `IfNotPresent` pulls only a missing image; `Always` pulls every
time. A failed pull is ErrImagePull, and the next attempts wait out a per-image backoff,
reporting ImagePullBackOff meanwhile. Events: Pulling, Pulled, Failed, BackOff."""

from __future__ import annotations

import time
from collections.abc import Callable

from tugboat.api.core import Container, Pod
from tugboat.client import Backoff
from tugboat.kubelet.reasons import (
    ERR_IMAGE_NEVER_PULL,
    ERR_IMAGE_PULL,
    IMAGE_PULL_BACKOFF,
    StartFailure,
)
from tugboat.kubelet.runtime import ImagePullError, ImageService, RuntimeFailure

Recorder = Callable[[Pod, str, str, str], None]  # pod, type, reason, message


class ImageManager:
    def __init__(self, images: ImageService, record: Recorder, backoff: Backoff,
                 clock: Callable[[], float] = time.monotonic):
        self.images, self.record, self.backoff, self.clock = images, record, backoff, clock

    async def ensure(self, pod: Pod, spec: Container,
                     before_pull: Callable[[], None] | None = None) -> str:
        """The image id to run `spec` with, pulling per its policy; StartFailure if not.
        `before_pull` runs before a pull (a pull can be slow: report ContainerCreating)."""
        image = spec.image or ""
        policy = spec.imagePullPolicy or "IfNotPresent"
        if policy != "Always":
            present = await self.images.image_id(image)
            if present is not None:
                self.record(pod, "Normal", "Pulled",
                            f'Container image "{image}" already present on machine')
                return present
            if policy == "Never":
                message = (f'Container image "{image}" is not present with pull policy of '
                           f'Never')
                self.record(pod, "Warning", ERR_IMAGE_NEVER_PULL, message)
                raise StartFailure(ERR_IMAGE_NEVER_PULL, message)
        if before_pull is not None and not self.backoff.in_backoff((pod.metadata.uid, image)):
            before_pull()
        return await self._pull(pod, image)

    async def _pull(self, pod: Pod, image: str) -> str:
        key = (pod.metadata.uid, image)
        if self.backoff.in_backoff(key):
            message = f'Back-off pulling image "{image}"'
            self.record(pod, "Normal", "BackOff", message)
            raise StartFailure(IMAGE_PULL_BACKOFF, message, self.backoff.remaining(key))
        self.record(pod, "Normal", "Pulling", f'Pulling image "{image}"')
        started = self.clock()
        try:
            image_id = await self.images.pull_image(image)
        except (ImagePullError, RuntimeFailure) as e:
            delay = self.backoff.next(key)
            message = f'Failed to pull image "{image}": {e}'
            self.record(pod, "Warning", "Failed", message)
            self.record(pod, "Warning", "Failed", f"Error: {ERR_IMAGE_PULL}")
            # Sync again half-way through the backoff, so ImagePullBackOff shows.
            raise StartFailure(ERR_IMAGE_PULL, message, delay / 2) from e
        self.backoff.reset(key)
        took = self.clock() - started
        self.record(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {took:.3f}s')
        return image_id

    def forget(self, uid: str) -> None:
        """The pod is gone: drop its pull backoffs."""
        self.backoff.gc()
