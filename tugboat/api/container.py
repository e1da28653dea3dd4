"""core/v1 Container and the types only a container uses: ports, env, resources, volume
mounts, probes and lifecycle hooks. Split from pod.py to keep each module small; core.py
re-exports everything.
"""

from __future__ import annotations

from tugboat.api.fieldtypes import Int32, Int64, IntOrString, ResourceList
from tugboat.api.meta import K8sModel, PassThrough
from tugboat.api.security import SecurityContext


class ContainerPort(K8sModel):
    containerPort: Int32
    name: str | None = None
    hostPort: Int32 | None = None
    protocol: str | None = None
    hostIP: str | None = None


class ConfigMapKeySelector(K8sModel):
    key: str
    name: str | None = None
    optional: bool | None = None


class SecretKeySelector(K8sModel):
    key: str
    name: str | None = None
    optional: bool | None = None


class ObjectFieldSelector(K8sModel):
    fieldPath: str
    apiVersion: str | None = None


class ResourceFieldSelector(K8sModel):
    resource: str
    containerName: str | None = None
    divisor: str | None = None


class EnvVarSource(K8sModel):
    fieldRef: ObjectFieldSelector | None = None
    resourceFieldRef: ResourceFieldSelector | None = None
    configMapKeyRef: ConfigMapKeySelector | None = None
    secretKeyRef: SecretKeySelector | None = None


class EnvVar(K8sModel):
    name: str
    value: str | None = None
    valueFrom: EnvVarSource | None = None


class ConfigMapEnvSource(K8sModel):
    name: str | None = None
    optional: bool | None = None


class SecretEnvSource(K8sModel):
    name: str | None = None
    optional: bool | None = None


class EnvFromSource(K8sModel):
    prefix: str | None = None
    configMapRef: ConfigMapEnvSource | None = None
    secretRef: SecretEnvSource | None = None


class ResourceClaim(PassThrough):
    name: str


class ResourceRequirements(K8sModel):
    limits: ResourceList | None = None
    requests: ResourceList | None = None
    claims: list[ResourceClaim] | None = None


class VolumeMount(K8sModel):
    name: str
    mountPath: str
    readOnly: bool | None = None
    subPath: str | None = None
    subPathExpr: str | None = None
    mountPropagation: str | None = None
    recursiveReadOnly: str | None = None


class ExecAction(K8sModel):
    command: list[str] | None = None


class HTTPHeader(K8sModel):
    name: str
    value: str


class HTTPGetAction(K8sModel):
    port: IntOrString
    path: str | None = None
    host: str | None = None
    scheme: str | None = None
    httpHeaders: list[HTTPHeader] | None = None


class TCPSocketAction(K8sModel):
    port: IntOrString
    host: str | None = None


class GRPCAction(K8sModel):
    port: Int32
    service: str | None = None


class SleepAction(K8sModel):
    seconds: Int64


class Probe(K8sModel):
    exec: ExecAction | None = None
    httpGet: HTTPGetAction | None = None
    tcpSocket: TCPSocketAction | None = None
    grpc: GRPCAction | None = None
    initialDelaySeconds: Int32 | None = None
    timeoutSeconds: Int32 | None = None
    periodSeconds: Int32 | None = None
    successThreshold: Int32 | None = None
    failureThreshold: Int32 | None = None
    terminationGracePeriodSeconds: Int64 | None = None


class LifecycleHandler(K8sModel):
    exec: ExecAction | None = None
    httpGet: HTTPGetAction | None = None
    tcpSocket: TCPSocketAction | None = None
    sleep: SleepAction | None = None


class Lifecycle(K8sModel):
    postStart: LifecycleHandler | None = None
    preStop: LifecycleHandler | None = None


class Container(K8sModel):
    name: str
    image: str | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    workingDir: str | None = None
    ports: list[ContainerPort] | None = None
    env: list[EnvVar] | None = None
    envFrom: list[EnvFromSource] | None = None
    resources: ResourceRequirements | None = None
    restartPolicy: str | None = None  # only "Always", on init containers (sidecars)
    volumeMounts: list[VolumeMount] | None = None
    livenessProbe: Probe | None = None
    readinessProbe: Probe | None = None
    startupProbe: Probe | None = None
    lifecycle: Lifecycle | None = None
    terminationMessagePath: str | None = None
    terminationMessagePolicy: str | None = None
    imagePullPolicy: str | None = None
    securityContext: SecurityContext | None = None
    stdin: bool | None = None
    stdinOnce: bool | None = None
    tty: bool | None = None
