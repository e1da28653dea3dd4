"""Assembles the kubelet from its parts and runs their loops — the wiring, kept out of
every part so none of them is a god object. Sources (the pod informer, the manifest
folder) feed the PodManager and wake pod workers; pod workers reconcile through the
runtime and hand statuses to the status manager; the prober, Docker's event stream,
housekeeping and the periodic resync only wake pod workers; the node reporter, the Lease
and the kubelet server run beside them. Stopping cancels the loops and leaves every
container running, so a restarted kubelet adopts them."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from tugboat.api.core import Pod
from tugboat.client import ApiClient, Backoff, EventRecorder, Informer, daemon_config
from tugboat.kubelet.dns import DNSConfigurer
from tugboat.kubelet.environment import ContainerEnvironment
from tugboat.kubelet.housekeeping import collect_orphans, follow_runtime_events
from tugboat.kubelet.images import ImageManager
from tugboat.kubelet.metrics import KubeletMetrics
from tugboat.kubelet.mirrorpods import MirrorPods
from tugboat.kubelet.node.health import RuntimeHealth
from tugboat.kubelet.node.hostinfo import detect_node_ip, read_host_info
from tugboat.kubelet.node.lease import renew_forever
from tugboat.kubelet.node.nodestatus import NodeIdentity, capacity
from tugboat.kubelet.node.reporter import NodeReporter
from tugboat.kubelet.podmanager import PodManager, differs_beyond_status, full_name, is_mirror
from tugboat.kubelet.podsync import PodSyncer, SyncDeps
from tugboat.kubelet.podworkers import PodWorkers, resync_periodically
from tugboat.kubelet.prober.manager import ProberManager
from tugboat.kubelet.prober.probes import ProbeRunner
from tugboat.kubelet.prober.worker import ProbeKind
from tugboat.kubelet.projected import ProjectedVolumes
from tugboat.kubelet.reasons import ReasonCache
from tugboat.kubelet.runtime import Runtime
from tugboat.kubelet.securitycontext import SeccompPolicy
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.serving import serving
from tugboat.kubelet.server.stats import StatsCollector
from tugboat.kubelet.serviceaccounttokens import TokenManager
from tugboat.kubelet.serviceenv import ServiceEnvironment, derived_kubernetes_environment
from tugboat.kubelet.staticpods import watch_manifests
from tugboat.kubelet.statusmanager import StatusManager
from tugboat.kubelet.volumes import VolumeManager

log = logging.getLogger(__name__)


def build_runtime(cfg) -> Runtime:  # noqa: ANN001 - KubeletConfig
    if cfg.runtime == "fake":
        from tugboat.kubelet.runtime.fake import FakeRuntime
        return FakeRuntime()
    from tugboat.kubelet.runtime.docker import DockerRuntime
    return DockerRuntime(pause_image=cfg.pause_image, log_max_size=cfg.container_log_max_size,
                         log_max_files=cfg.container_log_max_files)


@dataclass
class Parts:
    """The built kubelet: every component, by name."""

    client: ApiClient
    runtime: Runtime
    pods: PodManager
    workers: PodWorkers
    status: StatusManager
    prober: ProberManager
    probe_runner: ProbeRunner
    informer: Informer
    services: Informer  # for the pods' service environment variables
    mirrors: MirrorPods
    reporter: NodeReporter
    health: RuntimeHealth
    recorder: EventRecorder
    server_ctx: ServerContext


def build(cfg, runtime: Runtime, client: ApiClient) -> Parts:  # noqa: ANN001 - KubeletConfig
    node = cfg.node_name
    ident = NodeIdentity(node, cfg.node_ip or detect_node_ip(), cfg.port)
    recorder = EventRecorder(client, "kubelet", host=node)
    pods = PodManager()
    metrics = KubeletMetrics()

    def record(pod: Pod, type_: str, reason: str, message: str) -> None:
        recorder.emit(pod, type_, reason, message)

    def on_probe_failure(pod: Pod, kind: ProbeKind, _name: str, output: str) -> None:
        record(pod, "Warning", "Unhealthy", f"{kind} probe failed: {output.strip()}")

    def status_target(pod: Pod) -> Pod | None:
        uid = pod.metadata.uid or ""
        return pods.mirror_of(pod) if pods.is_static(uid) else pods.get(uid)

    services = Informer(client, "services", resync_period=None)
    service_env = ServiceEnvironment(
        services.list, lambda: services.has_synced,
        derived_kubernetes_environment(client.server, ident.ip))
    runner = ProbeRunner(runtime)
    prober = ProberManager(runner, lambda uid: workers.enqueue(uid), on_probe_failure)
    status = StatusManager(client, status_target)
    syncer = PodSyncer(SyncDeps(
        node=node, host_ip=ident.ip, runtime=runtime, pods=pods,
        images=ImageManager(runtime, record, Backoff(cfg.backoff_base, cfg.backoff_max)),
        volumes=VolumeManager(cfg.root_dir, ProjectedVolumes(client, TokenManager(client)),
                              refresh_period=cfg.sync_frequency),  # ConfigMap updates per sync
        prober=prober, status=status,
        crash_backoff=Backoff(cfg.backoff_base, cfg.backoff_max, clock=time.time),
        reasons=ReasonCache(), record=record,
        dns=DNSConfigurer(cfg.root_dir, cfg.cluster_dns, cfg.cluster_domain, cfg.resolv_conf),
        service_env=service_env,
        environment=ContainerEnvironment(client.get, lambda: capacity(read_host_info(
            cfg.root_dir)), record),
        seccomp=SeccompPolicy(cfg.seccomp_default, Path(cfg.root_dir) / "seccomp")))
    workers = PodWorkers(syncer.sync, concurrency=cfg.pod_workers, observe=metrics.observe_sync)
    health = RuntimeHealth(runtime, lambda: reporter.wake.set())
    reporter = NodeReporter(client, ident, health, storage_path=cfg.root_dir,
                            frequency=cfg.node_status_update_frequency)
    informer = Informer(client, "pods", field_selector=f"spec.nodeName={node}",
                        resync_period=None)
    ctx = ServerContext(node, pods, runtime, StatsCollector(runtime, node), metrics)
    return Parts(client, runtime, pods, workers, status, prober, runner, informer, services,
                 MirrorPods(client, pods, lambda: reporter.node_uid), reporter, health, recorder, ctx)


def connect_sources(parts: Parts) -> None:
    """Informer events → PodManager → pod workers (and mirror pods)."""
    pods, workers, mirrors = parts.pods, parts.workers, parts.mirrors

    def changed(pod: Pod) -> None:
        workers.enqueue(pods.update_api_pod(pod))
        if is_mirror(pod):
            mirrors.wake.set()
            static = pods.find(*full_name(pod))
            if static is not None:
                workers.enqueue(static.metadata.uid or "")

    def deleted(pod: Pod) -> None:
        workers.enqueue(pods.delete_api_pod(pod))
        if is_mirror(pod):
            mirrors.wake.set()

    def updated(old: Pod, new: Pod) -> None:
        if differs_beyond_status(old, new):
            changed(new)
        else:
            pods.update_api_pod(new)  # keep the latest copy; nothing to do

    parts.informer.add_event_handler(on_add=changed, on_update=updated, on_delete=deleted)


def apply_static(parts: Parts, static: list[Pod]) -> None:
    changed = parts.pods.set_static_pods(static)
    parts.workers.enqueue_all(changed)
    if changed:
        parts.mirrors.wake.set()


async def mark_synced(parts: Parts) -> None:
    await parts.informer.wait_for_sync()
    parts.pods.api_synced = True
    parts.workers.enqueue_all(parts.pods.uids())
    parts.mirrors.wake.set()


def loops(cfg, parts: Parts) -> list:  # noqa: ANN001
    """Every long-running coroutine of the kubelet."""
    node, runtime, workers, pods = cfg.node_name, parts.runtime, parts.workers, parts.pods
    found = [
        *serving(cfg, parts.server_ctx, parts.client),
        workers.run(), parts.status.run(), parts.informer.run(), parts.services.run(),
        mark_synced(parts),
        parts.mirrors.run(), parts.reporter.run(), parts.health.run(),
        renew_forever(parts.client, node, lambda: parts.reporter.node_uid),
        follow_runtime_events(runtime, node, workers, lambda: workers.enqueue_all(pods.uids())),
        collect_orphans(runtime, node, pods, workers, 10.0),
        resync_periodically(workers, pods.uids, cfg.sync_frequency),
    ]
    if cfg.manifests_dir:
        found.append(watch_manifests(Path(cfg.manifests_dir), node,
                                     lambda static: apply_static(parts, static),
                                     cfg.file_check_frequency))
    else:
        pods.static_loaded = True
    return found


async def run_kubelet(cfg, *, stop: asyncio.Event | None = None,  # noqa: ANN001
                      runtime: Runtime | None = None) -> None:
    runtime = runtime or build_runtime(cfg)
    client = ApiClient.from_config(daemon_config(cfg.kubeconfig, cfg.server),
                                   user_agent=f"tug-kubelet/{cfg.node_name}")
    parts = build(cfg, runtime, client)
    connect_sources(parts)
    tasks = [asyncio.create_task(c) for c in loops(cfg, parts)]
    log.info("kubelet for node %s started (runtime %s, port %d)", cfg.node_name, cfg.runtime,
             cfg.port)
    stopped = asyncio.create_task((stop or asyncio.Event()).wait())
    pending: set[asyncio.Task] = {stopped, *tasks}
    while stopped in pending:  # one-shot loops (mark_synced) may end; a failure stops all
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in done if t is not stopped and t.exception() is not None]
        for task in failed:
            log.error("a kubelet loop failed", exc_info=task.exception())
        if failed:
            break
    await shutdown(parts, tasks)


async def shutdown(parts: Parts, tasks: list[asyncio.Task]) -> None:
    parts.workers.stop()
    parts.status.stop()
    await parts.prober.stop()
    for task in tasks:
        task.cancel()
    _done, stuck = await asyncio.wait(tasks, timeout=5.0)
    for task in stuck:
        log.warning("loop %s did not stop in time", task.get_coro())
    await parts.probe_runner.close()
    await parts.client.aclose()
    await parts.runtime.close()
    log.info("kubelet stopped; its containers keep running")
