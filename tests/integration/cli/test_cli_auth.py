"""`tug auth whoami` against the real API server prints what real kubectl prints for the
same server; `tug auth can-i` (answers, exit codes, the --list table) and `tug create
token` print and exit as real kubectl does against the same canned reviews."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli.conftest import TUG, Result, Tug
from tests.support.cannedapi import CannedApi

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


# -- against canned reviews: tug and kubectl print the same and exit the same ----------

RULES = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
         "status": {"incomplete": False, "resourceRules": [
             {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
             {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
              "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
             {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"]},
             {"verbs": ["watch"], "apiGroups": [""], "resources": ["pods"]},
             {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"],
              "resourceNames": ["web", "api"]}],
             "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/api/*"]},
                                  {"verbs": ["*"], "nonResourceURLs": ["*"]}]}}


@pytest.fixture
def canned() -> Iterator[CannedApi]:
    api = CannedApi().start()
    yield api
    api.stop()


def side_by_side(canned: CannedApi, home: Path, *args: str) -> tuple[Result, Result]:
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TUG_SERVER")}
    env["HOME"] = str(home)
    out = []
    for binary in (TUG, KUBECTL):
        done = subprocess.run([binary, "--server", canned.url, *args], capture_output=True,
                              text=True, timeout=60, env=env)
        out.append(Result(done.returncode, done.stdout, done.stderr))
    return out[0], out[1]


def test_can_i_list_table_is_kubectls(canned: CannedApi, tmp_path: Path) -> None:
    canned.reply("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", RULES)
    for flags in ((), ("--no-headers",)):
        ours, theirs = side_by_side(canned, tmp_path, "auth", "can-i", "--list", *flags)
        assert (ours.code, ours.out) == (theirs.code, theirs.out) == (0, theirs.out)
    assert ours.out.splitlines()[0].split() == ["*.*", "[]", "[]", "[*]"]


@pytest.mark.parametrize("status, code", [
    ({"allowed": True}, 0),
    ({"allowed": False, "reason": "no RBAC policy matched"}, 1),
    ({"allowed": False, "denied": True, "reason": "denied", "evaluationError": "oops"}, 1),
])
def test_can_i_answer_and_exit_code_are_kubectls(canned: CannedApi, tmp_path: Path,
                                                 status: dict, code: int) -> None:
    canned.reply("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                 {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "status": status})
    ours, theirs = side_by_side(canned, tmp_path, "auth", "can-i", "get", "/logs/")
    assert (ours.code, ours.out) == (theirs.code, theirs.out)
    assert ours.code == code


def test_create_token_output_is_kubectls(canned: CannedApi, tmp_path: Path) -> None:
    canned.reply("/api/v1/namespaces/default/serviceaccounts/app/token",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                  "spec": {"audiences": ["x"]},
                  "status": {"token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
                             "expirationTimestamp": "2030-01-01T00:00:00Z"}})
    ours, theirs = side_by_side(canned, tmp_path, "create", "token", "app", "--duration=10m")
    assert (ours.code, ours.out) == (theirs.code, theirs.out) == (0, "eyJhbGciOiJSUzI1NiJ9.e30.sig")
    missing, theirs = side_by_side(canned, tmp_path, "create", "token", "ghost")
    assert (missing.code, missing.err) == (theirs.code, theirs.err)
