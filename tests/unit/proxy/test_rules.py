"""The iptables-restore text for each kind of Service port (kube-proxy's iptables mode)."""

from __future__ import annotations

import re

from tugboat.proxy import chains
from tugboat.proxy.rules import proxy_chains, proxy_rules, restore_text
from tugboat.proxy.serviceports import EndpointInfo, ServicePortInfo

NAME = "default/web:http"
SVC = chains.service_chain(NAME, "tcp")
SVL = chains.local_chain(NAME, "tcp")
EXT = chains.external_chain(NAME, "tcp")


def sep(address: str) -> str:
    return chains.endpoint_chain(NAME, "tcp", address)


def port(*endpoints: EndpointInfo, **kw: object) -> ServicePortInfo:
    return ServicePortInfo(namespace="default", name="web", port_name="http", protocol="tcp",
                           cluster_ip="10.96.0.10", port=80, endpoints=endpoints, **kw)  # type: ignore[arg-type]


def ready(ip: str, node: str = "n1") -> EndpointInfo:
    return EndpointInfo(ip, 8080, node)


def rules(*ports: ServicePortInfo, **kw: object) -> str:
    return proxy_rules(list(ports), node_name="n1", **kw)  # type: ignore[arg-type]


def table(text: str, name: str) -> list[str]:
    return text.split(f"*{name}\n", 1)[1].split("COMMIT", 1)[0].splitlines()


def chain(text: str, name: str, tbl: str = "nat") -> list[str]:
    return [line for line in table(text, tbl) if line.startswith(f"-A {name} ")]


def test_the_text_is_two_atomic_tables_with_the_base_chains() -> None:
    text = rules()
    assert re.fullmatch(r"\*filter\n(.*\n)*COMMIT\n\*nat\n(.*\n)*COMMIT\n", text)
    for name in ("TUG-SERVICES", "TUG-NODEPORTS", "TUG-POSTROUTING", "TUG-MARK-MASQ"):
        assert f":{name} - [0:0]" in table(text, "nat")
    assert chain(text, "TUG-POSTROUTING") == [
        "-A TUG-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
        "-A TUG-POSTROUTING -j MARK --xor-mark 0x4000",
        '-A TUG-POSTROUTING -m comment --comment "tugboat service traffic requiring SNAT" '
        "-j MASQUERADE --random-fully"]
    # NodePorts are matched last, on local addresses but not loopback.
    assert chain(text, "TUG-SERVICES")[-1].endswith(
        "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j TUG-NODEPORTS")


def test_cluster_ip_spreads_evenly_over_ready_endpoints() -> None:
    text = rules(port(ready("10.244.0.2"), ready("10.244.0.3"), ready("10.244.0.4")))
    assert chain(text, "TUG-SERVICES")[0] == (
        f'-A TUG-SERVICES -m comment --comment "{NAME} cluster IP" -d 10.96.0.10/32 -p tcp '
        f"-m tcp --dport 80 -j {SVC}")
    a, b, c = sep("10.244.0.2:8080"), sep("10.244.0.3:8080"), sep("10.244.0.4:8080")
    assert chain(text, SVC) == [
        f'-A {SVC} -m comment --comment "{NAME} -> 10.244.0.2:8080" -m statistic --mode '
        f"random --probability 0.3333333333 -j {a}",
        f'-A {SVC} -m comment --comment "{NAME} -> 10.244.0.3:8080" -m statistic --mode '
        f"random --probability 0.5000000000 -j {b}",
        f'-A {SVC} -m comment --comment "{NAME} -> 10.244.0.4:8080" -j {c}']
    assert chain(text, a) == [
        f"-A {a} -m comment --comment {NAME} -s 10.244.0.2/32 -j TUG-MARK-MASQ",
        f"-A {a} -m comment --comment {NAME} -p tcp -m tcp -j DNAT --to-destination "
        "10.244.0.2:8080"]
    assert not any("REJECT" in line for line in table(text, "filter"))


def test_unready_endpoints_get_no_rule() -> None:
    text = rules(port(ready("10.244.0.2"), EndpointInfo("10.244.0.3", 8080, "n1",
                                                        ready=False, serving=False)))
    assert chain(text, SVC) == [
        f'-A {SVC} -m comment --comment "{NAME} -> 10.244.0.2:8080" -j '
        f'{sep("10.244.0.2:8080")}']
    assert sep("10.244.0.3:8080") not in text


