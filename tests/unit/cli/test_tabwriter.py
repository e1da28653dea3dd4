"""The tabwriter lines up cells exactly as Go's (liggitt) tabwriter in kubectl."""

from __future__ import annotations

import io

from tugboat.cli.tabwriter import TabWriter, tabulate


def test_get_layout_matches_kubectl() -> None:
    out = tabulate([["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                    ["web", "0/1", "Pending", "0", "1s"]])
    assert out == ("NAME   READY   STATUS    RESTARTS   AGE\n"
                   "web    0/1     Pending   0          1s\n")


def test_minimum_width_pads_short_columns() -> None:
    assert tabulate([["A", "B"], ["c", "d"]]) == "A     B\nc     d\n"


def test_remembered_widths_keep_later_rows_under_their_headers() -> None:
    buf = io.StringIO()
    tw = TabWriter(buf, 6, 3, remember_widths=True)
    tw.write("NAME\tSTATUS\tAGE\nweb\tPending\t0s\n")
    tw.flush()
    tw.write("web\tRunning\t1s\n")
    tw.flush()
    tw.write("a-much-longer-name\tRunning\t2s\n")
    tw.flush()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "NAME   STATUS    AGE"
    assert lines[2] == "web    Running   1s"
    assert lines[3] == "a-much-longer-name   Running   2s"


def test_column_blocks_end_at_lines_without_cells() -> None:
    """describe's layout: a line without a tab ends the aligned block."""
    buf = io.StringIO()
    tw = TabWriter(buf, 0, 2)
    tw.write("Name:\tweb\nNamespace:\tdefault\nContainers:\n  c:\n    Image:\tbusybox\n"
             "    Port:\t<none>\n")
    tw.flush()
    assert buf.getvalue() == ("Name:       web\nNamespace:  default\nContainers:\n  c:\n"
                              "    Image:  busybox\n    Port:   <none>\n")


def test_trailing_tab_pads_the_last_column() -> None:
    """`kubectl top` ends every cell with a tab, so even the last column is padded."""
    assert tabulate([["NAME", "CPU(cores)", ""], ["n1", "5m", ""]]) == \
        "NAME   CPU(cores)   \nn1     5m           \n"
