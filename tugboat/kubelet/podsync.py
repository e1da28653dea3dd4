"""The pod worker's reconcile function (the kubelet's syncPod / syncTerminatingPod):
observe the pod's containers in the runtime, compare them with the pod (decisions.py), act
(kill, create the sandbox, pull, start, remove), and hand the resulting status to the
status manager. Three cases by what the pod is now:

- wanted: reconcile it toward running (or toward finished, per its restart policy);
- being deleted (deletionTimestamp): SIGTERM, wait out the grace period, SIGKILL, then
  remove the pod object;
- gone (deleted at once, or a manifest removed): stop and remove its containers and
  volumes — but only once its source has listed everything, so a kubelet that just
  started never mistakes a pod it hasn't heard of yet for an orphan.

Returns when to sync the pod again (a backoff ending), or None.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tugboat.api.core import Pod
from tugboat.client import Backoff
from tugboat.kubelet import activedeadline, decisions, ephemeral, podstatus
from tugboat.kubelet.containerspec import container_config, sandbox_ports, shares_ipc
from tugboat.kubelet.dns import DNSConfigurer, PodDNS
from tugboat.kubelet.emptydir import EVICTED, evicted
from tugboat.kubelet.environment import ContainerEnvironment
from tugboat.kubelet.images import ImageManager, Recorder
from tugboat.kubelet.initcontainers import TerminationOrdering, sidecars
from tugboat.kubelet.lifecycle import (
    FAILED_POST_START_HOOK,
    POST_START_HOOK_ERROR,
    HookRunner,
    container_spec,
)
from tugboat.kubelet.phase import TERMINAL
from tugboat.kubelet.podmanager import SOURCE_API, SOURCE_FILE, PodManager
from tugboat.kubelet.prober.manager import ProberManager
from tugboat.kubelet.prober.worker import Target
from tugboat.kubelet.qos import OOMScores
from tugboat.kubelet.reasons import (
    CREATE_ERROR,
    ERR_IMAGE_NEVER_PULL,
    ERR_IMAGE_PULL,
    IMAGE_PULL_BACKOFF,
    ReasonCache,
    StartFailure,
)
from tugboat.kubelet.restartpolicy import effective_policy, should_restart
from tugboat.kubelet.runtime import (
    PodRef,
    Runtime,
    RuntimeContainer,
    RuntimeFailure,
    SandboxConfig,
)
from tugboat.kubelet.securitycontext import (
    SeccompPolicy,
    container_security,
    needs_image_user,
    sandbox_security,
)
from tugboat.kubelet.serviceenv import ServiceEnvironment
from tugboat.kubelet.statusmanager import StatusManager
from tugboat.kubelet.volumes import VolumeManager

log = logging.getLogger(__name__)
MIN_GRACE = 2.0  # the kubelet's minimumGracePeriodInSeconds
SANDBOX_RETRY = 2.0  # after a failed sandbox creation
MOUNT_RETRY = 2.0  # after a volume that could not be written (a ConfigMap not there yet)


@dataclass
class SyncDeps:
    node: str
    host_ip: str
    runtime: Runtime
    pods: PodManager
    images: ImageManager
    volumes: VolumeManager
    prober: ProberManager
    status: StatusManager
    crash_backoff: Backoff
    reasons: ReasonCache
    record: Recorder
    dns: DNSConfigurer  # each pod's resolv.conf
    service_env: ServiceEnvironment  # <SVC>_SERVICE_HOST and friends
    environment: ContainerEnvironment  # env, envFrom and valueFrom, over the service vars
    clock: Callable[[], float] = time.time
    seccomp: SeccompPolicy = field(default_factory=SeccompPolicy)
    oom: OOMScores = field(default_factory=OOMScores.for_this_host)  # by QoS class


def pod_ref(pod: Pod, node: str, static: bool) -> PodRef:
    m = pod.metadata
    return PodRef(uid=m.uid or "", name=m.name or "", namespace=m.namespace or "default",
                  node=node, source=SOURCE_FILE if static else SOURCE_API)


def grace_of(pod: Pod) -> float:
    grace = pod.metadata.deletionGracePeriodSeconds
    if grace is None:
        grace = pod.spec.terminationGracePeriodSeconds
    return max(float(30 if grace is None else grace), MIN_GRACE)


def kill_grace(pod: Pod, name: str, message: str) -> float:
    """A probe's own terminationGracePeriodSeconds applies when it is the probe that
    failed; otherwise the pod's."""
    spec = next((c for c in [*pod.spec.containers, *sidecars(pod)] if c.name == name), None)
    for probe, word in ((spec and spec.livenessProbe, "liveness"),
                        (spec and spec.startupProbe, "startup")):
        if probe and probe.terminationGracePeriodSeconds is not None and word in message:
            return max(float(probe.terminationGracePeriodSeconds), MIN_GRACE)
    return grace_of(pod)


