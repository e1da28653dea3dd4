"""`tug --help` lists the verbs under kubectl's headings, in kubectl's order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TUG = str(Path(sys.executable).parent / "tug")


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if re.match(r"^[A-Z][^:]*:$", line):
            current = sections.setdefault(line[:-1], [])
        elif current is not None and re.match(r"^  [a-z]", line):
            current.append(line.split()[0])
    return sections


def test_the_verbs_sit_under_kubectls_headings() -> None:
    out = subprocess.run([TUG, "--help"], capture_output=True, text=True, check=True).stdout
    sections = _sections(out)
    assert list(sections)[1:] == [
        "Basic Commands (Beginner)", "Basic Commands (Intermediate)", "Deploy Commands",
        "Cluster Management Commands", "Troubleshooting and Debugging Commands",
        "Advanced Commands", "Settings Commands", "Local Cluster Commands", "Other Commands"]
    assert sections["Basic Commands (Beginner)"] == ["create", "set"]
    assert sections["Basic Commands (Intermediate)"] == ["explain", "get", "edit", "delete"]
    assert sections["Troubleshooting and Debugging Commands"] == [
        "describe", "logs", "attach", "exec", "port-forward", "cp", "auth", "debug", "events"]
    assert sections["Advanced Commands"] == ["diff", "apply", "patch", "replace", "wait"]
    assert sections["Settings Commands"] == ["label", "annotate", "completion"]
    assert "config" in sections["Other Commands"]
    assert "create-token" not in out  # hidden: `tug create token` is the spelling
