"""The service generators (clusterip, nodeport, loadbalancer, externalname): `--tcp=
port[:targetPort]` ports named after the spec, and the `app: NAME` label and selector
kubectl gives every one of them."""

from __future__ import annotations

import re

from tugboat.cli.generators import GeneratorError, Obj, metadata

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise GeneratorError(f'strconv.Atoi: parsing "{text}": invalid syntax') from None
    if not 0 < value < 65536:
        raise GeneratorError(f"{value} is not a valid port number")
    return value


def _ports(tcp: list[str], node_port: int) -> list[Obj]:
    out = []
    for spec in tcp:
        port, _, target = spec.partition(":")
        target_port: int | str = int(target) if target.isdigit() else (target or port)
        if isinstance(target_port, str) and target_port.isdigit():
            target_port = int(target_port)
        entry: Obj = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": _port(port),
                      "targetPort": target_port}
        if node_port:
            entry["nodePort"] = node_port
        out.append(entry)
    return out


def service(name: str, type_: str, tcp: list[str], cluster_ip: str = "",
            node_port: int = 0, external_name: str = "") -> Obj:
    if type_ == "ClusterIP" and not tcp and cluster_ip != "None":
        raise GeneratorError("at least one tcp port specifier must be provided")
    if type_ in ("NodePort", "LoadBalancer") and not tcp:
        raise GeneratorError("at least one tcp port specifier must be provided")
    if type_ == "ExternalName":
        if not external_name:
            raise GeneratorError('required flag(s) "external-name" not set')
        if len(external_name) > 253 or not DNS1123_SUBDOMAIN.match(external_name):
            raise GeneratorError(f"invalid service external name {external_name}")
    spec: Obj = {}
    ports = _ports(tcp, node_port)
    if ports:
        spec["ports"] = ports
    spec["selector"] = {"app": name}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = type_
    if external_name:
        spec["externalName"] = external_name
    return {"kind": "Service", "apiVersion": "v1", "metadata": metadata(name, {"app": name}),
            "spec": spec, "status": {"loadBalancer": {}}}