class PodSyncer:
    def __init__(self, deps: SyncDeps):
        self.d = deps
        self.hooks = HookRunner(deps.runtime, deps.record)  # postStart, preStop

    async def sync(self, uid: str) -> float | None:
        d = self.d
        containers = await d.runtime.list_containers(d.node, uid)
        pod = d.pods.get(uid)
        if pod is None:
            await self._cleanup(uid, containers)
            return None
        if pod.metadata.deletionTimestamp:
            await self._terminate(pod, containers)
            return None
        return await self._reconcile(pod, containers)

    # --- a wanted pod -----------------------------------------------------------------------

    async def _reconcile(self, pod: Pod, containers: list[RuntimeContainer]) -> float | None:
        d, uid = self.d, pod.metadata.uid or ""
        static = d.pods.is_static(uid)
        policy = effective_policy(pod.spec.restartPolicy, static)
        if not static:
            d.prober.add_pod(pod)
        old = d.status.current(pod)
        if activedeadline.exceeded(pod, old, d.clock()):  # Failed, and everything stops
            d.record(pod, "Normal", activedeadline.REASON, activedeadline.MESSAGE)
            d.status.set(pod, activedeadline.failed(old))
            old = d.status.current(pod)
        if old.phase not in TERMINAL and (why := await d.volumes.over_limit(pod)):
            d.record(pod, "Warning", EVICTED, why)  # an emptyDir over its sizeLimit
            d.status.set(pod, evicted(old, why, d.clock()))
            old = d.status.current(pod)
        if old.phase not in TERMINAL and not await self._mount(pod):
            self._report(pod, containers, policy, static)
            return MOUNT_RETRY
        view = decisions.ProbeView() if static else d.prober.probe_view()
        actions = decisions.compute(pod, containers, policy, d.clock(), d.crash_backoff, view,
                                    api_terminal=old.phase in TERMINAL)
        for name, (reason, message) in actions.waiting.items():
            if d.reasons.for_pod(uid).get(name, (None,))[0] != reason:
                d.record(pod, "Warning", "BackOff",
                         f"Back-off restarting failed container {name} in pod {pod.metadata.name}")
            d.reasons.set(uid, name, reason, message)
        if await self._act(pod, containers, actions, policy, static):
            containers = await d.runtime.list_containers(d.node, uid)
        if await self._start_ephemeral(pod, containers, actions, static):
            containers = await d.runtime.list_containers(d.node, uid)
        self._report(pod, containers, policy, static)
        if actions.terminal:  # after the report: the sandbox does not change a final status
            await self._stop_sandboxes(containers)
        if (left := activedeadline.remaining(pod, d.status.current(pod), d.clock())) is not None:
            actions.wake_in(left)  # fail the pod at its deadline, not at the next resync
        return actions.requeue_after

    async def _mount(self, pod: Pod) -> bool:
        """Write (or refresh) the volumes the kubelet fills; False while one cannot be."""
        try:
            await self.d.volumes.prepare(pod)
        except StartFailure as f:
            self.d.record(pod, "Warning", "FailedMount", f.message)
            return False
        return True

    def _report(self, pod: Pod, containers: list[RuntimeContainer], policy: str,
                static: bool) -> None:
        d, uid = self.d, pod.metadata.uid or ""
        readiness = podstatus.Readiness() if static else d.prober.readiness(uid)
        shown = pod.model_copy(update={"status": d.status.current(pod)})
        status = podstatus.generate(shown, containers, policy, d.reasons.for_pod(uid),
                                    readiness, d.host_ip, d.clock())
        status.ephemeralContainerStatuses = ephemeral.statuses(pod, containers,
                                                               d.reasons.for_pod(uid))
        d.status.set(pod, status)
        if not static:
            d.prober.observe(uid, self._targets(pod, containers, policy))

    @staticmethod
    def _targets(pod: Pod, containers: list[RuntimeContainer], policy: str
                 ) -> dict[str, Target]:
        apps = decisions.by_name([c for c in containers if not c.is_sandbox])
        sandbox_ip = next((c.ip for c in containers if c.is_sandbox and c.running), None)
        targets = {}
        for name, instances in apps.items():
            c = instances[-1]
            done = not c.running and not should_restart(policy, c.exit_code)
            targets[name] = Target(c.id, c.running, c.started_at, sandbox_ip, done)
        return targets

    async def _act(self, pod: Pod, containers: list[RuntimeContainer],
                   actions: decisions.PodActions, policy: str, static: bool) -> bool:
        """Carry out the actions; True if the runtime's state changed."""
        d = self.d
        await self._kill_in_order(pod, actions.kill)
        for c in actions.remove:
            await d.runtime.remove_container(c.id)
        sandbox = next((c for c in reversed(containers) if c.is_sandbox and c.running), None)
        if actions.create_sandbox:
            sandbox = await self._create_sandbox(pod, actions.sandbox_attempt, static)
            if sandbox is None:
                actions.wake_in(SANDBOX_RETRY)
        if sandbox is not None and actions.start:
            def announce() -> None:  # before a (maybe slow) pull: ContainerCreating
                self._report(pod, containers, policy, static)

            for start in actions.start:
                retry = await self._start(pod, start, sandbox, static, announce)
                if retry is not None:
                    actions.wake_in(retry)
                elif start.follow_up:
                    actions.wake_in(0)
        return bool(actions.kill or actions.remove or actions.start or actions.create_sandbox)

    async def _start_ephemeral(self, pod: Pod, containers: list[RuntimeContainer],
                               actions: decisions.PodActions, static: bool) -> bool:
        """Ephemeral containers start once each, in the running sandbox (ephemeral.py)."""
        sandbox = next((c for c in reversed(containers) if c.is_sandbox and c.running), None)
        todo = ephemeral.to_start(pod, containers) if sandbox and not actions.terminal else []
        for spec in todo:
            retry = await self._start(pod, decisions.Start(spec, 0, restart=False), sandbox,
                                      static, lambda: None)
            if retry is not None:
                actions.wake_in(retry)
        return bool(todo)

    async def _kill_in_order(self, pod: Pod, kills: list[decisions.Kill]) -> None:
        """All at once; the sidecars stop after the app containers, last declared first,
        within the same grace period (initcontainers.TerminationOrdering)."""
        ordering = TerminationOrdering(pod, kills) if sidecars(pod) else None
        await asyncio.gather(*(self._kill_id(pod, k.container.name, k.container.id,
                                             k.message, ordering) for k in kills))

    async def _kill_id(self, pod: Pod, name: str, container_id: str, message: str,
                       ordering: TerminationOrdering | None = None) -> None:
        """killContainer: the Killing event, the preStop hook within the grace period,
        a sidecar's wait for its turn, then SIGTERM and SIGKILL after what is left of it
        (never less than 2 s)."""
        d = self.d
        d.record(pod, "Normal", "Killing", message)
        try:
            grace = await self.hooks.pre_stop(pod, container_spec(pod, name), container_id,
                                              d.status.current(pod).podIP,
                                              kill_grace(pod, name, message))
            if ordering is not None:  # whole seconds waited come off, as the kubelet counts
                grace -= int(await ordering.wait_for_turn(name, grace))
            await d.runtime.stop_container(container_id, max(grace, MIN_GRACE))
        finally:
            if ordering is not None:
                ordering.terminated(name)

    async def _stop_sandboxes(self, containers: list[RuntimeContainer]) -> int:
        running = [c for c in containers if c.is_sandbox and c.running]
        for c in running:
            await self.d.runtime.stop_container(c.id, 0)
        return len(running)

    async def _create_sandbox(self, pod: Pod, attempt: int, static: bool
                              ) -> RuntimeContainer | None:
        d = self.d
        try:
            self._record_dns(pod, d.dns.write(pod))
            config = SandboxConfig(pod=pod_ref(pod, d.node, static), attempt=attempt,
                                   hostname=pod.spec.hostname or pod.metadata.name or "pod",
                                   ports=sandbox_ports(pod), share_ipc=shares_ipc(pod),
                                   security=sandbox_security(pod, d.seccomp),
                                   oom_score_adj=d.oom.sandbox())
            return await d.runtime.run_sandbox(config)
        except (RuntimeFailure, StartFailure, OSError) as e:
            d.record(pod, "Warning", "FailedCreatePodSandBox",
                     f"Failed to create pod sandbox: {getattr(e, 'message', e)}")
            return None

    def _record_dns(self, pod: Pod, formed: PodDNS) -> None:
        for reason, message in formed.warnings:
            self.d.record(pod, "Warning", reason, message)

    async def _start(self, pod: Pod, start: decisions.Start, sandbox: RuntimeContainer,
                     static: bool, announce: Callable[[], None]) -> float | None:
        """Start one container; on failure its waiting reason, and when to try again."""
        d, uid, spec = self.d, pod.metadata.uid or "", start.spec
        try:
            await d.images.ensure(pod, spec, announce)
            image_user = (await d.runtime.image_user(spec.image or "")
                          if needs_image_user(pod, spec) else None)
            security = container_security(pod, spec, d.seccomp, image_user)
            resolv, formed = d.dns.mount(pod)
            if formed is not None:
                self._record_dns(pod, formed)
            env = await d.environment.make(pod, spec, sandbox.ip, d.host_ip,
                                           d.service_env.for_pod(pod, static))
            mounts = [*d.volumes.mounts_for(pod, spec, env), resolv]  # subPathExpr uses env
            config = container_config(pod, spec, start.attempt, pod_ref(pod, d.node, static),
                                      mounts, security=security, env=env)
            config = await ephemeral.with_target(config, spec, d.runtime, d.node)
        except StartFailure as f:
            if f.reason not in (ERR_IMAGE_PULL, IMAGE_PULL_BACKOFF, ERR_IMAGE_NEVER_PULL):
                d.record(pod, "Warning", "Failed", f"Error: {f.message}")
            d.reasons.set(uid, spec.name, f.reason, f.message)
            return f.retry_after if f.retry_after is not None else d.crash_backoff.initial
        key = decisions.crash_key(uid, spec.name)
        if start.restart:
            d.crash_backoff.next(key)
        config.oom_score_adj = d.oom.container(pod, spec)
        try:
            container_id = await d.runtime.start_container(config, sandbox)
        except RuntimeFailure as e:
            d.record(pod, "Warning", "Failed", f"Error: {e}")
            d.reasons.set(uid, spec.name, CREATE_ERROR, str(e))
            return d.crash_backoff.delay(key) or d.crash_backoff.initial
        d.reasons.clear(uid, spec.name)
        d.record(pod, "Normal", "Created", f"Created container {spec.name}")
        d.record(pod, "Normal", "Started", f"Started container {spec.name}")
        failed = await self.hooks.post_start(pod, spec, container_id, sandbox.ip,
                                             lambda: self._going(uid))
        if failed is not None:  # killed, then its restart policy decides (PostStartHookError)
            await self._kill_id(pod, spec.name, container_id, FAILED_POST_START_HOOK)
            d.reasons.set(uid, spec.name, POST_START_HOOK_ERROR, failed)
        return None

    def _going(self, uid: str) -> bool:
        """The pod is being deleted (or gone): a running postStart is given up."""
        pod = self.d.pods.get(uid)
        return pod is None or pod.metadata.deletionTimestamp is not None

    # --- a pod being deleted, and a pod that is gone ------------------------------------------

    async def _terminate(self, pod: Pod, containers: list[RuntimeContainer]) -> None:
        d, uid = self.d, pod.metadata.uid or ""
        d.prober.remove_pod(uid)
        running = [c for c in containers if c.running and not c.is_sandbox]
        await self._kill_in_order(pod, [decisions.Kill(c, f"Stopping container {c.name}")
                                        for c in running])
        await self._stop_sandboxes(containers)
        await d.status.delete_pod(pod)

    async def _cleanup(self, uid: str, containers: list[RuntimeContainer]) -> None:
        d = self.d
        if not containers:
            await self._forget(uid)
            return
        if not d.pods.may_clean(containers[0].pod.source):
            return  # its source has not listed everything yet: not known to be an orphan
        last = d.pods.tombstone(uid)
        grace = min(grace_of(last), MIN_GRACE) if last is not None else MIN_GRACE
        pod_ip = next((c.ip for c in containers if c.is_sandbox and c.running), None)
        await asyncio.gather(*(self._stop_orphan(last, c, grace, pod_ip)
                               for c in containers if c.running and not c.is_sandbox))
        for c in containers:
            await d.runtime.remove_container(c.id)
        log.info("removed the %d containers of pod %s/%s (%s)", len(containers),
                 containers[0].pod.namespace, containers[0].pod.name, uid)
        await self._forget(uid)

    async def _stop_orphan(self, last: Pod | None, c: RuntimeContainer, grace: float,
                           pod_ip: str | None) -> None:
        """A pod deleted at once still gets its preStop hooks (the kubelet restores them
        from the container's labels; here from the pod's last known spec), in the short
        grace it has."""
        if last is not None:
            grace = max(await self.hooks.pre_stop(last, container_spec(last, c.name), c.id,
                                                  pod_ip, grace), MIN_GRACE)
        await self.d.runtime.stop_container(c.id, grace)

    async def _forget(self, uid: str) -> None:
        d = self.d
        d.prober.remove_pod(uid)
        d.status.forget(uid)
        d.reasons.forget(uid)
        await d.volumes.cleanup(uid)
        d.pods.forget(uid)
        d.crash_backoff.gc()
