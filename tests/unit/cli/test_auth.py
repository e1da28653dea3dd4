"""`tug auth can-i`, `tug auth whoami` and `tug create token` against a stub server on
loopback that answers the reviews and TokenRequest as Kubernetes does: what is sent,
what is printed, and the exit status, as kubectl's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cannedapi import CannedApi
from tugboat.cli.runner import run

Obj = dict[str, Any]


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[CannedApi, str]]:
    api = CannedApi().start()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("TUG_SERVER", raising=False)
    yield api, api.url
    api.stop()


def tug(server: str, *args: str) -> int:
    return run(["--server", server, *args], {})


SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSRR = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews"


def test_can_i_yes(stub: tuple[CannedApi, str], capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(SSAR, {"status": {"allowed": True}})
    assert tug(server, "auth", "can-i", "list", "deploy", "-n", "dev") == 0
    assert capsys.readouterr().out == "yes\n"
    assert state.requests[0].body["spec"] == {"resourceAttributes": {
        "namespace": "dev", "verb": "list", "group": "apps", "resource": "deployments"}}


def test_can_i_no_exits_1_with_reason(stub: tuple[CannedApi, str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(SSAR, {"status": {"allowed": False, "reason": "no RBAC policy matched"}})
    assert tug(server, "auth", "can-i", "get", "pods/web", "--subresource=log") == 1
    assert capsys.readouterr().out == "no - no RBAC policy matched\n"
    attrs = state.requests[0].body["spec"]["resourceAttributes"]
    assert attrs == {"namespace": "default", "verb": "get", "resource": "pods",
                     "subresource": "log", "name": "web"}


def test_can_i_quiet_all_namespaces_and_name_argument(stub: tuple[CannedApi, str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(SSAR, {"status": {"allowed": False}})
    assert tug(server, "auth", "can-i", "delete", "pods", "web", "-A", "-q") == 1
    assert capsys.readouterr().out == ""
    assert state.requests[0].body["spec"]["resourceAttributes"] == {
        "verb": "delete", "resource": "pods", "name": "web"}


def test_can_i_non_resource_url_and_warnings(stub: tuple[CannedApi, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(SSAR, {"status": {"allowed": True}})
    assert tug(server, "auth", "can-i", "get", "/logs/") == 0
    assert state.requests[0].body["spec"] == {"nonResourceAttributes": {"path": "/logs/",
                                                                      "verb": "get"}}
    assert tug(server, "auth", "can-i", "get", "nodes") == 0
    assert tug(server, "auth", "can-i", "frob", "widgets") == 0
    err = capsys.readouterr().err
    assert "Warning: resource 'nodes' is not namespace scoped\n" in err
    assert "Warning: the server doesn't have a resource type 'widgets'\n" in err
    assert "Warning: verb 'frob' is not a known verb\n" in err


def test_can_i_usage_errors(stub: tuple[CannedApi, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, server = stub
    assert tug(server, "auth", "can-i", "get") == 1
    assert capsys.readouterr().err.startswith(
        "error: you must specify two arguments: verb resource or verb resource/resourceName.")
    assert tug(server, "auth", "can-i", "--list", "-q") == 1
    assert "--list option must not be specified with --quiet" in capsys.readouterr().err


def test_can_i_list_prints_kubectls_table(stub: tuple[CannedApi, str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(SSRR, {"status": {
        "resourceRules": [
            {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
             "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
            {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"]},
            {"verbs": ["watch"], "apiGroups": [""], "resources": ["pods"]},
            {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"],
             "resourceNames": ["web"]}],
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/api/*"]}],
        "incomplete": False}})
    assert tug(server, "auth", "can-i", "--list", "-n", "dev") == 0
    assert state.requests[0].body["spec"] == {"namespace": "dev"}
    assert capsys.readouterr().out == (
        "Resources                                       Non-Resource URLs   Resource Names"
        "   Verbs\n"
        "selfsubjectaccessreviews.authorization.k8s.io   []                  []"
        "               [create]\n"
        "selfsubjectrulesreviews.authorization.k8s.io    []                  []"
        "               [create]\n"
        # sorted as kubectl sorts: by the rule's Go string, verbs first ("[get list watch]"
        # before "[get list]" before "[get]")
        "pods                                            []                  []"
        "               [get list watch]\n"
        "pods/log                                        []                  []"
        "               [get list]\n"
        "                                                [/api/*]            []"
        "               [get]\n"
        "                                                [/healthz]          []"
        "               [get]\n"
        "deployments.apps                                []                  [web]"
        "            [get]\n")


def test_whoami_table_and_yaml(stub: tuple[CannedApi, str], capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
              "metadata": {"creationTimestamp": None},
              "status": {"userInfo": {
                  "username": "system:serviceaccount:dev:app", "uid": "1234",
                  "groups": ["system:serviceaccounts", "system:authenticated"],
                  "extra": {"authentication.kubernetes.io/pod-name": ["web"]}}}}
    state.reply(SSR, review)
    assert tug(server, "auth", "whoami") == 0
    pad = len("Extra: authentication.kubernetes.io/pod-name") + 3
    assert capsys.readouterr().out == (
        f"{'ATTRIBUTE':{pad}}VALUE\n"
        f"{'Username':{pad}}system:serviceaccount:dev:app\n"
        f"{'UID':{pad}}1234\n"
        f"{'Groups':{pad}}[system:serviceaccounts system:authenticated]\n"
        f"{'Extra: authentication.kubernetes.io/pod-name':{pad}}[web]\n")
    assert tug(server, "auth", "whoami", "-o", "json") == 0
    assert json.loads(capsys.readouterr().out) == review
    assert state.requests[0].body["kind"] == "SelfSubjectReview"


def test_whoami_when_the_api_is_missing(stub: tuple[CannedApi, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, server = stub
    assert tug(server, "auth", "whoami") == 1
    assert capsys.readouterr().err.startswith(
        "error: the selfsubjectreviews API is not enabled in the cluster\n")


TOKEN_PATH = "/api/v1/namespaces/dev/serviceaccounts/app/token"


def test_create_token_prints_the_bare_token(stub: tuple[CannedApi, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    state, server = stub
    state.reply(TOKEN_PATH, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                             "status": {"token": "eyJ.abc.def",
                                        "expirationTimestamp": "2030-01-01T00:00:00Z"}})
    assert tug(server, "create", "token", "app", "-n", "dev", "--duration", "1h",
               "--audience", "a1", "--audience", "a2", "--bound-object-kind", "Pod",
               "--bound-object-name", "web", "--bound-object-uid", "u1") == 0
    assert capsys.readouterr().out == "eyJ.abc.def"  # no newline when not a terminal
    assert state.requests[0].body["spec"] == {
        "audiences": ["a1", "a2"], "expirationSeconds": 3600,
        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web", "uid": "u1"}}


def test_create_token_flag_checks_and_errors(stub: tuple[CannedApi, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, server = stub
    assert tug(server, "create", "token", "app", "--bound-object-name", "web") == 1
    assert capsys.readouterr().err == ("error: --bound-object-name can only be set if "
                                       "--bound-object-kind is provided\n")
    assert tug(server, "create", "token", "app", "--bound-object-kind", "Job",
               "--bound-object-name", "j") == 1
    assert capsys.readouterr().err == ("error: supported --bound-object-kind values are "
                                       "Node, Pod, Secret\n")
    assert tug(server, "create", "token", "app", "--duration", "1500ms") == 1
    assert capsys.readouterr().err == ("error: --duration cannot be expressed in units less "
                                       "than seconds\n")
    assert tug(server, "create", "token", "app", "-n", "dev") == 1
    assert capsys.readouterr().err == ("error: failed to create token: the server could not "
                                       "find the requested resource\n")
