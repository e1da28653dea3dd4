"""The generators of objects that run or hold workloads: namespace, service account,
deployment, job — and how kubectl names a container after its image."""

from __future__ import annotations

import secrets

from tugboat.cli.generators import GeneratorError, Obj, metadata

# k8s.io/apimachinery/pkg/util/rand: no vowels (no words), no look-alikes
RAND_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def namespace(name: str) -> Obj:
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": metadata(name),
            "spec": {}, "status": {}}


def service_account(name: str) -> Obj:
    return {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": metadata(name)}


def container_name(image: str) -> str:
    """The last path segment without tag or digest; a name with `_` or `.` (not a DNS
    label) gets them as `-` and a random 5-character suffix, so two such images differ."""
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    if "_" in name or "." in name:
        name = name.replace("_", "-").replace(".", "-")
        name = f"{name}-{''.join(secrets.choice(RAND_ALPHABET) for _ in range(5))}"
    return name


def _container(name: str, image: str, command: list[str]) -> Obj:
    c: Obj = {"name": name, "image": image}
    if command:
        c["command"] = list(command)
    c["resources"] = {}
    return c


def deployment(name: str, images: list[str], replicas: int = 1, port: int = -1,
               command: list[str] | None = None) -> Obj:
    if not images:
        raise GeneratorError('required flag(s) "image" not set')
    if len(images) > 1 and command:
        raise GeneratorError("cannot specify multiple --image options and command")
    labels = {"app": name}
    containers = [_container(container_name(i), i, command or []) for i in images]
    if port >= 0:
        first = containers[0]
        first.pop("resources")
        first["ports"] = [{"containerPort": port}]
        first["resources"] = {}
    return {
        "kind": "Deployment", "apiVersion": "apps/v1", "metadata": metadata(name, labels),
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                              "spec": {"containers": containers}},
                 "strategy": {}},
        "status": {}}


def job(name: str, image: str | None, command: list[str] | None = None,
        from_: str | None = None) -> Obj:
    if image and from_:
        raise GeneratorError("--image and --from are mutually exclusive")
    if not image and not from_:
        raise GeneratorError("either --image or --from must be specified")
    if from_ and command:
        raise GeneratorError("cannot specify --from and command")
    if from_:
        # CronJobs are not served: kubectl's answer when the server lacks the type
        kind = from_.partition("/")[0]
        raise GeneratorError(f'the server doesn\'t have a resource type "{kind}"')
    assert image is not None
    return {
        "kind": "Job", "apiVersion": "batch/v1", "metadata": metadata(name),
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [_container(name, image, command or [])],
                                       "restartPolicy": "Never"}}},
        "status": {}}
