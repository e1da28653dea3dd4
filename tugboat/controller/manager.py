"""The controller manager: builds the enabled controllers on one client and one shared
informer factory, serves /healthz and /metrics, and — when leader election is on — runs
the controllers only while this process holds the `kube-controller-manager` Lease in
kube-system. Losing the Lease ends the process, as in Kubernetes, so a restarted manager
starts again from a fresh list."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Callable

from tugboat.client import ApiClient, EventRecorder, LeaderElector, SharedInformerFactory
from tugboat.client.healthserver import HealthServer
from tugboat.controller.clusterroleaggregation import ClusterRoleAggregationController
from tugboat.controller.context import ControllerContext
from tugboat.controller.cronjob import CronJobController
from tugboat.controller.daemonset import DaemonSetController
from tugboat.controller.deployment import DeploymentController
from tugboat.controller.disruption import DisruptionController
from tugboat.controller.endpoints import EndpointsController
from tugboat.controller.endpointslice import EndpointSliceController
from tugboat.controller.garbagecollector import GarbageCollector
from tugboat.controller.job import JobController
from tugboat.controller.metrics import ControllerMetrics
from tugboat.controller.namespace import NamespaceController
from tugboat.controller.nodelifecycle import NodeLifecycleController
from tugboat.controller.options import ManagerOptions
from tugboat.controller.podautoscaler import HorizontalPodAutoscalerController
from tugboat.controller.podgc import PodGCController
from tugboat.controller.reconciling import Controller
from tugboat.controller.replicaset import ReplicaSetController
from tugboat.controller.replicationcontroller import ReplicationControllerController
from tugboat.controller.resourcequota import ResourceQuotaController
from tugboat.controller.rootcacertpublisher import RootCACertPublisher
from tugboat.controller.serviceaccounts import ServiceAccountsController
from tugboat.controller.serving import health_routes
from tugboat.controller.statefulset import StatefulSetController
from tugboat.controller.ttlafterfinished import TTLAfterFinishedController

log = logging.getLogger(__name__)

LEASE_NAME = "kube-controller-manager"
COMPONENT = "controller-manager"

CONTROLLERS: dict[str, Callable[[ControllerContext], Controller]] = {
    "replicationcontroller": ReplicationControllerController,
    "replicaset": ReplicaSetController,
    "deployment": DeploymentController,
    "job": JobController,
    "cronjob": CronJobController,
    "ttl-after-finished": TTLAfterFinishedController,
    "daemonset": DaemonSetController,
    "statefulset": StatefulSetController,
    "nodelifecycle": NodeLifecycleController,
    "endpoints": EndpointsController,
    "endpointslice": EndpointSliceController,
    "garbagecollector": GarbageCollector,
    "namespace": NamespaceController,
    "horizontalpodautoscaling": HorizontalPodAutoscalerController,
    "serviceaccount": ServiceAccountsController,
    "root-ca-cert-publisher": RootCACertPublisher,
    "clusterrole-aggregation": ClusterRoleAggregationController,
    "podgc": PodGCController,
    "resourcequota": ResourceQuotaController,
    "disruption": DisruptionController,
}


class ControllerManager:
    def __init__(self, opts: ManagerOptions, client: ApiClient):
        self.opts = opts
        self.client = client
        self.identity = f"{socket.gethostname()}_{uuid.uuid4()}"
        self.metrics = ControllerMetrics()
        self.elector: LeaderElector | None = None
        self.leading = False

    async def run(self, stop: asyncio.Event) -> int:
        """Until `stop` is set (0) or leadership is lost (1)."""
        server = await self._serve()
        tasks: list[asyncio.Task[None]] = []
        try:
            if self.opts.leader_elect:
                self.elector = self._elector()
                tasks.append(asyncio.create_task(self.elector.run(), name="leader-election"))
                await _wait_any(stop, self.elector.started_leading, tasks[0])
                if stop.is_set() or not self.elector.started_leading.is_set():
                    return 0 if stop.is_set() else 1
            self.leading = True
            self.metrics.leader.labels(LEASE_NAME).set(1)
            tasks.append(asyncio.create_task(self._run_controllers(), name="controllers"))
            await _wait_any(stop, *tasks)
            if stop.is_set():
                return 0
            log.error("leadership lost or controllers stopped; exiting")
            return 1
        finally:
            for task in reversed(tasks):  # controllers first, then release the Lease
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if server is not None:
                await server.stop()

    def _elector(self) -> LeaderElector:
        return LeaderElector(self.client, LEASE_NAME, identity=self.identity,
                             namespace="kube-system", lease_duration=self.opts.lease_duration,
                             renew_deadline=self.opts.renew_deadline,
                             retry_period=self.opts.retry_period)

    async def _run_controllers(self) -> None:
        factory = SharedInformerFactory(self.client,
                                        resync_period=self.opts.controller.resync_period)
        recorder = EventRecorder(self.client, COMPONENT, socket.gethostname())
        ctx = ControllerContext(self.client, factory, recorder, self.opts.controller,
                                self.metrics)
        controllers = [CONTROLLERS[name](ctx) for name in self.opts.controller.controllers]
        log.info("starting controllers: %s", ", ".join(c.name for c in controllers))
        factory.start()
        try:
            await asyncio.gather(*(c.run() for c in controllers))
        finally:
            await factory.stop()

    async def _serve(self) -> HealthServer | None:
        if not self.opts.port:
            return None
        server = HealthServer(self.opts.bind_address, self.opts.port, health_routes(
            lambda: self.leading or not self.opts.leader_elect, self.metrics.render))
        await server.start()
        return server


async def _wait_any(*waitables: asyncio.Event | asyncio.Task[None]) -> None:
    """Return once any event is set or any task has ended."""
    own = [asyncio.ensure_future(w.wait()) for w in waitables if isinstance(w, asyncio.Event)]
    tasks = [w for w in waitables if not isinstance(w, asyncio.Event)]
    try:
        await asyncio.wait([*own, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in own:
            w.cancel()