def test_terminating_but_serving_endpoints_are_the_fallback_when_none_is_ready() -> None:
    draining = EndpointInfo("10.244.0.3", 8080, "n1", ready=False, serving=True,
                            terminating=True)
    gone = EndpointInfo("10.244.0.4", 8080, "n1", ready=False, serving=False,
                        terminating=True)
    text = rules(port(draining, gone))
    assert [line.split(" -j ")[1] for line in chain(text, SVC)] == [sep("10.244.0.3:8080")]
    text = rules(port(draining, ready("10.244.0.2")))  # a ready one wins
    assert [line.split(" -j ")[1] for line in chain(text, SVC)] == [sep("10.244.0.2:8080")]


def test_no_endpoints_rejects_in_the_filter_table() -> None:
    text = rules(port())
    assert chain(text, "TUG-SERVICES", "filter") == [
        f'-A TUG-SERVICES -m comment --comment "{NAME} has no endpoints" -d 10.96.0.10/32 '
        "-p tcp -m tcp --dport 80 -j REJECT"]
    assert SVC not in text
    assert len(chain(text, "TUG-SERVICES")) == 1  # only the NodePorts jump


def test_node_port_masquerades_and_jumps_to_the_service_chain() -> None:
    text = rules(port(ready("10.244.0.2"), node_port=30080))
    assert chain(text, "TUG-NODEPORTS") == [
        f"-A TUG-NODEPORTS -m comment --comment {NAME} -p tcp -m tcp --dport 30080 -j {EXT}"]
    assert chain(text, EXT) == [
        f'-A {EXT} -m comment --comment "masquerade traffic for {NAME} external '
        'destinations" -j TUG-MARK-MASQ', f"-A {EXT} -j {SVC}"]


def test_node_port_without_endpoints_is_rejected_on_local_addresses() -> None:
    text = rules(port(node_port=30080))
    assert f'-A TUG-EXTERNAL-SERVICES -m comment --comment "{NAME} has no endpoints" -m ' \
        "addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT" in \
        table(text, "filter")
    assert chain(text, "TUG-NODEPORTS") == []


def test_node_port_addresses_replace_dst_type_local() -> None:
    text = rules(port(ready("10.244.0.2"), node_port=30080), node_ips=["192.0.2.7"])
    assert chain(text, "TUG-SERVICES")[-1] == (
        '-A TUG-SERVICES -m comment --comment "tugboat service nodeports" -d 192.0.2.7/32 '
        "-j TUG-NODEPORTS")


def test_client_ip_affinity_checks_recent_before_the_random_choice() -> None:
    a, b = sep("10.244.0.2:8080"), sep("10.244.0.3:8080")
    text = rules(port(ready("10.244.0.2"), ready("10.244.0.3"), affinity_timeout=60))
    svc = chain(text, SVC)
    assert svc[0] == (f'-A {SVC} -m comment --comment "{NAME} -> 10.244.0.2:8080" -m recent '
                      f"--name {a} --rcheck --seconds 60 --reap -j {a}")
    assert f"--name {b} --rcheck --seconds 60 --reap -j {b}" in svc[1]
    assert "statistic" in svc[2] and svc[3].endswith(f"-j {b}")
    assert chain(text, a)[1] == (f"-A {a} -m comment --comment {NAME} -m recent --name {a} "
                                 "--set -p tcp -m tcp -j DNAT --to-destination "
                                 "10.244.0.2:8080")


def test_internal_traffic_policy_local_uses_only_this_nodes_endpoints() -> None:
    text = rules(port(ready("10.244.0.2", "n1"), ready("10.244.1.2", "n2"),
                      internal_local=True))
    assert chain(text, "TUG-SERVICES")[0].endswith(f"-j {SVL}")
    assert [line.split(" -j ")[1] for line in chain(text, SVL)] == [sep("10.244.0.2:8080")]
    assert SVC not in text
    # Only endpoints on other nodes: this node drops (kube-proxy's "has no local
    # endpoints"); REJECT is for a Service with no endpoints anywhere.
    text = rules(port(ready("10.244.1.2", "n2"), internal_local=True))
    assert chain(text, "TUG-SERVICES", "filter") == [
        f'-A TUG-SERVICES -m comment --comment "{NAME} has no local endpoints" '
        "-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DROP"]
    text = rules(port(internal_local=True))
    assert chain(text, "TUG-SERVICES", "filter")[0].endswith("--dport 80 -j REJECT")


