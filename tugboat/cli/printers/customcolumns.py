"""`-o custom-columns=HEADER:JSONPATH,...` (and `custom-columns-file=`): one column per
spec, each cell the JSONPath's results joined by commas, `<none>` when there are none."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from tugboat.cli.errors import CliError
from tugboat.cli.printers.jsonpath import JsonPath, JsonPathError, relaxed
from tugboat.cli.printers.tables import cell_text
from tugboat.cli.tabwriter import TabWriter


def parse_spec(spec: str) -> list[tuple[str, JsonPath]]:
    if not spec:
        raise CliError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep or not header:
            raise CliError(f'unexpected custom-columns spec: {part}, expected <header>:'
                           f'<json-path-expr>')
        try:
            columns.append((header, JsonPath(relaxed(path), allow_missing=True)))
        except JsonPathError as e:
            raise CliError(f"error parsing custom-columns {part}: {e}") from None
    return columns


def parse_file(path: str) -> list[tuple[str, JsonPath]]:
    """A file with a header line and a line of paths, aligned by whitespace."""
    try:
        lines = [line for line in Path(path).read_text().splitlines() if line.strip()]
    except OSError as e:
        raise CliError(f"error reading {path}: {e}") from None
    if len(lines) != 2:
        raise CliError(f"unexpected custom-columns file {path}: expected 2 lines")
    headers, paths = lines[0].split(), lines[1].split()
    if len(headers) != len(paths):
        raise CliError(f"expected {len(headers)} paths in {path}, found {len(paths)}")
    return parse_spec(",".join(f"{h}:{p}" for h, p in zip(headers, paths, strict=True)))


class CustomColumnsPrinter:
    def __init__(self, columns: list[tuple[str, JsonPath]], out: TextIO,
                 no_headers: bool = False):
        self.columns = columns
        self.writer = TabWriter(out, 6, 3, remember_widths=True)
        self.no_headers = no_headers
        self.printed_header = False

    def print_objects(self, objs: list[dict[str, Any]]) -> None:
        if not self.printed_header and not self.no_headers:
            self.writer.write("\t".join(h for h, _ in self.columns) + "\n")
            self.printed_header = True
        for obj in objs:
            cells = []
            for _, path in self.columns:
                try:
                    values = path.find(obj)
                except JsonPathError as e:
                    raise CliError(str(e)) from None
                cells.append(",".join(path.text(v) for v in values) if values else "<none>")
            self.writer.write("\t".join(cell_text(c) for c in cells) + "\n")
        self.writer.flush()
