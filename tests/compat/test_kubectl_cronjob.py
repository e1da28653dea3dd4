"""CronJobs with real kubectl 1.32 and 1.37: `create cronjob` (its typed client sends and
reads protobuf), `get cronjobs`/`get cj` with the server's columns, `create job
--from=cronjob/x` (read the CronJob, build its Job), and the 422 a bad schedule gets."""

from __future__ import annotations

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
