"""Service environment variables (pkg/kubelet/envvars), the discovery that predates
cluster DNS: for a Service `web-db` with ClusterIP 10.96.0.7 and port 5432 named `pg`,

    WEB_DB_SERVICE_HOST=10.96.0.7          WEB_DB_SERVICE_PORT=5432
    WEB_DB_SERVICE_PORT_PG=5432            WEB_DB_PORT=tcp://10.96.0.7:5432
    WEB_DB_PORT_5432_TCP=tcp://10.96.0.7:5432
    WEB_DB_PORT_5432_TCP_PROTO=tcp  ..._PORT=5432  ..._ADDR=10.96.0.7

— the second half in the format of Docker's container links, which programs written for
links read. Which Services a pod gets is serviceenv.py's business; this is the format."""

from __future__ import annotations

from tugboat.api.service import Service, ServicePort


def has_cluster_ip(service: Service) -> bool:
    """A Service with a virtual IP: not headless ("None") and not ExternalName (empty)."""
    ip = service.spec.clusterIP
    return bool(ip) and ip != "None"


def variable_name(name: str) -> str:
    return name.upper().replace("-", "_")


def _host_port(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _link_variables(prefix: str, ip: str, ports: list[ServicePort]) -> dict[str, str]:
    env: dict[str, str] = {}
    for i, sp in enumerate(ports):
        proto = (sp.protocol or "TCP").upper()
        url = f"{proto.lower()}://{_host_port(ip, sp.port)}"
        if i == 0:  # Docker names the first port's URL alone
            env[f"{prefix}_PORT"] = url
        port_prefix = f"{prefix}_PORT_{sp.port}_{proto}"
        env[port_prefix] = url
        env[f"{port_prefix}_PROTO"] = proto.lower()
        env[f"{port_prefix}_PORT"] = str(sp.port)
        env[f"{port_prefix}_ADDR"] = ip
    return env


def from_service(service: Service) -> dict[str, str]:
    """One Service's variables; none for a Service without a ClusterIP or ports."""
    ports = service.spec.ports or []
    if not has_cluster_ip(service) or not ports:
        return {}
    ip = service.spec.clusterIP or ""
    prefix = variable_name(service.metadata.name or "")
    env = {f"{prefix}_SERVICE_HOST": ip, f"{prefix}_SERVICE_PORT": str(ports[0].port)}
    for sp in ports:  # only the first port may be unnamed
        if sp.name:
            env[f"{prefix}_SERVICE_PORT_{variable_name(sp.name)}"] = str(sp.port)
    env.update(_link_variables(prefix, ip, ports))
    return env


def from_services(services: list[Service]) -> dict[str, str]:
    env: dict[str, str] = {}
    for service in services:
        env.update(from_service(service))
    return env
