"""The generators of objects that run or hold workloads: namespace, service account,
deployment, job, cronjob — and how kubectl names a container after its image."""

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
        from_: str | None = None, source: Obj | None = None) -> Obj:
    """A Job running `image`, or (`--from=cronjob/NAME`) the Job of the CronJob `source`
    that the caller read from the server."""
    if image and from_:
        raise GeneratorError("--image and --from are mutually exclusive")
    if not image and not from_:
        raise GeneratorError("either --image or --from must be specified")
    if from_ and command:
        raise GeneratorError("cannot specify --from and command")
    if from_:
        if source is None:  # kubectl's answer when the server lacks the type
            kind = from_.partition("/")[0]
            raise GeneratorError(f'the server doesn\'t have a resource type "{kind}"')
        return job_from_cron_job(name, source)
    assert image is not None
    return {
        "kind": "Job", "apiVersion": "batch/v1", "metadata": metadata(name),
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [_container(name, image, command or [])],
                                       "restartPolicy": "Never"}}},
        "status": {}}


def cron_job(name: str, image: str | None, schedule: str | None, restart: str = "OnFailure",
             command: list[str] | None = None) -> Obj:
    """kubectl create cronjob: one container named after the CronJob; the Job template
    carries the CronJob's name too."""
    missing = [f'"{flag}"' for flag, value in (("image", image), ("schedule", schedule))
               if not value]
    if missing:
        raise GeneratorError(f"required flag(s) {', '.join(missing)} not set")
    assert image is not None and schedule is not None
    return {
        "kind": "CronJob", "apiVersion": "batch/v1", "metadata": metadata(name),
        "spec": {"schedule": schedule, "jobTemplate": {
            "metadata": metadata(name),
            "spec": {"template": {"metadata": {"creationTimestamp": None},
                                  "spec": {"containers": [_container(name, image, command or [])],
                                           "restartPolicy": restart}}}}},
        "status": {}}


def job_from_cron_job(name: str, cron_job: Obj) -> Obj:
    """kubectl's createJobFromCronJob: the template's labels and spec, its annotations
    plus `cronjob.kubernetes.io/instantiate: manual`, and an owner reference to the CronJob
    without blockOwnerDeletion (which would need the cronjobs/finalizers permission)."""
    template = (cron_job.get("spec") or {}).get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    meta = metadata(name)
    meta["annotations"] = {"cronjob.kubernetes.io/instantiate": "manual",
                           **(tmeta.get("annotations") or {})}
    if tmeta.get("labels"):
        meta["labels"] = dict(tmeta["labels"])
    cmeta = cron_job.get("metadata") or {}
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob",
                                "name": cmeta.get("name"), "uid": cmeta.get("uid"),
                                "controller": True}]
    spec = dict(template.get("spec") or {})
    pod = dict(spec.get("template") or {})
    # Go's zero creationTimestamp of the copied pod template prints as null (kubectl 1.32)
    pod["metadata"] = {"creationTimestamp": None, **(pod.get("metadata") or {})}
    spec["template"] = pod
    return {"kind": "Job", "apiVersion": "batch/v1", "metadata": meta, "spec": spec,
            "status": {}}
