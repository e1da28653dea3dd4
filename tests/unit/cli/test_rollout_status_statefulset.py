"""kubectl's rollout status messages for StatefulSets: spec not yet observed, pods not
ready, a partitioned roll out, a plain RollingUpdate by revisions, OnDelete refused."""

from __future__ import annotations

import pytest

from tugboat.cli.commands.rollout import status_message
from tugboat.cli.errors import CliError


def _sts(generation: int = 1, partition: int | None = 0, **status: object) -> dict:
    rolling = {} if partition is None else {"rollingUpdate": {"partition": partition}}
    return {"kind": "StatefulSet", "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 3, "updateStrategy": {"type": "RollingUpdate", **rolling}},
            "status": {"observedGeneration": 1, **status}}


@pytest.mark.parametrize("sts, message, done", [
    (_sts(2), "Waiting for statefulset spec update to be observed...", False),
    (_sts(readyReplicas=1), "Waiting for 2 pods to be ready...", False),
    (_sts(partition=1, readyReplicas=3, updatedReplicas=1),
     "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
     False),
    (_sts(readyReplicas=3, updatedReplicas=3),
     "partitioned roll out complete: 3 new pods have been updated...", True),
    (_sts(partition=None, readyReplicas=3, updatedReplicas=1, currentRevision="web-a",
          updateRevision="web-b"),
     "waiting for statefulset rolling update to complete 1 pods at revision web-b...", False),
    (_sts(partition=None, readyReplicas=3, currentReplicas=3, currentRevision="web-b",
          updateRevision="web-b"),
     "statefulset rolling update complete 3 pods at revision web-b...", True),
])
def test_statefulset_messages(sts: dict, message: str, done: bool) -> None:
    assert status_message(sts) == (message, done)


def test_on_delete_has_no_rollout_status() -> None:
    sts = _sts()
    sts["spec"]["updateStrategy"] = {"type": "OnDelete"}
    with pytest.raises(CliError, match="only available for RollingUpdate strategy type"):
        status_message(sts)
