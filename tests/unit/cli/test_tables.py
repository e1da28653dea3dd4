"""Server Tables printed as kubectl prints them."""

from __future__ import annotations

import io

from tugboat.cli.printers.tables import TableOptions, TablePrinter, as_table, format_labels

TABLE = {
    "kind": "Table",
    "columnDefinitions": [
        {"name": "Name", "format": "name", "priority": 0},
        {"name": "Status", "priority": 0},
        {"name": "Nominated Node", "priority": 1},
        {"name": "Age", "priority": 0},
    ],
    "rows": [{"cells": ["web", "Running", "<none>", "5m3s"],
              "object": {"metadata": {"name": "web", "namespace": "prod",
                                      "labels": {"tier": "fe", "app": "web"}}}}],
}


def _print(options: TableOptions, table: dict = TABLE) -> str:
    buf = io.StringIO()
    TablePrinter(options, buf).print_table(table)
    return buf.getvalue()


def test_default_hides_wide_columns() -> None:
    assert _print(TableOptions()) == "NAME   STATUS    AGE\nweb    Running   5m3s\n"


def test_wide_namespace_labels_and_kind() -> None:
    out = _print(TableOptions(wide=True, with_namespace=True, show_labels=True,
                              label_columns=["app"], kind_prefix="pod/"))
    assert out.splitlines() == [
        "NAMESPACE   NAME      STATUS    NOMINATED NODE   AGE    APP   LABELS",
        "prod        pod/web   Running   <none>           5m3s   web   app=web,tier=fe",
    ]


def test_no_headers_and_empty_tables() -> None:
    assert _print(TableOptions(no_headers=True)) == "web   Running   5m3s\n"
    assert _print(TableOptions(), {**TABLE, "rows": []}) == ""


def test_plain_lists_print_name_and_age() -> None:
    table = as_table({"items": [{"metadata": {"name": "x", "creationTimestamp":
                                              "2000-01-01T00:00:00Z"}}]})
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]
    assert table["rows"][0]["cells"][0] == "x"


def test_label_format() -> None:
    assert format_labels({}) == "<none>"
    assert format_labels({"b": "2", "a": "1"}) == "a=1,b=2"
