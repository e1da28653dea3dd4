"""A container's environment as the kubelet assembles it (makeEnvironmentVariables): what
the program inside actually sees, so it has to match Kubernetes key for key.

In order, later winning:
1. `envFrom` sources, in the order listed — every key of a ConfigMap's `data` or a
   Secret's (decoded) `data`, behind the source's `prefix`. A key that is not a valid
   environment variable name is skipped, and the pod gets one InvalidEnvironmentVariableNames
   event per source naming them.
2. `env`, in order: a `value` with its `$(VAR)` references expanded (expansion.py) from
   what is defined so far and then the service variables; or a `valueFrom` — fieldRef,
   resourceFieldRef (a missing limit reads as the node's allocatable, as the downward API
   defines it), configMapKeyRef, secretKeyRef.
3. the service variables (serviceenv.py) underneath: only the names 1 and 2 left unset.

A missing ConfigMap, Secret or key stops the container with CreateContainerConfigError and
Kubernetes' own message (`configmap "x" not found`, `couldn't find key k in ConfigMap
ns/x`) unless the reference is `optional`, when it is skipped. The kubelet reads the
objects with its node identity; the Node authorizer lets it read exactly those the pods
bound to it reference, env and envFrom included."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

from tugboat.api.core import Container, EnvFromSource, EnvVar, Pod, ResourceRequirements
from tugboat.client import ClientError, NotFound
from tugboat.kubelet.containerspec import field_value, resource_value
from tugboat.kubelet.expansion import expand
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure

ObjectGetter = Callable[[str, str, str], Awaitable[Any]]  # (resource, name, namespace)
Recorder = Callable[[Pod, str, str, str], None]  # pod, type, reason, message

_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_DEFAULTED_LIMITS = ("cpu", "memory", "ephemeral-storage")
SUPPORTED_RESOURCES = frozenset(f"{kind}.{name}" for kind in ("limits", "requests")
                                for name in _DEFAULTED_LIMITS)


class _Kind(NamedTuple):
    """A source kind and how Kubernetes' messages name it."""

    resource: str
    not_found: str  # configmap "x" not found
    key_owner: str  # couldn't find key k in ConfigMap ns/x
    env_from: str  # Keys [...] from the EnvFrom configMap ns/x were skipped


_CONFIG_MAP = _Kind("configmaps", "configmap", "ConfigMap", "configMap")
_SECRET = _Kind("secrets", "secret", "Secret", "secret")


def is_env_var_name(name: str) -> bool:
    """Kubernetes' IsEnvVarName: C-like names plus '-' and '.', never '.', '..' or '..x'."""
    return bool(_ENV_VAR_NAME.fullmatch(name)) and not name.startswith("..") and name != "."


