"""The service generators (clusterip, nodeport, loadbalancer, externalname): `--tcp=
port[:targetPort]` ports named after the spec, and the `app: NAME` label and selector
kubectl gives every one of them."""

from __future__ import annotations

import re

from tugboat.cli.generators import GeneratorError, Obj, metadata

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _port(text: str) -> int:
    """kubectl parses the port as a 16-bit unsigned number (strconv.ParseUint)."""
    if not text.isdigit():
        raise GeneratorError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    if int(text) > 65535:
        raise GeneratorError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


def _target(text: str) -> int | str:
    """A number (a valid port) or a port's name."""
    if text.isdigit():
        if not 0 < int(text) < 65536:
            raise GeneratorError("must be between 1 and 65535, inclusive")
        return int(text)
    return text


def _ports(tcp: list[str], node_port: int) -> list[Obj]:
    out = []
    for spec in tcp:
        port, _, target = spec.partition(":")
        entry: Obj = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": _port(port),
                      "targetPort": _target(target or port)}
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
