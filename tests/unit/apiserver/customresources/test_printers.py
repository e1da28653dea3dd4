"""Custom resources' Table printers: a Name column, the CRD's printer columns with cells
found by simple JSONPaths (or Age when it names none)."""

from __future__ import annotations

from tugboat.api.apiextensions import CustomResourceColumnDefinition as Column
from tugboat.api.customresources import CustomResourceInfo
from tugboat.apiserver.tables.customresources import printer, values

OBJ = {"metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z"},
       "spec": {"replicas": 3, "items": [{"n": 1}, {"n": 2}]},
       "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def info(*cols: Column) -> CustomResourceInfo:
    return CustomResourceInfo("example.com", "v1", "things", "Thing", True, "",
                              printer_columns=cols)


def test_jsonpath_values() -> None:
    assert values(OBJ, ".spec.replicas") == [3]
    assert values(OBJ, ".spec.items[1].n") == [2]
    assert values(OBJ, ".spec.items[*].n") == [1, 2]
    assert values(OBJ, '.status.conditions[?(@.type=="Ready")].status') == ["True"]
    assert values(OBJ, ".spec.missing") == []


def test_columns_and_cells() -> None:
    p = printer(info(Column(name="Replicas", type="integer", jsonPath=".spec.replicas"),
                     Column(name="Ready", type="string",
                            jsonPath='.status.conditions[?(@.type=="Ready")].status'),
                     Column(name="Other", type="string", jsonPath=".spec.none", priority=1),
                     Column(name="Created", type="date",
                            jsonPath=".metadata.creationTimestamp")))
    assert [c["name"] for c in p.columns] == ["Name", "Replicas", "Ready", "Other",
                                              "Created"]
    assert p.columns[3]["priority"] == 1
    now = 1767225600 + 90  # 90 s after creation
    assert p.cells(OBJ, now) == ["x", 3, "True", None, "90s"]


def test_no_columns_prints_name_and_age() -> None:
    p = printer(info())
    assert [c["name"] for c in p.columns] == ["Name", "Age"]
