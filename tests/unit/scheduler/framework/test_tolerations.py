"""Toleration.ToleratesTaint, as in k8s.io/api/core/v1."""

from __future__ import annotations

import pytest

from tugboat.api.core import Taint, Toleration
from tugboat.scheduler.framework.tolerations import first_untolerated, tolerates

TAINT = Taint(key="k", value="v", effect="NoSchedule")


@pytest.mark.parametrize(("toleration", "expected"), [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, True),  # empty operator is Equal, empty effect any
    ({"key": "k", "operator": "Equal", "value": "w"}, False),
    ({"key": "k", "operator": "Exists"}, True),
    ({"operator": "Exists"}, True),
    ({"operator": "Exists", "effect": "NoExecute"}, False),
    ({"key": "other", "operator": "Exists"}, False),
    ({"key": "k", "operator": "Bogus"}, False),
])
def test_tolerates(toleration, expected):
    assert tolerates(Toleration.model_validate(toleration), TAINT) is expected


def test_first_untolerated():
    other = Taint(key="z", effect="NoExecute")
    tolerations = (Toleration(key="k", operator="Exists"),)
    assert first_untolerated([TAINT, other], tolerations) is other
    assert first_untolerated([TAINT], tolerations) is None
