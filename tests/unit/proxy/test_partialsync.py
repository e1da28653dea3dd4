"""Partial syncs (kube-proxy's MinimizeIPTablesRestore): after the first, full sync the
proxier writes only the chains that changed, without reading the tables back; a failed
restore makes the next sync a full one, and the periodic full sync brings back chains
someone deleted by hand. Run against a fake packet filter that applies restore input as
iptables-restore --noflush does: atomically, refusing a jump to a missing chain."""

from __future__ import annotations

import asyncio

from tests.unit.proxy.test_proxier import FakeInformer, FakeLink
from tugboat.api.discovery import EndpointSlice
from tugboat.api.service import Service
from tugboat.proxy import chains
from tugboat.proxy.metrics import ProxyMetrics
from tugboat.proxy.proxier import Proxier, ProxierConfig


class FakeTables:
    """The TUG- chains of the filter and nat tables, changed only by restore input."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, list[str]]] = {"filter": {}, "nat": {}}
        self.saves: list[str] = []
        self.restores: list[str] = []
        self.fail_next = False

    async def save(self, table: str) -> str:
        self.saves.append(table)
        lines = [f"*{table}", *(f":{ch} - [0:0]" for ch in self.tables[table]),
                 *(r for rules in self.tables[table].values() for r in rules), "COMMIT"]
        return "\n".join(lines) + "\n"

    async def ensure_jumps(self, saved: dict[str, str]) -> None:
        pass

    async def restore(self, text: str) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("iptables-restore: line 2 failed")
        tables = {t: {ch: list(r) for ch, r in chs.items()} for t, chs in self.tables.items()}
        table: dict[str, list[str]] = {}
        for line in text.splitlines():
            if line.startswith("*"):
                table = tables[line[1:]]
            elif line.startswith(":"):
                table[line[1:].split(" ", 1)[0]] = []  # declared: created or flushed
            elif line.startswith("-A "):
                table[line.split(" ", 2)[1]].append(line)
            elif line.startswith("-X "):
                del table[line[3:]]
        for t in tables.values():  # a jump to a missing chain fails the whole restore
            for rules in t.values():
                for r in rules:
                    target = r.rsplit(" -j ", 1)[1].split(" ", 1)[0]
                    if target.startswith("TUG-") and target not in t:
                        raise RuntimeError(f"iptables-restore: Couldn't load target {target}")
        self.tables = tables
        self.restores.append(text)

    def chains(self, table: str = "nat") -> set[str]:
        return set(self.tables[table])


def service(name: str, ip: str) -> Service:
    return Service.model_validate({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"clusterIP": ip, "ports": [{"name": "http", "port": 80}]}})


def slice_(service_name: str, *ips: str) -> EndpointSlice:
    return EndpointSlice.model_validate({
        "metadata": {"name": f"{service_name}-1", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": service_name}},
        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
        "endpoints": [{"addresses": [ip]} for ip in ips]})


def svc_chain(name: str) -> str:
    return chains.service_chain(f"default/{name}:http", "tcp")


def sep_chain(name: str, ip: str) -> str:
    return chains.endpoint_chain(f"default/{name}:http", "tcp", f"{ip}:8080")


class Cluster:
    """Two Services with two endpoints each, a proxier, and a clock we move by hand."""

    def __init__(self) -> None:
        self.services, self.slices = FakeInformer(), FakeInformer()
        self.services.objects = [service("a", "10.96.0.10"), service("b", "10.96.0.11")]
        self.slices.objects = [slice_("a", "10.244.0.2", "10.244.0.3"),
                               slice_("b", "10.244.0.4", "10.244.0.5")]
        self.tables, self.now, self.metrics = FakeTables(), 100.0, ProxyMetrics()
        self.proxier = Proxier(
            ProxierConfig(node_name="n1", sync_period=30), self.services,  # type: ignore[arg-type]
            self.slices, self.tables, FakeLink(), self.metrics,  # type: ignore[arg-type]
            monotonic=lambda: self.now)

    def set_slice(self, s: EndpointSlice) -> None:
        self.slices.objects = [o for o in self.slices.objects
                               if o.metadata.name != s.metadata.name] + [s]

    def sync(self, after: float = 1.0) -> str:
        """One sync `after` seconds on; the restore input it wrote ("" for none)."""
        self.now += after
        before = len(self.tables.restores)
        asyncio.run(self.proxier.sync())
        return self.tables.restores[-1] if len(self.tables.restores) > before else ""

    def count(self, kind: str) -> float:
        return self.metrics.registry.get_sample_value(
            f"tug_proxy_sync_{kind}_proxy_rules_duration_seconds_count") or 0.0


def declared(text: str) -> set[str]:
    return {line[1:].split(" ", 1)[0] for line in text.splitlines() if line.startswith(":")}


def test_the_first_sync_is_full_and_reads_the_tables_back() -> None:
    cl = Cluster()
    text = cl.sync()
    assert cl.tables.saves == ["filter", "nat"]
    assert {svc_chain("a"), svc_chain("b"), "TUG-SERVICES", "TUG-NODEPORTS",
            sep_chain("a", "10.244.0.2")} <= declared(text)
    assert cl.count("full") == 1 and cl.count("partial") == 0


def test_a_change_to_one_service_rewrites_only_its_chains() -> None:
    cl = Cluster()
    cl.sync()
    cl.set_slice(slice_("a", "10.244.0.2", "10.244.0.6"))  # .3 leaves, .6 comes
    text = cl.sync()
    assert cl.tables.saves == ["filter", "nat"]  # no read-back after the first sync
    new, gone = sep_chain("a", "10.244.0.6"), sep_chain("a", "10.244.0.3")
    assert declared(text) == {svc_chain("a"), new, gone}
    assert text.splitlines()[0] == "*nat" and f"-X {gone}" in text  # filter unchanged
    assert "default/b" not in text and "TUG-SERVICES" not in text
    nat = cl.tables.tables["nat"]
    assert any("-j DNAT --to-destination 10.244.0.6:8080" in r for r in nat[new])
    assert gone not in nat and sep_chain("b", "10.244.0.4") in nat
    assert cl.count("full") == 1 and cl.count("partial") == 1


def test_a_new_or_removed_service_rewrites_the_dispatch_chain_too() -> None:
    cl = Cluster()
    cl.sync()
    cl.services.objects.append(service("c", "10.96.0.12"))
    cl.slices.objects.append(slice_("c", "10.244.0.7"))
    text = cl.sync()
    assert declared(text) == {"TUG-SERVICES", svc_chain("c"), sep_chain("c", "10.244.0.7")}
    assert "10.96.0.12/32" in text and "10.96.0.10/32" in text  # the whole chain, rewritten
    cl.services.objects = [s for s in cl.services.objects if s.metadata.name != "a"]
    text = cl.sync()
    assert f"-X {svc_chain('a')}" in text and f"-X {sep_chain('a', '10.244.0.2')}" in text
    assert svc_chain("b") not in declared(text)
    assert svc_chain("a") not in cl.tables.chains() and svc_chain("c") in cl.tables.chains()


def test_a_sync_with_nothing_changed_writes_nothing() -> None:
    cl = Cluster()
    cl.sync()
    assert cl.sync() == "" and len(cl.tables.restores) == 1


def test_a_failed_restore_makes_the_next_sync_a_full_one() -> None:
    cl = Cluster()
    cl.sync()
    cl.set_slice(slice_("b", "10.244.0.4"))
    cl.tables.fail_next = True
    try:
        cl.sync()
    except RuntimeError:
        pass
    else:
        raise AssertionError("the restore failed; sync must say so")
    text = cl.sync()
    assert cl.tables.saves == ["filter", "nat"] * 2  # read back again
    assert {svc_chain("a"), svc_chain("b"), "TUG-SERVICES"} <= declared(text)
    assert sep_chain("b", "10.244.0.5") not in cl.tables.chains()
    assert cl.sync() == "" and cl.count("full") == 2  # and partial again after it


def test_a_chain_deleted_by_hand_comes_back_at_the_periodic_full_sync() -> None:
    cl = Cluster()
    cl.sync()
    nat = cl.tables.tables["nat"]
    nat["TUG-SERVICES"] = [r for r in nat["TUG-SERVICES"] if svc_chain("a") not in r]
    for name in (svc_chain("a"), sep_chain("a", "10.244.0.2"), sep_chain("a", "10.244.0.3")):
        del nat[name]
    nat["TUG-SEP-STRAYSTRAYSTRAY"] = []  # and one added by hand
    cl.set_slice(slice_("b", "10.244.0.4"))
    cl.sync(after=10)  # partial: knows nothing of the hand edit
    assert svc_chain("a") not in cl.tables.chains()
    assert cl.sync(after=10) == ""
    text = cl.sync(after=10)  # 30 s after the last full sync
    assert cl.tables.saves == ["filter", "nat"] * 2
    assert {svc_chain("a"), sep_chain("a", "10.244.0.3")} <= cl.tables.chains()
    assert any(svc_chain("a") in r for r in cl.tables.tables["nat"]["TUG-SERVICES"])
    assert "-X TUG-SEP-STRAYSTRAYSTRAY" in text
    assert "TUG-SEP-STRAYSTRAYSTRAY" not in cl.tables.chains()


def test_the_loop_runs_a_full_sync_every_sync_period_even_while_changes_keep_coming(
        ) -> None:
    async def scenario() -> FakeTables:
        services, slices, tables = FakeInformer(), FakeInformer(), FakeTables()
        services.objects = [service("a", "10.96.0.10")]
        proxier = Proxier(ProxierConfig(node_name="n1", min_sync_period=0,  # type: ignore[arg-type]
                                        sync_period=0.5), services, slices, tables,
                          FakeLink(), ProxyMetrics())  # type: ignore[arg-type]
        stop = asyncio.Event()
        task = asyncio.create_task(proxier.run(stop))
        i = 0
        while tables.saves.count("nat") < 3:  # the first full sync and two periodic ones
            i += 1
            slices.add(slice_("a", f"10.244.0.{2 + i % 200}"))
            await asyncio.sleep(0.05)
        stop.set()
        await task
        return tables

    tables = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert len(tables.restores) > 3  # partial syncs between the full ones