def test_external_traffic_policy_local_keeps_the_client_address() -> None:
    text = rules(port(ready("10.244.0.2", "n1"), ready("10.244.1.2", "n2"), node_port=30080,
                      external_local=True), cluster_cidr="10.244.0.0/16")
    ext = chain(text, EXT)
    assert ext[0].endswith(f"-s 10.244.0.0/16 -j {SVC}")  # pods may use any endpoint
    assert ext[1].endswith("-m addrtype --src-type LOCAL -j TUG-MARK-MASQ")
    assert ext[2].endswith(f"-m addrtype --src-type LOCAL -j {SVC}")
    assert ext[3] == f"-A {EXT} -j {SVL}"  # outside clients: this node's endpoints only
    assert [line.split(" -j ")[1] for line in chain(text, SVL)] == [sep("10.244.0.2:8080")]
    assert len(chain(text, SVC)) == 3  # the masquerade rule and both endpoints


def test_external_traffic_policy_local_without_local_endpoints_drops() -> None:
    text = rules(port(ready("10.244.1.2", "n2"), node_port=30080, external_local=True))
    assert f'"{NAME} has no local endpoints" -m addrtype --dst-type LOCAL -p tcp -m tcp ' \
        "--dport 30080 -j DROP" in "\n".join(table(text, "filter"))
    assert chain(text, EXT)[-1].endswith(f"--src-type LOCAL -j {SVC}")


def test_cluster_cidr_masquerades_traffic_from_outside_the_pods() -> None:
    text = rules(port(ready("10.244.0.2")), cluster_cidr="10.244.0.0/16")
    assert chain(text, SVC)[0] == (
        f'-A {SVC} -m comment --comment "{NAME} cluster IP" ! -s 10.244.0.0/16 '
        "-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j TUG-MARK-MASQ")


def test_chains_no_longer_wanted_are_flushed_and_deleted() -> None:
    old = chains.service_chain("default/gone:http", "tcp")
    text = rules(port(ready("10.244.0.2")), existing_nat=[old, SVC, "TUG-SERVICES"])
    nat = table(text, "nat")
    assert f":{old} - [0:0]" in nat and nat[-1] == f"-X {old}"
    assert f"-X {SVC}" not in nat and "-X TUG-SERVICES" not in nat


def test_udp_ports_use_udp_matches() -> None:
    text = rules(ServicePortInfo("kube-system", "dns", "dns", "udp", "10.96.0.10", 53,
                                 endpoints=(ready("10.244.0.5"),)))
    assert "-p udp -m udp --dport 53" in chain(text, "TUG-SERVICES")[0]
    assert "-p udp -m udp -j DNAT --to-destination 10.244.0.5:8080" in text


def test_an_endpoints_chain_name_is_computable_from_outside() -> None:
    assert chains.chain_for_endpoint("default", "web", "http", "TCP", "10.244.0.2:8080") == \
        sep("10.244.0.2:8080")
    assert re.fullmatch(r"TUG-SEP-[A-Z2-7]{16}", sep("10.244.0.2:8080"))


def test_partial_restore_text_names_only_the_chains_that_differ() -> None:
    before = proxy_chains([port(ready("10.244.0.2"), ready("10.244.0.3"))], node_name="n1")
    after = proxy_chains([port(ready("10.244.0.2"))], node_name="n1")
    text = restore_text(after, written=before)
    gone = sep("10.244.0.3:8080")
    assert text == "\n".join([
        "*nat", f":{SVC} - [0:0]", f":{gone} - [0:0]", *after["nat"][SVC], f"-X {gone}",
        "COMMIT"]) + "\n"
    assert restore_text(after, written=after) == ""
    # Full: every chain, whatever was written before.
    assert restore_text(after) == rules(port(ready("10.244.0.2")))


def test_a_services_rules_are_the_same_value_however_they_are_reached() -> None:
    # The per-port cache must not leak one node's or one CIDR's rules into another's.
    p = port(ready("10.244.0.2", "n2"), internal_local=True)
    assert proxy_chains([p], node_name="n1") != proxy_chains([p], node_name="n2")
    assert proxy_chains([p], node_name="n2") == proxy_chains([p], node_name="n2")
