"""The DNS index: what informer events leave it holding.

(No __init__.py in this folder: as a package it would be imported as `dns` and hide
dnspython; its test modules carry a dns_ prefix to stay unique on their own.)
"""

from __future__ import annotations

from tests.unit.dns.objects import endpoint, endpoint_slice, index_of, namespace, service
from tugboat.dns.index import EndpointRecord, endpoint_hostname


def test_ready_endpoints_skip_unready_and_count_nil_as_ready():
    index = index_of(endpoint_slice("web", [endpoint("10.0.0.1"), endpoint("10.0.0.2", ready=False),
                                            endpoint("10.0.0.3", ready=None)]))
    assert [ep.address for ep in index.ready_endpoints("default", "web")] == [
        "10.0.0.1", "10.0.0.3"]


def test_an_address_in_two_slices_is_listed_once():
    index = index_of(endpoint_slice("web", [endpoint("10.0.0.1")], name="a"),
                     endpoint_slice("web", [endpoint("10.0.0.1"), endpoint("10.0.0.2")], name="b"))
    assert sorted(ep.address for ep in index.ready_endpoints("default", "web")) == [
        "10.0.0.1", "10.0.0.2"]


def test_deleting_the_last_slice_forgets_the_endpoints():
    eps = endpoint_slice("web", [endpoint("10.0.0.1")])
    index = index_of(eps)
    index.delete_slice(eps)
    assert index.ready_endpoints("default", "web") == []


def test_slices_without_the_service_label_are_ignored():
    eps = endpoint_slice("web", [endpoint("10.0.0.1")])
    eps.metadata.labels = {}
    assert index_of(eps).ready_endpoints("default", "web") == []


def test_endpoint_hostnames_default_to_the_dashed_address():
    assert endpoint_hostname("10.1.2.3", None) == "10-1-2-3"
    assert endpoint_hostname("fd00::1", None) == "fd00--1"
    assert endpoint_hostname("10.1.2.3", "db-0") == "db-0"
    index = index_of(endpoint_slice("db", [endpoint("10.1.2.3", hostname="db-0")]))
    assert index.ready_endpoints("default", "db") == [EndpointRecord("10.1.2.3", "db-0")]


def test_reverse_knows_cluster_ips_and_headless_endpoints_and_follows_changes():
    headless = service("db", cluster_ip="None")
    index = index_of(service("web", cluster_ip="10.96.0.10"), headless,
                     endpoint_slice("db", [endpoint("10.1.0.5", hostname="db-0")]),
                     endpoint_slice("web", [endpoint("10.1.0.9")]))
    assert index.reverse("10.96.0.10") == [(None, "web", "default")]
    assert index.reverse("10.1.0.5") == [("db-0", "db", "default")]
    assert index.reverse("10.1.0.9") == []  # behind a ClusterIP, the pod has no name
    index.delete_service(headless)
    assert index.reverse("10.1.0.5") == []


def test_namespaces_exist_when_listed_or_holding_a_service():
    index = index_of(namespace("empty"), service("web", "apps"))
    assert index.has_namespace("empty") and index.has_namespace("apps")
    assert not index.has_namespace("nowhere")


def test_every_change_moves_the_soa_serial_forward():
    index = index_of()
    before = index.modified
    index.set_service(service("web"))
    assert index.modified > before
