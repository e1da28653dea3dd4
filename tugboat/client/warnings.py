"""Server warnings (client-go's WarningHandler): the API server answers with RFC 7234
`Warning: 299 - "text"` headers — unknown fields dropped, Pod Security's warn mode,
deprecated APIs. A client given a handler calls it once per warning text; kubectl's
default, which `tug` copies, prints each distinct one as `Warning: text` on stderr."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO

import httpx

WarningHandler = Callable[[str], None]

# code SP agent SP "quoted text" [SP "date"], the list comma-separated
_WARNING = re.compile(r'\s*(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,|$)')


def parse_warnings(header: str) -> list[str]:
    """The texts of the 299 warnings in one Warning header value (others are ignored, as
    client-go does); a malformed value yields what parsed before it."""
    texts, pos = [], 0
    while pos < len(header):
        m = _WARNING.match(header, pos)
        if m is None:
            break
        if m.group(1) == "299":
            texts.append(re.sub(r"\\(.)", r"\1", m.group(3)))
        pos = m.end()
    return texts


def response_warnings(resp: httpx.Response) -> list[str]:
    return [t for value in resp.headers.get_list("warning") for t in parse_warnings(value)]


class WarningWriter:
    """kubectl's default handler: `Warning: <text>` on stderr, each text once per run."""

    def __init__(self, out: IO[str] | None = None):
        self.out = out
        self.seen: set[str] = set()

    def __call__(self, text: str) -> None:
        if text in self.seen:
            return
        self.seen.add(text)
        print(f"Warning: {text}", file=self.out or sys.stderr)