def _decode(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return value


class _Objects:
    """The ConfigMaps and Secrets one container's environment reads, each fetched once."""

    def __init__(self, get: ObjectGetter, namespace: str):
        self._get, self.namespace = get, namespace
        self._seen: dict[tuple[str, str], dict[str, str] | None] = {}

    async def data(self, kind: _Kind, name: str, optional: bool
                   ) -> dict[str, str] | None:
        """The object's data (a Secret's decoded); None when it is missing and optional."""
        resource = kind.resource
        if (resource, name) not in self._seen:
            try:
                obj = await self._get(resource, name, self.namespace)
            except NotFound:
                self._seen[resource, name] = None
            except ClientError as e:
                raise StartFailure(CREATE_CONFIG_ERROR, getattr(e, "message", "") or str(e)) \
                    from e
            else:
                data = dict(obj.get("data") or {})
                self._seen[resource, name] = ({k: _decode(v) for k, v in data.items()}
                                              if resource == "secrets" else data)
        data = self._seen[resource, name]
        if data is None and not optional:
            raise StartFailure(CREATE_CONFIG_ERROR, f'{kind.not_found} "{name}" not found')
        return data

    async def key(self, kind: _Kind, name: str, key: str, optional: bool
                  ) -> str | None:
        data = await self.data(kind, name, optional)
        if data is None:
            return None
        if key not in data:
            if optional:
                return None
            raise StartFailure(CREATE_CONFIG_ERROR, f"couldn't find key {key} in {kind.key_owner} "
                                                    f"{self.namespace}/{name}")
        return data[key]


class ContainerEnvironment:
    """`get` reads an API object (the kubelet's client), `allocatable` is the node's
    allocatable resources (read only when a resourceFieldRef needs a missing limit)."""

    def __init__(self, get: ObjectGetter, allocatable: Callable[[], Mapping[str, str]],
                 record: Recorder):
        self._get, self._allocatable, self._record = get, allocatable, record

    async def make(self, pod: Pod, spec: Container, pod_ip: str | None, host_ip: str,
                   service_env: Mapping[str, str]) -> dict[str, str]:
        """The container's final environment; StartFailure (CreateContainerConfigError)
        when a source it needs is missing."""
        objects = _Objects(self._get, pod.metadata.namespace or "default")
        env: dict[str, str] = {}
        for source in spec.envFrom or ():
            await self._add_source(pod, source, objects, env)
        for var in spec.env or ():
            value = await self._value(pod, spec, var, objects, env, service_env, pod_ip,
                                      host_ip)
            if value is not None:
                env[var.name] = value
        return env | {k: v for k, v in service_env.items() if k not in env}

    async def _add_source(self, pod: Pod, source: EnvFromSource, objects: _Objects,
                          env: dict[str, str]) -> None:
        ref = source.configMapRef or source.secretRef
        if ref is None:
            return
        kind = _CONFIG_MAP if source.configMapRef is not None else _SECRET
        data = await objects.data(kind, ref.name or "", bool(ref.optional))
        invalid = []
        for key, value in sorted((data or {}).items()):
            name = (source.prefix or "") + key
            if is_env_var_name(name):
                env[name] = value
            else:
                invalid.append(name)
        if invalid:
            self._record(pod, "Warning", "InvalidEnvironmentVariableNames",
                         f"Keys [{', '.join(invalid)}] from the EnvFrom {kind.env_from} "
                         f"{objects.namespace}/{ref.name} were skipped since they are "
                         "considered invalid environment variable names.")

    async def _value(self, pod: Pod, spec: Container, var: EnvVar, objects: _Objects,
                     env: dict[str, str], service_env: Mapping[str, str],
                     pod_ip: str | None, host_ip: str) -> str | None:
        """One variable's value; None when an optional source is missing (then unset)."""
        src = var.valueFrom
        if var.value or src is None:
            return expand(var.value or "", env, service_env)
        if src.fieldRef is not None:
            return field_value(pod, src.fieldRef.fieldPath, pod_ip, host_ip)
        if src.resourceFieldRef is not None:
            ref = src.resourceFieldRef
            if ref.resource not in SUPPORTED_RESOURCES:
                raise StartFailure(CREATE_CONFIG_ERROR,
                                   f"unsupported container resource : {ref.resource}")
            return resource_value(self._with_default_limits(spec), ref.resource, ref.divisor)
        if src.configMapKeyRef is not None:
            ref_ = src.configMapKeyRef
            return await objects.key(_CONFIG_MAP, ref_.name or "", ref_.key, bool(ref_.optional))
        if src.secretKeyRef is not None:
            ref_s = src.secretKeyRef
            return await objects.key(_SECRET, ref_s.name or "", ref_s.key, bool(ref_s.optional))
        return ""

    def _with_default_limits(self, spec: Container) -> Container:
        """The downward API's view of a container: a limit not set is the node's
        allocatable amount (the most the container could get)."""
        res = spec.resources or ResourceRequirements()
        limits = dict(res.limits or {})
        missing = [name for name in _DEFAULTED_LIMITS if name not in limits]
        if not missing:
            return spec
        allocatable = self._allocatable()
        limits |= {name: allocatable[name] for name in missing if name in allocatable}
        return spec.model_copy(update={"resources": res.model_copy(update={"limits": limits})})
