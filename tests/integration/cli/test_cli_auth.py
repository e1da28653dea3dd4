"""`tug auth whoami` against the real API server prints what real kubectl prints for the
same server, and its -o json is the server's SelfSubjectReview."""

from __future__ import annotations

import json
import subprocess

from tests.integration.cli.conftest import Tug

KUBECTL = "/usr/bin/kubectl"  # the version tug mimics (1.32)


def test_whoami_matches_kubectl(tug: Tug) -> None:
    ours = tug.ok("auth", "whoami")
    theirs = subprocess.run([KUBECTL, "--server", tug.server, "auth", "whoami"],
                            capture_output=True, text=True, timeout=60,
                            env=tug.env, check=True).stdout
    assert ours == theirs
    # the loopback insecure port acts as the privileged user, as Kubernetes' old one did
    assert ours.splitlines()[1].split() == ["Username", "system:unsecured"]


def test_whoami_json_is_the_self_subject_review(tug: Tug) -> None:
    review = json.loads(tug.ok("auth", "whoami", "-o", "json"))
    assert (review["apiVersion"], review["kind"]) == ("authentication.k8s.io/v1",
                                                      "SelfSubjectReview")
    assert "system:masters" in review["status"]["userInfo"]["groups"]
