"""Which container `-c` means for exec, logs, cp and attach, and kubectl's refusals."""

from __future__ import annotations

import pytest

from tugboat.cli.errors import CliError
from tugboat.cli.pods import pick_container

POD = {"metadata": {"name": "web"},
       "spec": {"containers": [{"name": "app"}], "initContainers": [{"name": "init"}],
                "ephemeralContainers": [{"name": "debugger-x2k9q"}]}}


def test_any_container_of_the_pod_may_be_named() -> None:
    for name in ("app", "init", "debugger-x2k9q"):  # a debug container too
        assert pick_container(POD, name) == name
        assert pick_container(POD, name, attaching=True) == name


def test_a_missing_container_in_kubectls_words() -> None:
    with pytest.raises(CliError) as e:
        pick_container(POD, "nope")  # the server's 400 to exec, logs and cp
    assert e.value.line() == ("Error from server (BadRequest): container nope is not valid "
                              "for pod web")
    with pytest.raises(CliError) as e:
        pick_container(POD, "nope", attaching=True)  # attach checks for itself
    assert e.value.line() == ("error: cannot attach to the container: container nope not "
                              "found in pod web")
