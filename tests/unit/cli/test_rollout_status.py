"""kubectl's rollout status messages for Deployments and DaemonSets."""

from __future__ import annotations

import pytest

from tugboat.cli.commands.rollout import status_message
from tugboat.cli.errors import CliError


def _deploy(generation: int = 1, **status: int) -> dict:
    return {"kind": "Deployment", "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 3}, "status": {"observedGeneration": 1, **status}}


@pytest.mark.parametrize("deploy, message, done", [
    (_deploy(2), "Waiting for deployment spec update to be observed...", False),
    (_deploy(updatedReplicas=1), 'Waiting for deployment "web" rollout to finish: 1 out of 3 '
                                 "new replicas have been updated...", False),
    (_deploy(updatedReplicas=3, replicas=4), 'Waiting for deployment "web" rollout to finish: '
                                             "1 old replicas are pending termination...", False),
    (_deploy(updatedReplicas=3, replicas=3, availableReplicas=2),
     'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are '
     "available...", False),
    (_deploy(updatedReplicas=3, replicas=3, availableReplicas=3),
     'deployment "web" successfully rolled out', True),
])
def test_deployment_messages(deploy: dict, message: str, done: bool) -> None:
    assert status_message(deploy) == (message, done)


def test_a_dead_rollout_is_an_error() -> None:
    deploy = _deploy()
    deploy["status"]["conditions"] = [{"type": "Progressing",
                                       "reason": "ProgressDeadlineExceeded"}]
    with pytest.raises(CliError, match="exceeded its progress deadline"):
        status_message(deploy)


def test_daemon_set_messages() -> None:
    ds = {"kind": "DaemonSet", "metadata": {"name": "d", "generation": 1},
          "status": {"observedGeneration": 1, "desiredNumberScheduled": 2,
                     "updatedNumberScheduled": 2, "numberAvailable": 1}}
    assert status_message(ds) == ('Waiting for daemon set "d" rollout to finish: 1 of 2 '
                                   "updated pods are available...", False)
    ds["status"]["numberAvailable"] = 2
    assert status_message(ds) == ('daemon set "d" successfully rolled out', True)
