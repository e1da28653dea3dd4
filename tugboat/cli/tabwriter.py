"""Go's text/tabwriter, so that `tug` lines up exactly as kubectl does.

kubectl prints every table through a tabwriter: `get` with minwidth 6, padding 3 and
RememberWidths (liggitt/tabwriter: a column never narrows after a flush, which is why
`kubectl get -w` rows stay under their headers), `describe` with minwidth 0, padding 2.
Cells are tab-terminated; the text after a line's last tab is not part of any column.
Columns are aligned per *block*: consecutive lines that all have a cell in that column —
a line with fewer cells ends the block, which is what gives `describe` its look.
"""

from __future__ import annotations

import io
from typing import TextIO


def text_width(text: str) -> int:
    """A cell's width as Go's tabwriter counts it: in runes (code points)."""
    return len(text)


class TabWriter:
    """Buffer text; `flush()` aligns and writes what is buffered to `out`."""

    def __init__(self, out: TextIO, minwidth: int = 0, padding: int = 2,
                 remember_widths: bool = False):
        self.out = out
        self.minwidth = minwidth
        self.padding = padding
        self.remember_widths = remember_widths
        self._max_widths: list[int] = []
        self._text = ""

    def write(self, text: str) -> None:
        self._text += text

    def flush(self) -> None:
        if not self._text:
            return
        text, self._text = self._text, ""
        complete = text.endswith("\n")
        lines = [line.split("\t") for line in text.split("\n")]
        if complete:
            lines.pop()
        self._widths: list[int] = []
        self._buf: list[str] = []
        self._format(lines, 0, len(lines))
        out = "\n".join(self._buf)
        self.out.write(out + ("\n" if complete else ""))
        self.out.flush()

    def _format(self, lines: list[list[str]], line0: int, line1: int) -> None:
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            self._write_lines(lines, line0, this)
            line0 = this
            width = self.minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, text_width(lines[this][column]) + self.padding)
                this += 1
            width = self._remembered(width)
            self._widths.append(width)
            self._format(lines, line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(lines, line0, line1)

    def _remembered(self, width: int) -> int:
        if not self.remember_widths:
            return width
        col = len(self._widths)
        if len(self._max_widths) < col:
            self._max_widths.extend(self._widths[len(self._max_widths):])
        if len(self._max_widths) == col:
            self._max_widths.append(width)
        elif self._max_widths[col] > width:
            width = self._max_widths[col]
        else:
            self._max_widths[col] = width
        return width

    def _write_lines(self, lines: list[list[str]], line0: int, line1: int) -> None:
        for cells in lines[line0:line1]:
            parts = []
            for j, cell in enumerate(cells):
                parts.append(cell)
                if j < len(self._widths) and j < len(cells) - 1:
                    parts.append(" " * (self._widths[j] - text_width(cell)))
            self._buf.append("".join(parts))


def tabulate(rows: list[list[str]], minwidth: int = 6, padding: int = 3) -> str:
    """Rows of cells aligned as `kubectl get` aligns them (no trailing newline handling:
    every row ends with a newline)."""
    buf = io.StringIO()
    tw = TabWriter(buf, minwidth=minwidth, padding=padding)
    for row in rows:
        tw.write("\t".join(row) + "\n")
    tw.flush()
    return buf.getvalue()
