"""load_encryption_config: Kubernetes' EncryptionConfiguration accepted as written, and a
bad file refused with one line naming the field (never the secret)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tugboat.apiserver.encryption import (
    EncryptionConfigError,
    load_encryption_config,
    parse_encryption_config,
)

KEY32 = base64.b64encode(b"k" * 32).decode()
KEY16 = base64.b64encode(b"k" * 16).decode()


def config(*providers: dict, resources: list[str] | None = None) -> dict:
    return {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
            "resources": [{"resources": resources or ["secrets"],
                           "providers": list(providers)}]}


def test_the_kubernetes_documentation_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "enc.yaml"
    path.write_text(f"""
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [events]
    providers: [{{identity: {{}}}}]
  - resources: [secrets, configmaps]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: {KEY32}
      - secretbox:
          keys: [{{name: key1, secret: {KEY32}}}]
      - aesgcm:
          keys: [{{name: key1, secret: {KEY16}}}]
      - identity: {{}}
  - resources: ['*.apps']
    providers: [{{aesgcm: {{keys: [{{name: k2, secret: {KEY32}}}]}}}}]
  - resources: ['*.*']
    providers: [{{secretbox: {{keys: [{{name: k3, secret: {KEY32}}}]}}}}]
""")
    cfg = load_encryption_config(path)
    assert [t.prefix for t in cfg.chain_for("", "secrets").transformers] == [
        b"k8s:enc:aescbc:v1:key1:", b"k8s:enc:secretbox:v1:key1:",
        b"k8s:enc:aesgcm:v1:key1:", b""]
    assert cfg.chain_for("", "events").transformers[0].prefix == b""
    assert cfg.chain_for("apps", "deployments").transformers[0].prefix.startswith(
        b"k8s:enc:aesgcm:v1:k2:")
    assert cfg.chain_for("batch", "jobs").transformers[0].prefix == \
        b"k8s:enc:secretbox:v1:k3:"


@pytest.mark.parametrize(("pattern", "group", "resource", "matches"), [
    ("secrets", "", "secrets", True),
    ("secrets", "apps", "secrets", False),
    ("configmaps", "", "secrets", False),
    ("deployments.apps", "apps", "deployments", True),
    ("leases.coordination.k8s.io", "coordination.k8s.io", "leases", True),
    ("*.", "", "pods", True),
    ("*.", "apps", "deployments", False),
    ("*.apps", "apps", "replicasets", True),
    ("*.apps", "batch", "jobs", False),
    ("*.*", "batch", "jobs", True),
    ("*.*", "", "secrets", True),
])
def test_resource_patterns(pattern: str, group: str, resource: str, matches: bool) -> None:
    cfg = parse_encryption_config(config({"identity": {}}, resources=[pattern]))
    assert (cfg.chain_for(group, resource) is not None) == matches


def test_earlier_resource_lists_take_precedence() -> None:
    doc = config({"identity": {}}, resources=["secrets"])
    doc["resources"].append({"resources": ["*.*"], "providers": [
        {"aescbc": {"keys": [{"name": "a", "secret": KEY32}]}}]})
    cfg = parse_encryption_config(doc)
    assert cfg.chain_for("", "secrets").transformers[0].prefix == b""
    assert cfg.chain_for("", "configmaps").transformers[0].prefix == b"k8s:enc:aescbc:v1:a:"


@pytest.mark.parametrize(("doc", "message"), [
    ({"apiVersion": "v1", "kind": "EncryptionConfig", "resources": []},
     'no kind "EncryptionConfig" is registered for version "v1"'),
    (config({"aescbc": {"keys": [{"name": "k", "secret": "bm90IDMyIGJ5dGVz"}]}}),
     "resources[0].providers[0].aescbc.keys[0].secret: Invalid value: \"REDACTED\": secret "
     "is not of the expected length, got 12, expected one of [16 24 32]"),
    (config({"secretbox": {"keys": [{"name": "k", "secret": KEY16}]}}),
     "resources[0].providers[0].secretbox.keys[0].secret: Invalid value: \"REDACTED\": "
     "secret is not of the expected length, got 16, expected one of [32]"),
    (config({"aesgcm": {"keys": [{"name": "k", "secret": "not base64!"}]}}),
     "resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: \"REDACTED\": secret "
     "is not a valid base64 string"),
    (config({"aescbc": {"keys": []}}),
     "resources[0].providers[0].aescbc.keys: Required value"),
    (config({"aescbc": {"keys": [{"name": "a:b", "secret": KEY32}]}}),
     "resources[0].providers[0].aescbc.keys[0].name: Invalid value: \"a:b\""),
    (config({"aescbc": {"keys": [{"name": "a", "secret": KEY32},
                                 {"name": "a", "secret": KEY32}]}}),
     "resources[0].providers[0].aescbc.keys[1].name: Duplicate value: \"a\""),
    (config({"aesgmc": {"keys": []}}),
     "resources[0].providers[0].aesgmc: Extra inputs are not permitted"),
    (config({}), "provider does not contain any of the expected providers"),
    (config({"identity": {}, "aescbc": {"keys": [{"name": "a", "secret": KEY32}]}}),
     "more than one provider"),
    (config({"kms": {"name": "plugin"}}), "resources[0].providers[0].kms: Unsupported value"),
    (config(), "resources[0].providers: Required value"),
    (config({"identity": {}}, resources=["Secrets"]), "should be lowercase"),
    (config({"identity": {}}, resources=["*"]), 'use "*." for all resources'),
    ({**config(), "resources": []}, "resources: Required value"),
])
def test_bad_configurations_are_one_line_errors(doc: dict, message: str) -> None:
    with pytest.raises(EncryptionConfigError) as exc:
        parse_encryption_config(doc)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert KEY32 not in str(exc.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EncryptionConfigError, match="missing.yaml"):
        load_encryption_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: [unclosed\n")
    with pytest.raises(EncryptionConfigError, match=r"bad\.yaml: ") as exc:
        load_encryption_config(bad)
    assert "\n" not in str(exc.value)
