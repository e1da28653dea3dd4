"""The registry's checks before the store: typed metadata (422 naming the field, never a
500 from a name that is a number) and the 1.5 MiB object limit (413)."""

from __future__ import annotations

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.storageform import MAX_OBJECT_BYTES, check_metadata, decode_stored, encode

CONFIGMAPS = lookup("", "v1", "configmaps")
assert CONFIGMAPS is not None


def _configmap(value_bytes: int) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "x" * value_bytes}}


def test_an_object_at_the_limit_is_stored_whole() -> None:
    obj = _configmap(0)
    overhead = len(encode(CONFIGMAPS, "c", obj))
    assert len(encode(CONFIGMAPS, "c", _configmap(MAX_OBJECT_BYTES - overhead))) == \
        MAX_OBJECT_BYTES


def test_an_object_over_the_limit_is_413() -> None:
    with pytest.raises(errors.ApiError) as e:
        encode(CONFIGMAPS, "c", _configmap(MAX_OBJECT_BYTES))
    assert (e.value.code, e.value.reason) == (413, "RequestEntityTooLarge")
    assert str(MAX_OBJECT_BYTES) in e.value.message


@pytest.mark.parametrize(("meta", "field", "name"), [
    ({"name": 5}, "metadata.name", None),
    ({"name": "c", "labels": {"a": 1}}, "metadata.labels[a]", "c"),
    ({"name": "c", "ownerReferences": [{"name": "o"}]}, "metadata.ownerReferences[0].apiVersion",
     "c"),
])
def test_metadata_of_the_wrong_type_is_422(meta: dict[str, object], field: str,
                                           name: str | None) -> None:
    with pytest.raises(errors.ApiError) as e:
        check_metadata(CONFIGMAPS, {"metadata": meta})
    assert e.value.code == 422
    assert e.value.details is not None and e.value.details.name == name
    assert field in [c.field for c in e.value.details.causes or []]


def test_typed_metadata_passes() -> None:
    check_metadata(CONFIGMAPS, {"metadata": {"name": "c", "labels": {"a": "b"},
                                             "generation": 2**62}})


def test_an_object_stored_before_a_bound_still_decodes_without_the_bad_field() -> None:
    """An RC stored with replicas 2^31 (before int32) is read for an update's rules with
    the field left out, so the update that fixes it is not a 500."""
    rcs = lookup("", "v1", "replicationcontrollers")
    assert rcs is not None
    stored = {"apiVersion": "v1", "kind": "ReplicationController",
              "metadata": {"name": "r", "namespace": "d"},
              "spec": {"replicas": 2**31, "selector": {"a": "b"},
                       "template": {"spec": {"containers": [
                           {"name": "c", "image": "i", "ports": [{"containerPort": 2**40}]}]}}}}
    model = decode_stored(rcs, stored)
    assert model.spec.replicas is None and model.spec.selector == {"a": "b"}
    assert stored["spec"]["replicas"] == 2**31  # the cached object itself is untouched
