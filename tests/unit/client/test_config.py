"""Kubeconfig loading (explicit path, KUBECONFIG, ~/.tug/config, TUG_SERVER) and writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tugboat.client import (
    ClientConfig,
    ConfigError,
    daemon_config,
    load_config,
    write_kubeconfig,
)
from tugboat.client.config import DEFAULT_SERVER

KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: {server: "http://10.0.0.1:8080/"}
- name: prod-cluster
  cluster: {server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true}
users:
- name: dev-user
  user: {token: dev-token}
- name: prod-user
  user: {tokenFile: TOKEN_FILE}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("TUG_SERVER", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    token_file = tmp_path / "token"
    token_file.write_text("prod-token\n")
    path = tmp_path / "config"
    path.write_text(KUBECONFIG.replace("TOKEN_FILE", str(token_file)))
    return path


def test_current_context(kubeconfig: Path) -> None:
    assert load_config(kubeconfig) == ClientConfig(
        server="http://10.0.0.1:8080", token="dev-token", namespace="team-a", context="dev")


def test_named_context_token_file_and_tls(kubeconfig: Path) -> None:
    cfg = load_config(kubeconfig, context="prod")
    assert (cfg.server, cfg.token, cfg.namespace, cfg.verify) == (
        "https://10.0.0.2:6443", "prod-token", "default", False)
    with pytest.raises(ConfigError, match="nope"):
        load_config(kubeconfig, context="nope")


def test_overrides(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUG_SERVER", "http://env:1")
    assert load_config(kubeconfig).server == "http://env:1"
    assert load_config(kubeconfig).token == "dev-token"
    assert load_config(kubeconfig, server="http://flag:2").server == "http://flag:2"
    assert load_config(kubeconfig, namespace="other").namespace == "other"


def test_kubeconfig_env_merges_files(kubeconfig: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "first"
    write_kubeconfig(first, "http://first:1", name="dev")  # defines dev first: it wins
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(tmp_path / "absent"), str(first),
                                                      str(kubeconfig)]))
    cfg = load_config()
    assert (cfg.server, cfg.context, cfg.token) == ("http://first:1", "dev", None)
    prod = load_config(context="prod")  # only in the second file
    assert prod.server == "https://10.0.0.2:6443"


def test_home_tug_config_is_the_default(tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "home" / ".tug" / "config", "http://home:9", token="t")
    cfg = load_config()
    assert (cfg.server, cfg.token, cfg.context) == ("http://home:9", "t", "tugboat")


def test_defaults_without_any_file() -> None:
    assert load_config() == ClientConfig(server=DEFAULT_SERVER, namespace="default")


def test_explicit_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing")
    broken = tmp_path / "broken"
    broken.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="not a mapping"):
        load_config(broken)


def test_write_kubeconfig_is_private_and_kubectl_shaped(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "d" / "config", "http://127.0.0.1:8080",
                            token="abc", namespace="ns1")
    assert path.stat().st_mode & 0o777 == 0o600
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "tugboat"
    assert doc["clusters"] == [{"name": "tugboat", "cluster": {"server": "http://127.0.0.1:8080"}}]
    assert doc["users"] == [{"name": "tugboat", "user": {"token": "abc"}}]
    assert load_config(path) == ClientConfig(server="http://127.0.0.1:8080", token="abc",
                                             namespace="ns1", context="tugboat")


def test_a_daemons_kubeconfig_wins_over_server_and_tug_server(
        kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUG_SERVER", "http://from-env:1")
    cfg = daemon_config(str(kubeconfig), "http://127.0.0.1:8080")
    assert (cfg.server, cfg.token) == ("http://10.0.0.1:8080", "dev-token")


def test_a_daemon_with_only_server_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert daemon_config(None, "http://127.0.0.1:9999").server == "http://127.0.0.1:9999"


def test_a_daemons_missing_kubeconfig_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        daemon_config(str(tmp_path / "nope.conf"), None)


def test_a_certificate_kubeconfig_round_trips(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "admin.conf", "https://127.0.0.1:6443", name="tugboat",
                            user="kubernetes-admin", certificate_authority_data=b"CA PEM\n",
                            client_certificate_data=b"CERT PEM\n", client_key_data=b"KEY\n")
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "kubernetes-admin@tugboat"
    assert doc["clusters"][0]["cluster"]["certificate-authority-data"] == "Q0EgUEVNCg=="
    cfg = load_config(path)
    assert (cfg.certificate_authority_data, cfg.client_certificate_data, cfg.client_key_data) \
        == (b"CA PEM\n", b"CERT PEM\n", b"KEY\n")
