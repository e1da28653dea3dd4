"""`-o`: which printer, and printing whole objects with it (everything but the tables,
which come from the server).

One object prints as itself, several as a `kind: List` (what a JSONPath template sees
too: `{.items[*].metadata.name}`), `-o name` as one `kind/name` per line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tugboat.cli.errors import CliError
from tugboat.cli.printers import customcolumns
from tugboat.cli.printers.jsonpath import JsonPath, JsonPathError
from tugboat.cli.printers.objects import as_list, dump_json, dump_yaml, name_of

Obj = dict[str, Any]
ALLOWED = ("custom-columns", "custom-columns-file", "json", "jsonpath", "jsonpath-file",
           "name", "wide", "yaml")


@dataclass
class OutputFormat:
    kind: str  # "" (table), wide, yaml, json, name, jsonpath, custom-columns
    template: JsonPath | None = None
    columns: list[Any] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return self.kind in ("", "wide")


def parse_output(output: str | None, allowed: tuple[str, ...] = ALLOWED) -> OutputFormat:
    if not output:
        return OutputFormat("")
    kind, _, arg = output.partition("=")
    if kind not in allowed:
        raise CliError(f'unable to match a printer suitable for the output format "{output}", '
                       f'allowed formats are: {",".join(a for a in allowed if a != "wide")}')
    try:
        if kind == "jsonpath":
            if not arg:
                raise CliError("template format specified but no template given")
            return OutputFormat(kind, JsonPath(arg.strip("'")))
        if kind == "jsonpath-file":
            return OutputFormat("jsonpath", JsonPath(Path(arg).read_text()))
    except JsonPathError as e:
        raise CliError(f"error parsing jsonpath {arg}: {e}") from None
    except OSError as e:
        raise CliError(f"error reading template {arg}: {e}") from None
    if kind == "custom-columns":
        return OutputFormat(kind, columns=customcolumns.parse_spec(arg))
    if kind == "custom-columns-file":
        return OutputFormat("custom-columns", columns=customcolumns.parse_file(arg))
    return OutputFormat(kind)


class ObjectPrinter:
    """Prints whole objects in one of the non-table formats."""

    def __init__(self, fmt: OutputFormat, out: TextIO | None = None, no_headers: bool = False,
                 show_managed_fields: bool = False, list_kind: str | None = None):
        self.fmt = fmt
        # A verb that reads one typed list (kubectl events: an EventList) prints it as that
        # list, not as get's generic List.
        self.list_kind = list_kind
        self.show_managed_fields = show_managed_fields
        self.out = out or sys.stdout
        self.columns = (customcolumns.CustomColumnsPrinter(fmt.columns, self.out, no_headers)
                        if fmt.kind == "custom-columns" else None)
        self.printed = 0

    def print_objects(self, objs: list[Obj], single: bool = False) -> None:
        """`single`: the user named one object, which prints as itself, not a List.
        managedFields are left out unless asked for, as kubectl leaves them out."""
        if not self.show_managed_fields:
            objs = [without_managed_fields(o) for o in objs]
        data: Obj = (objs[0] if single and len(objs) == 1 else as_list(objs)
                     if not self.list_kind else
                     {"kind": self.list_kind, "apiVersion": "v1", "metadata": {}, "items": objs})
        kind = self.fmt.kind
        if kind == "name":
            for obj in objs:
                self.out.write(name_of(obj) + "\n")
        elif kind == "json":
            self.out.write(dump_json(data))
        elif kind == "yaml":
            self.out.write(dump_yaml(data))
        elif kind == "jsonpath":
            self._jsonpath(data)
        elif self.columns is not None:
            self.columns.print_objects(objs)
        self.out.flush()
        self.printed += len(objs)

    def print_event(self, obj: Obj) -> None:
        """One object of a watch stream."""
        if self.fmt.kind == "yaml" and self.printed:
            self.out.write("---\n")
        self.print_objects([obj], single=True)

    def _jsonpath(self, data: Obj) -> None:
        assert self.fmt.template is not None
        try:
            self.out.write(self.fmt.template.render(data))
        except JsonPathError as e:
            raise CliError(f'error executing jsonpath "{self.fmt.template.template}": '
                           f"Error executing template: {e}") from None


def without_managed_fields(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
