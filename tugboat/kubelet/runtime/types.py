"""The values that cross the Runtime interface: what the kubelet asks a runtime to run
(SandboxConfig, ContainerConfig) and what it reads back (RuntimeContainer, ExecResult,
RuntimeEvent, ContainerStats). Plain dataclasses, so the pod worker, the prober and the
server never see a Docker type, and the fake runtime builds the same values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

SANDBOX_NAME = "POD"  # the sandbox's container name: upper case, so no pod container has it


class State(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    EXITED = "exited"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PodRef:
    """Which pod a container belongs to, on which node, and where the pod came from
    ("api", or "file" for a static pod): its labels."""

    uid: str
    name: str
    namespace: str
    node: str
    source: str = "api"


@dataclass
class RuntimeContainer:
    """One container (or sandbox) as the runtime reports it. Times are epoch seconds."""

    id: str
    pod: PodRef
    name: str
    attempt: int
    state: State
    image: str = ""
    image_id: str = ""
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    oom_killed: bool = False
    error: str = ""
    ip: str | None = None  # sandboxes only

    @property
    def is_sandbox(self) -> bool:
        return self.name == SANDBOX_NAME

    @property
    def running(self) -> bool:
        return self.state == State.RUNNING


@dataclass(frozen=True)
class PortMapping:
    container_port: int
    host_port: int | None = None
    protocol: str = "TCP"
    host_ip: str | None = None


@dataclass(frozen=True)
class Mount:
    host_path: str
    container_path: str
    read_only: bool = False


SECCOMP_UNCONFINED = "unconfined"
SECCOMP_RUNTIME_DEFAULT = "runtime/default"


@dataclass(frozen=True)
class SecurityConfig:
    """A container's security settings, resolved from the pod's and the container's
    securityContext. `seccomp` is "unconfined", "runtime/default" (the engine's own
    profile), or a profile's JSON text (Kubernetes' Localhost type)."""

    seccomp: str = SECCOMP_UNCONFINED
    user: str | None = None  # "uid" or "uid:gid"
    group_add: tuple[int, ...] = ()
    privileged: bool = False
    read_only_rootfs: bool = False
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    no_new_privileges: bool = False


@dataclass
class SandboxConfig:
    pod: PodRef
    attempt: int
    hostname: str
    ports: list[PortMapping] = field(default_factory=list)
    share_ipc: bool = True  # only pods of several containers need a shared IPC namespace
    security: SecurityConfig = field(default_factory=SecurityConfig)
    oom_score_adj: int | None = None  # the kubelet's by QoS class (kubelet/qos.py)


@dataclass
class ContainerConfig:
    """A pod container, already translated from the v1 Container: `entrypoint` is the
    Kubernetes `command`, `cmd` its `args` (None: the image's own)."""

    pod: PodRef
    name: str
    attempt: int
    image: str
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    mounts: list[Mount] = field(default_factory=list)
    cpu_limit_millis: int | None = None
    cpu_request_millis: int | None = None
    memory_limit_bytes: int | None = None
    tty: bool = False
    stdin: bool = False
    stdin_once: bool = False  # an attach that closes its stdin closes the container's
    share_ipc: bool = True  # join the sandbox's IPC namespace (pods of several containers)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    pid_target: str | None = None  # an ephemeral container's target: share its PID namespace
    oom_score_adj: int | None = None  # the kubelet's by QoS class (kubelet/qos.py)


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None  # None when the command overran its timeout (and was killed)
    output: bytes = b""
    timed_out: bool = False


@dataclass(frozen=True)
class RuntimeEvent:
    """Something happened to one of the node's containers (Docker's event stream)."""

    pod_uid: str
    container_id: str
    action: str  # die, oom, destroy, start...


@dataclass(frozen=True)
class ContainerStats:
    container_id: str
    timestamp: float
    cpu_usage_nanoseconds: int  # cumulative CPU time
    cpu_usage_nanocores: int  # the current rate
    memory_usage_bytes: int
    memory_working_set_bytes: int


class RuntimeUnavailable(Exception):
    """The runtime cannot be reached (Docker is down): the node is NotReady meanwhile."""


class RuntimeFailure(Exception):
    """The runtime refused an operation (bad config, name conflict, start failure)."""


class NotFoundError(RuntimeFailure):
    """No such container or image."""


class ImagePullError(RuntimeFailure):
    """The image could not be pulled."""
