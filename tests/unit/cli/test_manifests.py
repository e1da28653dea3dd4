"""Reading -f sources: multi-document YAML, Lists, folders, and errors naming the file
and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tugboat.cli.errors import CliError
from tugboat.cli.manifests import load, parse_documents

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"


def test_multi_document_streams_skip_empty_documents() -> None:
    docs = parse_documents(POD.format(name="a") + "---\n---\n" + POD.format(name="b"), "f.yaml")
    assert [d.name for d in docs] == ["a", "b"]


def test_lists_are_unpacked() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: "
            "{name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n")
    assert [(d.obj["kind"], d.name) for d in parse_documents(text, "f")] == \
        [("Pod", "a"), ("Service", "b")]


def test_syntax_errors_name_the_file_and_line() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n"
    with pytest.raises(CliError) as e:
        parse_documents(text, "bad.yaml")
    assert e.value.message.startswith("error parsing bad.yaml: error converting YAML to JSON: "
                                      "yaml: line 5: ")


def test_objects_without_kind_are_refused() -> None:
    with pytest.raises(CliError, match=r"\[kind not set\]"):
        parse_documents("apiVersion: v1\nmetadata: {name: a}\n", "f.yaml")


def test_unknown_kinds_say_no_mapping() -> None:
    doc = parse_documents("apiVersion: v1\nkind: Gadget\nmetadata: {name: g}\n", "g.yaml")[0]
    with pytest.raises(CliError, match='no matches for kind "Gadget" in version "v1"'):
        doc.info()


def test_folders_read_yaml_and_json_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(POD.format(name="b"))
    (tmp_path / "a.json").write_text('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}')
    (tmp_path / "notes.txt").write_text("not a manifest")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.yml").write_text(POD.format(name="c"))
    assert [d.name for d in load([str(tmp_path)])] == ["a", "b"]
    assert [d.name for d in load([str(tmp_path)], recursive=True)] == ["a", "b", "c"]


def test_missing_paths_and_empty_input(tmp_path: Path) -> None:
    with pytest.raises(CliError, match='the path "nope.yaml" does not exist'):
        load(["nope.yaml"])
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    with pytest.raises(CliError, match="no objects passed to apply"):
        load([str(tmp_path / "empty.yaml")])
