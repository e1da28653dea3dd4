"""A small operator written with kopf (the Kubernetes Operator Pythonic Framework), run
by tests/compat/test_kopf_operator.py as `kopf run --standalone` against a Tugboat API
server: a `WebApp` (spec.replicas, spec.image) is reconciled into a Deployment of the
same name that the WebApp owns (kopf.adopt), and the WebApp's status says what was done.

It is written as an operator author would write one for Kubernetes — nothing here knows
it talks to Tugboat — which is the point of the compat test."""

from __future__ import annotations

from typing import Any

import kopf
import kubernetes

GROUP, VERSION, PLURAL = "webapps.tugboat.dev", "v1", "webapps"

_apps: kubernetes.client.AppsV1Api | None = None


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    global _apps
    kubernetes.config.load_kube_config()  # the KUBECONFIG kopf itself logged in with
    _apps = kubernetes.client.AppsV1Api()


def deployment_for(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "webapp"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": spec.get("replicas", 1), "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": "web", "image": spec["image"]}]}}}}


@kopf.on.create(GROUP, VERSION, PLURAL)
@kopf.on.update(GROUP, VERSION, PLURAL, field="spec")
def reconcile(name: str, namespace: str, spec: kopf.Spec, patch: kopf.Patch,
              body: kopf.Body, **_: Any) -> None:
    assert _apps is not None
    desired = deployment_for(name, dict(spec))
    kopf.adopt(desired)  # ownerReferences → the WebApp; the WebApp's namespace
    try:
        _apps.read_namespaced_deployment(name, namespace)
    except kubernetes.client.ApiException as e:
        if e.status != 404:
            raise
        _apps.create_namespaced_deployment(namespace, desired)
    else:  # a strategic merge patch: the container is merged by its name
        _apps.patch_namespaced_deployment(name, namespace, {
            "spec": {"replicas": desired["spec"]["replicas"], "template": {"spec": {
                "containers": desired["spec"]["template"]["spec"]["containers"]}}}})
    patch.status["deployment"] = name
    patch.status["replicas"] = desired["spec"]["replicas"]
    patch.status["image"] = spec["image"]
    kopf.info(body, reason="Reconciled", message=(
        f"Deployment {name}: {desired['spec']['replicas']} x {spec['image']}"))
