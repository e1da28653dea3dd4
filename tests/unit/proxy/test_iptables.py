"""The iptables runner with a recorded command line instead of real iptables: jumps are
added only where missing, a sync is one restore, and --cleanup takes everything of ours."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tugboat.proxy import chains
from tugboat.proxy.iptables import Iptables, has_jump, our_chains

SAVED_NAT = """*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:TUG-SERVICES - [0:0]
:TUG-SVC-AAAA - [0:0]
:DOCKER - [0:0]
-A PREROUTING -m comment --comment "tugboat service portals" -j TUG-SERVICES
COMMIT
"""


class Recorder:
    def __init__(self, outputs: dict[str, str] | None = None, fail: set[str] = frozenset()):
        self.calls: list[tuple[list[str], bytes | None]] = []
        self.outputs, self.fail = outputs or {}, fail
        self.deletes: dict[str, int] = {}

    async def __call__(self, argv: Sequence[str], stdin: bytes | None
                       ) -> tuple[int, bytes, bytes]:
        argv = list(argv)
        self.calls.append((argv, stdin))
        if "-D" in argv:  # each jump is there once: the second delete fails
            key = " ".join(argv)
            self.deletes[key] = self.deletes.get(key, 0) + 1
            return (0 if self.deletes[key] == 1 else 1), b"", b"Bad rule"
        if argv[0] in self.fail:
            return 1, b"", b"iptables-restore: line 3 failed"
        return 0, self.outputs.get(" ".join(argv), "").encode(), b""


def test_our_chains_and_jumps_are_read_from_iptables_save() -> None:
    assert our_chains(SAVED_NAT) == ["TUG-SERVICES", "TUG-SVC-AAAA"]
    assert has_jump(SAVED_NAT, "PREROUTING", "TUG-SERVICES")
    assert not has_jump(SAVED_NAT, "OUTPUT", "TUG-SERVICES")


def test_ensure_jumps_adds_only_the_missing_ones_at_the_top() -> None:
    run = Recorder()
    saved = {"nat": SAVED_NAT, "filter": "*filter\nCOMMIT\n"}
    asyncio.run(Iptables(run=run).ensure_jumps(saved))
    inserts = [argv for argv, _ in run.calls if "-I" in argv]
    assert ["iptables", "-w", "-t", "nat", "-I", "OUTPUT", "1", "-m", "comment",
            "--comment", "tugboat service portals", "-j", "TUG-SERVICES"] in inserts
    assert not any(a[5] == "PREROUTING" for a in inserts)  # already there
    assert len(inserts) == len(chains.JUMPS) - 1
    created = [argv[-1] for argv, _ in run.calls if "-N" in argv]
    assert "TUG-SERVICES" not in [c for c in created if "nat" in c]
    assert {"TUG-EXTERNAL-SERVICES", "TUG-FORWARD", "TUG-POSTROUTING"} <= set(created)


def test_restore_is_one_noflush_call_and_a_failure_says_why() -> None:
    run = Recorder(fail={"iptables-restore"})
    try:
        asyncio.run(Iptables(run=run).restore("*nat\nCOMMIT\n"))
    except RuntimeError as e:
        assert "line 3 failed" in str(e)
    else:
        raise AssertionError("a failed restore must raise")
    assert run.calls == [(["iptables-restore", "-w", "--noflush"], b"*nat\nCOMMIT\n")]


def test_cleanup_deletes_the_jumps_then_flushes_and_deletes_our_chains() -> None:
    run = Recorder({"iptables-save -t nat": SAVED_NAT, "iptables-save -t filter": ""})
    asyncio.run(Iptables(run=run).cleanup())
    deleted = {argv[5] for argv, _ in run.calls if "-D" in argv}
    assert deleted == {chain for _, chain, _ in chains.JUMPS}
    restores = [stdin for argv, stdin in run.calls if argv[0] == "iptables-restore"]
    assert restores == [b"*nat\n:TUG-SERVICES - [0:0]\n:TUG-SVC-AAAA - [0:0]\n"
                        b"-X TUG-SERVICES\n-X TUG-SVC-AAAA\nCOMMIT\n"]
