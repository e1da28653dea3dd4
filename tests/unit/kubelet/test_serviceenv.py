"""Service environment variables: Kubernetes' names and values for each port, which
Services a pod gets (its namespace's unless enableServiceLinks is false, and always
default/kubernetes), the derived KUBERNETES_* only when that Service is unknown, and the
wait for the services informer."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.service import Service
from tugboat.kubelet.envvars import from_service
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure
from tugboat.kubelet.serviceenv import ServiceEnvironment, derived_kubernetes_environment

from .conftest import make_pod


def service(name: str, namespace: str, ip: str | None, *ports: dict[str, Any],
            **spec: Any) -> Service:
    return Service.model_validate({"metadata": {"name": name, "namespace": namespace},
                                   "spec": {"clusterIP": ip, "ports": list(ports), **spec}})


KUBERNETES = service("kubernetes", "default", "10.96.0.1",
                     {"name": "https", "port": 443, "protocol": "TCP"})


def test_the_variables_of_a_service_with_two_ports() -> None:
    svc = service("web-db", "shop", "10.96.0.7", {"port": 5432, "protocol": "TCP"},
                  {"name": "metrics-http", "port": 9187, "protocol": "UDP"})
    assert from_service(svc) == {
        "WEB_DB_SERVICE_HOST": "10.96.0.7",
        "WEB_DB_SERVICE_PORT": "5432",
        "WEB_DB_SERVICE_PORT_METRICS_HTTP": "9187",
        "WEB_DB_PORT": "tcp://10.96.0.7:5432",
        "WEB_DB_PORT_5432_TCP": "tcp://10.96.0.7:5432",
        "WEB_DB_PORT_5432_TCP_PROTO": "tcp",
        "WEB_DB_PORT_5432_TCP_PORT": "5432",
        "WEB_DB_PORT_5432_TCP_ADDR": "10.96.0.7",
        "WEB_DB_PORT_9187_UDP": "udp://10.96.0.7:9187",
        "WEB_DB_PORT_9187_UDP_PROTO": "udp",
        "WEB_DB_PORT_9187_UDP_PORT": "9187",
        "WEB_DB_PORT_9187_UDP_ADDR": "10.96.0.7",
    }


def test_ipv6_addresses_are_bracketed_in_urls() -> None:
    env = from_service(service("v6", "x", "fd00::5", {"port": 80}))
    assert env["V6_PORT"] == "tcp://[fd00::5]:80" and env["V6_SERVICE_HOST"] == "fd00::5"


@pytest.mark.parametrize("svc", [
    service("headless", "shop", "None", {"port": 80}),
    service("external", "shop", None, {"port": 80}, type="ExternalName",
            externalName="db.example.com")])
def test_services_without_a_cluster_ip_have_none(svc: Service) -> None:
    assert from_service(svc) == {}


def env_for(services: list[Service], namespace: str = "shop", **spec: Any) -> dict[str, str]:
    pod = make_pod(**spec)
    pod.metadata.namespace = namespace
    fallback = derived_kubernetes_environment("https://127.0.0.1:6443", "192.168.1.20")
    return ServiceEnvironment(lambda: services, lambda: True, fallback).for_pod(pod, False)


def test_a_pod_gets_its_namespaces_services_and_the_kubernetes_service() -> None:
    web = service("web", "shop", "10.96.0.9", {"port": 80})
    other = service("cart", "elsewhere", "10.96.0.8", {"port": 80})
    env = env_for([KUBERNETES, web, other])
    assert env["WEB_SERVICE_HOST"] == "10.96.0.9"
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    assert env["KUBERNETES_SERVICE_PORT"] == "443"
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"
    assert env["KUBERNETES_PORT_443_TCP"] == "tcp://10.96.0.1:443"
    assert not any(k.startswith("CART_") for k in env)


def test_enable_service_links_false_keeps_only_the_kubernetes_service() -> None:
    web = service("web", "shop", "10.96.0.9", {"port": 80})
    env = env_for([KUBERNETES, web], enableServiceLinks=False)
    assert "WEB_SERVICE_HOST" not in env
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    in_default = env_for([KUBERNETES, service("web", "default", "10.96.0.9", {"port": 80})],
                         namespace="default", enableServiceLinks=False)
    assert set(in_default) == set(from_service(KUBERNETES))


def test_without_the_kubernetes_service_the_address_is_derived() -> None:
    env = env_for([])
    assert env["KUBERNETES_SERVICE_HOST"] == "192.168.1.20"
    assert env["KUBERNETES_PORT"] == "tcp://192.168.1.20:6443"


def test_api_pods_wait_for_the_services_informer_but_static_pods_do_not() -> None:
    waiting = ServiceEnvironment(lambda: [], lambda: False, {"KUBERNETES_SERVICE_HOST": "h"})
    with pytest.raises(StartFailure) as failure:
        waiting.for_pod(make_pod(), False)
    assert failure.value.reason == CREATE_CONFIG_ERROR
    assert failure.value.message == ("services have not yet been read at least once, "
                                     "cannot construct envvars")
    assert waiting.for_pod(make_pod(), True) == {"KUBERNETES_SERVICE_HOST": "h"}


def test_derived_kubernetes_environment() -> None:
    env = derived_kubernetes_environment("https://127.0.0.1:6443", "192.168.1.20")
    assert env == {
        "KUBERNETES_SERVICE_HOST": "192.168.1.20", "KUBERNETES_SERVICE_PORT": "6443",
        "KUBERNETES_SERVICE_PORT_HTTPS": "6443", "KUBERNETES_PORT": "tcp://192.168.1.20:6443",
        "KUBERNETES_PORT_6443_TCP": "tcp://192.168.1.20:6443",
        "KUBERNETES_PORT_6443_TCP_PROTO": "tcp", "KUBERNETES_PORT_6443_TCP_PORT": "6443",
        "KUBERNETES_PORT_6443_TCP_ADDR": "192.168.1.20"}
    assert derived_kubernetes_environment("https://10.0.0.5:6443", "192.168.1.20")[
        "KUBERNETES_SERVICE_HOST"] == "10.0.0.5"
