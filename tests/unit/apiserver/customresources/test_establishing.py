"""The naming and establishing rules: a CRD whose names are free is accepted and
Established; one whose plural or kind an older CRD of its group holds is not; conditions
keep their transition time while their status holds."""

from __future__ import annotations

from typing import Any

from tugboat.apiserver.customresources.establishing import desired_status


def crd(name: str, plural: str, kind: str, accepted: bool = False) -> dict[str, Any]:
    names = {"plural": plural, "singular": plural.rstrip("s"), "kind": kind,
             "listKind": kind + "List"}
    status: dict[str, Any] = {"storedVersions": ["v1"]}
    if accepted:
        status["acceptedNames"] = names
    return {"metadata": {"name": name}, "spec": {"group": "example.com", "names": names},
            "status": status}


def conditions(status: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}


def test_free_names_are_accepted_and_established() -> None:
    a = crd("things.example.com", "things", "Thing")
    status = desired_status(a, [a])
    assert conditions(status) == {"NamesAccepted": ("True", "NoConflicts"),
                                  "Established": ("True", "InitialNamesAccepted")}
    assert status["acceptedNames"]["plural"] == "things"
    assert status["storedVersions"] == ["v1"]


def test_taken_names_conflict() -> None:
    old = crd("things.example.com", "things", "Thing", accepted=True)
    new = crd("stuffs.example.com", "stuffs", "Thing")
    got = desired_status(new, [old, new])
    assert conditions(got)["NamesAccepted"] == ("False", "KindConflict")
    assert conditions(got)["Established"] == ("False", "NotAccepted")
    clash = crd("things2.example.com", "things", "Other")
    assert conditions(desired_status(clash, [old, clash]))["NamesAccepted"] == \
        ("False", "PluralConflict")


def test_unchanged_conditions_keep_their_time() -> None:
    a = crd("things.example.com", "things", "Thing")
    first = desired_status(a, [a])
    for c in first["conditions"]:
        c["lastTransitionTime"] = "2020-01-01T00:00:00Z"
    again = desired_status({**a, "status": first}, [a])
    assert again == first
