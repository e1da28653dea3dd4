"""`tug create cronjob` and `tug create job --from=cronjob/NAME` against a real API server:
the manifests match real kubectl's, the objects are created, and `tug get cj` prints
kubectl's columns."""

from __future__ import annotations

import json
import subprocess

import httpx

from tests.integration.cli.conftest import Tug
from tests.integration.cli.test_cli_create import KUBECTL, get, kubectl_json


def test_cronjob_and_a_job_from_it(tug: Tug, api: httpx.Client) -> None:
    args = ("cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--",
            "date", "-u")
    argv = [*args[:4], "--dry-run=client", "-o", "json", *args[4:]]
    assert json.loads(tug.ok("create", *argv)) == kubectl_json(tug, *args)
    assert tug.ok("create", *args) == "cronjob.batch/tick created\n"
    cj = get(api, f"/apis/batch/v1/namespaces/{tug.namespace}/cronjobs/tick")
    assert cj["spec"]["successfulJobsHistoryLimit"] == 3

    lines = tug.ok("get", "cj").splitlines()
    assert lines[0].split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST",
                                "SCHEDULE", "AGE"]
    assert lines[1].split()[:10] == ["tick", "*/5", "*", "*", "*", "*", "<none>", "False",
                                     "0", "<none>"]

    ours = json.loads(tug.ok("create", "job", "now", "--from=cronjob/tick",
                             "--dry-run=client", "-o", "json"))
    assert ours == kubectl_json(tug, "job", "now", "--from=cronjob/tick")
    assert tug.ok("create", "job", "now", "--from=cronjob/tick") == "job.batch/now created\n"
    job = get(api, f"/apis/batch/v1/namespaces/{tug.namespace}/jobs/now")
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert job["metadata"]["ownerReferences"][0]["uid"] == cj["metadata"]["uid"]
    r = tug("create", "cronjob", "x", "--image=busybox")
    assert (r.code, r.err) == (1, 'error: required flag(s) "schedule" not set\n')


def test_describe_matches_kubectl(tug: Tug, api: httpx.Client) -> None:
    tug.ok("create", "cronjob", "nightly", "--image=busybox:1.36", "--schedule=@daily", "--",
           "date")
    status = {"lastScheduleTime": "2026-03-07T00:00:00Z", "active": [
        {"kind": "Job", "apiVersion": "batch/v1", "namespace": tug.namespace,
         "name": "nightly-29550240", "uid": "u1"}]}
    path = f"/apis/batch/v1/namespaces/{tug.namespace}/cronjobs/nightly"
    cj = get(api, path)
    r = api.put(f"{path}/status", json={**cj, "status": status})
    assert r.status_code == 200, r.text
    theirs = subprocess.run([KUBECTL, "-s", tug.server, "-n", tug.namespace, "describe",
                             "cronjob", "nightly"], capture_output=True, text=True, timeout=60,
                            env={"HOME": str(tug.home), "PATH": "/usr/bin:/bin"})
    assert theirs.returncode == 0, theirs.stderr
    assert tug.ok("describe", "cj", "nightly") == theirs.stdout
