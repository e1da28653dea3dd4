"""CronJobs with real kubectl 1.32 and 1.37: `create cronjob` (its typed client sends and
reads protobuf), `get cronjobs`/`get cj` with the server's columns, `create job
--from=cronjob/x` (read the CronJob, build its Job), the 422 a bad schedule gets, and
the official Python client's typed CronJob calls."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.compat.conftest import Kubectl, Rest


def test_create_get_and_job_from_cronjob(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    assert kubectl.ok("create", "cronjob", "tick", "--image=busybox:1.36",
                      "--schedule=*/5 * * * *", "--", "date").strip() \
        == "cronjob.batch/tick created"
    cj = rest.get(f"/apis/batch/v1/namespaces/{ns}/cronjobs/tick")
    assert cj["spec"]["schedule"] == "*/5 * * * *"
    assert cj["spec"]["concurrencyPolicy"] == "Allow"
    assert cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"

    out = kubectl.ok("get", "cj").splitlines()
    assert out[0].split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE",
                              "LAST", "SCHEDULE", "AGE"]
    assert out[1].split()[:10] == ["tick", "*/5", "*", "*", "*", "*", "<none>", "False", "0",
                                   "<none>"]

    assert kubectl.ok("create", "job", "manual", "--from=cronjob/tick").strip() \
        == "job.batch/manual created"
    job = rest.get(f"/apis/batch/v1/namespaces/{ns}/jobs/manual")
    meta = job["metadata"]
    assert meta["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    [owner] = meta["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"]) == ("CronJob", "tick",
                                                          cj["metadata"]["uid"])
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["date"]


def test_bad_schedule_is_invalid(kubectl: Kubectl, ns: str) -> None:
    r = kubectl("create", "cronjob", "bad", "--image=busybox",
                "--schedule=CRON_TZ=UTC * * * * *")
    assert r.returncode == 1
    assert '"bad" is invalid: spec.schedule: Invalid value: "CRON_TZ=UTC * * * * *": cannot ' \
           "use TZ or CRON_TZ in schedule, use timeZone field instead" in r.stderr
    r = kubectl("create", "job", "j", "--from=cronjob/ghost")
    assert r.returncode == 1
    assert 'cronjobs.batch "ghost" not found' in r.stderr


def test_python_client_typed_cronjob(api_client: client.ApiClient, ns: str) -> None:
    batch = client.BatchV1Api(api_client)
    body = client.V1CronJob(
        metadata=client.V1ObjectMeta(name="py"),
        spec=client.V1CronJobSpec(
            schedule="0 3 * * *", time_zone="Europe/Paris", concurrency_policy="Forbid",
            job_template=client.V1JobTemplateSpec(spec=client.V1JobSpec(
                template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                    restart_policy="Never",
                    containers=[client.V1Container(name="c", image="busybox:1.36")]))))))
    made = batch.create_namespaced_cron_job(ns, body)
    assert (made.spec.time_zone, made.spec.concurrency_policy, made.spec.suspend,
            made.spec.successful_jobs_history_limit) == ("Europe/Paris", "Forbid", False, 3)
    [listed] = batch.list_namespaced_cron_job(ns).items
    assert listed.metadata.uid == made.metadata.uid
    patched = batch.patch_namespaced_cron_job("py", ns, {"spec": {"suspend": True}})
    assert patched.spec.suspend is True and patched.metadata.generation == 2
    with pytest.raises(ApiException) as e:
        batch.patch_namespaced_cron_job("py", ns, {"spec": {"timeZone": "Mars/Base"}})
    assert e.value.status == 422
