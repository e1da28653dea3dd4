"""Pieces of describe pages: probes, QoS, labels and annotations, generic titles."""

from __future__ import annotations

from tugboat.cli.describe.generic import smart_label
from tugboat.cli.describe.pods import qos_class
from tugboat.cli.describe.podspec import describe_probe
from tugboat.cli.describe.writer import PrefixWriter, annotations_multiline, labels_multiline


def test_probes_read_as_kubectl_prints_them() -> None:
    defaults = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                "failureThreshold": 3}
    assert describe_probe({"httpGet": {"path": "/", "port": 8080}, **defaults}) == \
        "http-get http://:8080/ delay=0s timeout=1s period=10s #success=1 #failure=3"
    assert describe_probe({"tcpSocket": {"port": 9000}, **defaults}).startswith(
        "tcp-socket :9000 delay=0s")
    assert describe_probe({"exec": {"command": ["test", "-f", "/x"]}, **defaults}).startswith(
        "exec [test -f /x] delay=0s")


def test_qos_classes() -> None:
    def pod(resources: dict) -> dict:
        return {"spec": {"containers": [{"name": "c", "resources": resources}]}}
    assert qos_class(pod({})) == "BestEffort"
    assert qos_class(pod({"requests": {"cpu": "100m"}})) == "Burstable"
    full = {"cpu": "1", "memory": "1Gi"}
    assert qos_class(pod({"requests": full, "limits": full})) == "Guaranteed"
    assert qos_class(pod({"limits": full})) == "Guaranteed"


def test_multiline_labels_and_annotations() -> None:
    w = PrefixWriter()
    w.write(0, "Name:\tweb\n")
    labels_multiline(w, "Labels", {"b": "2", "a": "1"})
    annotations_multiline(w, "Annotations", {
        "kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "hi"})
    assert w.page() == ("Name:         web\nLabels:       a=1\n              b=2\n"
                        "Annotations:  note: hi\n")


def test_smart_labels() -> None:
    assert smart_label("holderIdentity") == "Holder Identity"
    assert smart_label("apiVersion") == "API Version"
    assert smart_label("uid") == "UID"
    assert smart_label("some_field") == "some_field"
