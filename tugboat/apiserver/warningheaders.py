"""Warning response headers that are legal HTTP whatever the warning says.

Warnings carry user input — an unknown field's name is whatever key the client sent — and
a header value may hold neither control characters nor, through Starlette's latin-1
encoding, most of Unicode. An invalid header once cost a stored write its answer: the
object was committed while the client saw a dropped connection or a 500. kube-apiserver's
warning recorder sets the rules kept here: each text quoted as Go's strconv.Quote does
(printable Unicode kept as UTF-8, everything else escaped), duplicates dropped, and past
4 KiB of warning text each one truncated to 256 characters and the rest left out."""

from __future__ import annotations

TOTAL_MAX_RUNES = 4 * 1024
ITEM_MAX_RUNES = 256

_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                  "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def quote(text: str) -> str:
    """Go's strconv.Quote: a double-quoted string with every non-printable rune escaped."""
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            cp = ord(ch)
            out.append(f"\\x{cp:02x}" if cp < 0x80 else f"\\u{cp:04x}" if cp < 0x10000
                       else f"\\U{cp:08x}")
    out.append('"')
    return "".join(out)


def warning_values(warnings: list[str]) -> list[bytes]:
    """The Warning header values (`299 - "text"`) for the texts, in order, as raw bytes."""
    texts = list(dict.fromkeys(w for w in warnings if w))
    if sum(len(t) for t in texts) > TOTAL_MAX_RUNES:
        kept, written = [], 0
        for t in (t[:ITEM_MAX_RUNES] for t in texts):
            if written + len(t) <= TOTAL_MAX_RUNES:
                kept.append(t)
                written += len(t)
        texts = kept
    return [b"299 - " + quote(t).encode("utf-8", "surrogatepass") for t in texts]
