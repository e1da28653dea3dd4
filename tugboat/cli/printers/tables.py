"""Server-side Tables printed as `kubectl get` prints them.

The API server decides every column and cell (COMPAT §4); kubectl only upper-cases the
headers, hides priority ≥ 1 columns unless `-o wide`, adds NAMESPACE first under `-A`,
LABELS last under `--show-labels` (and one column per `-L` key), prefixes names with their
kind when several types are printed, and aligns everything with a tabwriter that
remembers widths between flushes (so `-w` rows line up with the first table).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from tugboat.api.durations import human_duration
from tugboat.api.meta import parse_rfc3339
from tugboat.cli.tabwriter import TabWriter

Obj = dict[str, Any]
GET_MINWIDTH, GET_PADDING = 6, 3


@dataclass
class TableOptions:
    wide: bool = False
    with_namespace: bool = False
    show_labels: bool = False
    label_columns: list[str] = field(default_factory=list)
    no_headers: bool = False
    kind_prefix: str = ""  # "pod/" when several types are printed


def format_labels(labels: dict[str, str] | None) -> str:
    """labels.FormatLabels: sorted k=v pairs, or <none>."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def cell_text(cell: Any) -> str:
    if isinstance(cell, str):
        for i, ch in enumerate(cell):
            if ch in "\n\r\f":
                return cell[:i] + "..."
        return cell
    if cell is None:
        return "<none>"
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def plain_list_table(items: list[Obj], now: float | None = None) -> Obj:
    """A Table for a server reply that is not one: NAME and AGE, as kubectl falls back."""
    when = time.time() if now is None else now
    rows = []
    for obj in items:
        meta = obj.get("metadata") or {}
        stamp = meta.get("creationTimestamp")
        age = human_duration(when - parse_rfc3339(stamp).timestamp()) if stamp else "<unknown>"
        rows.append({"cells": [meta.get("name", ""), age], "object": obj})
    return {"kind": "Table", "columnDefinitions": [
        {"name": "Name", "type": "string", "format": "name", "priority": 0},
        {"name": "Age", "type": "string", "format": "", "priority": 0}], "rows": rows}


def as_table(reply: Obj) -> Obj:
    """The reply itself when it is a Table; a NAME/AGE Table of a plain list or object."""
    if reply.get("kind") == "Table":
        return reply
    items = reply.get("items") if isinstance(reply.get("items"), list) else [reply]
    return plain_list_table(items)


class TablePrinter:
    """Prints Tables (or their rows, for watch events) through one remembering tabwriter."""

    def __init__(self, options: TableOptions, out: TextIO | None = None):
        self.options = options
        self.writer = TabWriter(out or sys.stdout, GET_MINWIDTH, GET_PADDING,
                                remember_widths=True)
        self.printed_header = False
        self.rows_printed = 0

    def _columns(self, table: Obj) -> list[tuple[int, Obj]]:
        cols = list(enumerate(table.get("columnDefinitions") or []))
        if self.options.wide:
            return cols
        return [(i, c) for i, c in cols if not c.get("priority")]

    def header(self, table: Obj) -> list[str]:
        heads = [str(c.get("name", "")).upper() for _, c in self._columns(table)]
        if self.options.with_namespace:
            heads.insert(0, "NAMESPACE")
        heads += [key.upper() for key in self.options.label_columns]
        if self.options.show_labels:
            heads.append("LABELS")
        return heads

    def row(self, table: Obj, row: Obj) -> list[str]:
        cells = row.get("cells") or []
        meta = (row.get("object") or {}).get("metadata") or {}
        out = []
        for i, col in self._columns(table):
            text = cell_text(cells[i] if i < len(cells) else None)
            if col.get("format") == "name" and self.options.kind_prefix and not out:
                text = self.options.kind_prefix + text
            out.append(text)
        if self.options.with_namespace:
            out.insert(0, meta.get("namespace") or "")
        labels = meta.get("labels") or {}
        out += [labels.get(key, "") for key in self.options.label_columns]
        if self.options.show_labels:
            out.append(format_labels(labels))
        return out

    def print_table(self, table: Obj) -> int:
        """Print the Table's rows (with the header before the first row); returns how
        many rows were printed."""
        rows = table.get("rows") or []
        if rows and not self.printed_header and not self.options.no_headers:
            self.writer.write("\t".join(self.header(table)) + "\n")
            self.printed_header = True
        for row in rows:
            self.writer.write("\t".join(self.row(table, row)) + "\n")
        self.writer.flush()
        self.rows_printed += len(rows)
        return len(rows)
