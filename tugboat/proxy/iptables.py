"""The proxy's only contact with the packet filter: `iptables-save` to learn which TUG-
chains exist (on full syncs only: partial ones trust what the last restore wrote), the
jumps from the built-in chains (kept with -C/-I, as kube-proxy's EnsureRule), one atomic
`iptables-restore --noflush` per sync, and --cleanup. Commands are run through an
injectable `run` so the daemon's callers need no real iptables in unit tests; the binaries
can be renamed (iptables-nft, ip6tables) by flag.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tugboat.proxy import chains as c

log = logging.getLogger(__name__)

Run = Callable[[Sequence[str], bytes | None], Awaitable[tuple[int, bytes, bytes]]]


async def run_command(argv: Sequence[str], stdin: bytes | None = None
                      ) -> tuple[int, bytes, bytes]:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE if stdin is not None else None,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(stdin)
    return proc.returncode or 0, out, err


class IptablesError(RuntimeError):
    pass


def our_chains(saved: str) -> list[str]:
    """TUG- chain names declared in `iptables-save` output."""
    return [line[1:].split(" ", 1)[0] for line in saved.splitlines()
            if line.startswith(":" + c.PREFIX)]


def has_jump(saved: str, chain: str, target: str) -> bool:
    return any(line.startswith(f"-A {chain} ") and line.endswith(f"-j {target}")
               for line in saved.splitlines())


@dataclass
class Iptables:
    run: Run = run_command
    iptables: str = "iptables"

    async def save(self, table: str) -> str:
        code, out, err = await self.run([f"{self.iptables}-save", "-t", table], None)
        if code != 0:
            raise IptablesError(f"{self.iptables}-save -t {table}: {err.decode().strip()}")
        return out.decode()

    async def restore(self, text: str) -> None:
        code, _, err = await self.run([f"{self.iptables}-restore", "-w", "--noflush"],
                                      text.encode())
        if code != 0:
            raise IptablesError(f"{self.iptables}-restore: {err.decode().strip()}")

    async def ensure_jumps(self, saved: dict[str, str]) -> None:
        """Create our entry chains and the jumps to them where `saved` lacks them."""
        for table, chain, args in c.JUMPS:
            target = args[-1]
            if has_jump(saved[table], chain, target):
                continue
            if f":{target} " not in saved[table]:
                await self.run([self.iptables, "-w", "-t", table, "-N", target], None)
            code, _, err = await self.run(
                [self.iptables, "-w", "-t", table, "-I", chain, "1", *args], None)
            if code != 0:
                raise IptablesError(f"cannot add jump {table}/{chain} -> {target}: "
                                    f"{err.decode().strip()}")
            saved[table] += f"\n-A {chain} {' '.join(args)}\n"

    async def cleanup(self) -> None:
        """Remove the jumps, then flush and delete every TUG- chain (kube-proxy --cleanup)."""
        for table, chain, args in c.JUMPS:
            while (await self.run([self.iptables, "-w", "-t", table, "-D", chain, *args],
                                  None))[0] == 0:
                pass  # a jump added twice goes twice
        text = ""
        for table in ("filter", "nat"):
            names = our_chains(await self.save(table))
            if names:
                text += "\n".join([f"*{table}", *(f":{n} - [0:0]" for n in names),
                                   *(f"-X {n}" for n in names), "COMMIT"]) + "\n"
        if text:
            await self.restore(text)
