"""The admission chain on every write, through the real app: mutating plugins before
validating ones, on create, update, status, scale, binding, eviction, finalize and delete,
with the operation, subresource, objects and user Kubernetes would give them; a refusal
leaves nothing stored, and plugins' warnings reach the client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionChain, AdmissionRequest
from tugboat.apiserver.app import build_app
from tugboat.apiserver.auth.user import SCOPE_KEY, UserInfo
from tugboat.apiserver.registry import Registry, WriteOptions

ALICE = UserInfo("alice", groups=("devs", "system:authenticated"))
PODS = "/api/v1/namespaces/default/pods"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
POD = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
DEPLOYMENT = {"metadata": {"name": "d"}, "spec": {
    "selector": {"matchLabels": {"app": "d"}},
    "template": {"metadata": {"labels": {"app": "d"}}, "spec": POD["spec"]}}}


@dataclass
class Seen:
    phase: str
    operation: str
    subresource: str | None
    kind: str | None  # of req.obj
    old_kind: str | None
    user: str
    dry_run: bool
    obj: Any


@dataclass
class Recorder:
    """Both a mutating and a validating plugin: records what it is shown, labels created
    objects, refuses what `refuse` names and warns when asked to."""

    name: str = "Recorder"
    seen: list[Seen] = field(default_factory=list)
    refuse: set[tuple[str, str | None]] = field(default_factory=set)

    def _record(self, phase: str, req: AdmissionRequest) -> None:
        self.seen.append(Seen(phase, req.operation.value, req.subresource,
                              (req.obj or {}).get("kind"), (req.old or {}).get("kind"),
                              req.user.name, req.dry_run, req.obj))

    def admit(self, req: AdmissionRequest) -> None:
        self._record("mutating", req)
        if req.operation.value == "CREATE" and req.subresource is None:
            req.obj["metadata"].setdefault("labels", {})["admitted"] = "yes"

    def validate(self, req: AdmissionRequest) -> None:
        self._record("validating", req)
        req.warnings.append(f"seen {req.operation.value}")
        if (req.operation.value, req.subresource) in self.refuse:
            raise errors.forbidden(req.info, req.name, "refused by Recorder")

    def phases(self) -> list[tuple[str, str, str | None]]:
        return [(s.phase, s.operation, s.subresource) for s in self.seen]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def app(tmp_path) -> FastAPI:
    return build_app(f"sqlite:///{tmp_path}/state.db")


@pytest.fixture
def registry(app: FastAPI) -> Registry:
    return app.state.registry


@pytest.fixture
async def client(app: FastAPI, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    app.state.registry.admission = AdmissionChain(mutating=[recorder], validating=[recorder])

    async def as_alice(scope, receive, send):  # noqa: ANN001, ANN202 - an ASGI app
        scope[SCOPE_KEY] = ALICE  # what the authentication filter stores
        await app(scope, receive, send)

    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=as_alice),
                                     base_url="http://tugboat") as c:
            recorder.seen.clear()  # the default namespaces' creates at start-up
            yield c


async def bound_pod(client: httpx.AsyncClient, recorder: Recorder) -> None:
    assert (await client.post(PODS, json=POD)).status_code == 201
    r = await client.post(f"{PODS}/p/binding", json={
        "kind": "Binding", "metadata": {"name": "p"}, "target": {"name": "node-1"}})
    assert r.status_code == 201, r.text
    recorder.seen.clear()


@pytest.mark.anyio
async def test_create_runs_mutating_then_validating(client, recorder: Recorder) -> None:
    r = await client.post(PODS, json=POD)
    assert r.status_code == 201, r.text
    assert r.json()["metadata"]["labels"] == {"admitted": "yes"}  # the mutation is stored
    assert r.headers["Warning"] == '299 - "seen CREATE"'
    mutating, validating = recorder.seen
    assert recorder.phases() == [("mutating", "CREATE", None), ("validating", "CREATE", None)]
    assert (mutating.kind, mutating.old_kind, mutating.user) == ("Pod", None, "alice")
    # mutating sees the body after the server's metadata, before defaulting
    assert mutating.obj["metadata"]["uid"] and "restartPolicy" not in POD["spec"]
    # validating sees the final, defaulted object
    assert validating.obj["spec"]["restartPolicy"] == "Always"
    assert validating.obj["metadata"]["labels"] == {"admitted": "yes"}


@pytest.mark.anyio
async def test_update_and_status(client, recorder: Recorder) -> None:
    assert (await client.post(PODS, json=POD)).status_code == 201
    pod = (await client.get(f"{PODS}/p")).json()
    recorder.seen.clear()
    pod["metadata"]["labels"]["x"] = "y"
    assert (await client.put(f"{PODS}/p", json=pod)).status_code == 200
    pod = (await client.get(f"{PODS}/p")).json()
    pod["status"]["phase"] = "Running"
    r = await client.put(f"{PODS}/p/status", json=pod)
    assert r.status_code == 200, r.text
    assert recorder.phases() == [
        ("mutating", "UPDATE", None), ("validating", "UPDATE", None),
        ("mutating", "UPDATE", "status"), ("validating", "UPDATE", "status")]
    status_write = recorder.seen[3]
    assert (status_write.kind, status_write.old_kind) == ("Pod", "Pod")
    assert status_write.obj["status"]["phase"] == "Running"


@pytest.mark.anyio
async def test_binding_is_a_create_of_the_binding(client, recorder: Recorder) -> None:
    assert (await client.post(PODS, json=POD)).status_code == 201
    recorder.seen.clear()
    r = await client.post(f"{PODS}/p/binding", json={
        "kind": "Binding", "metadata": {"name": "p"}, "target": {"name": "node-1"}})
    assert r.status_code == 201, r.text
    assert recorder.phases() == [("mutating", "CREATE", "binding"),
                                 ("validating", "CREATE", "binding")]
    assert {(s.kind, s.old_kind, s.user) for s in recorder.seen} == {("Binding", "Pod", "alice")}


@pytest.mark.anyio
async def test_delete_and_eviction(client, recorder: Recorder) -> None:
    await bound_pod(client, recorder)
    r = await client.post(f"{PODS}/p/eviction", json={
        "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}})
    assert r.status_code == 201, r.text
    # the eviction is admitted first; then the pod's DisruptionTarget condition is a
    # status update of its own, before the graceful delete
    assert recorder.phases() == [("mutating", "CREATE", "eviction"),
                                 ("validating", "CREATE", "eviction"),
                                 ("mutating", "UPDATE", "status"),
                                 ("validating", "UPDATE", "status")]
    assert (recorder.seen[1].kind, recorder.seen[1].old_kind) == ("Eviction", "Pod")
    recorder.seen.clear()
    r = await client.delete(f"{PODS}/p", params={"gracePeriodSeconds": "0"})
    assert r.status_code == 200, r.text
    assert recorder.phases() == [("validating", "DELETE", None)]  # validating only
    assert (recorder.seen[0].obj, recorder.seen[0].old_kind) == (None, "Pod")


@pytest.mark.anyio
async def test_scale(client, recorder: Recorder) -> None:
    assert (await client.post(DEPLOYS, json=DEPLOYMENT)).status_code == 201
    recorder.seen.clear()
    r = await client.put(f"{DEPLOYS}/d/scale", json={
        "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": "d"},
        "spec": {"replicas": 3}})
    assert r.status_code == 200, r.text
    assert recorder.phases() == [("mutating", "UPDATE", "scale"),
                                 ("validating", "UPDATE", "scale")]
    assert (recorder.seen[1].kind, recorder.seen[1].old_kind) == ("Scale", "Deployment")


@pytest.mark.anyio
async def test_namespace_finalize(client, recorder: Recorder) -> None:
    assert (await client.post("/api/v1/namespaces",
                              json={"metadata": {"name": "team"}})).status_code == 201
    assert (await client.delete("/api/v1/namespaces/team")).status_code == 200
    recorder.seen.clear()
    r = await client.put("/api/v1/namespaces/team/finalize",
                         json={"metadata": {"name": "team"}, "spec": {"finalizers": []}})
    assert r.status_code == 200, r.text
    assert recorder.phases() == [("mutating", "UPDATE", "finalize"),
                                 ("validating", "UPDATE", "finalize")]
    assert recorder.seen[1].kind == "Namespace"
    assert (await client.get("/api/v1/namespaces/team")).status_code == 404  # finalized


@pytest.mark.anyio
async def test_dry_run_is_admitted_too(client, recorder: Recorder) -> None:
    r = await client.post(PODS, json=POD, params={"dryRun": "All"})
    assert r.status_code == 201, r.text
    assert [s.dry_run for s in recorder.seen] == [True, True]
    assert (await client.get(f"{PODS}/p")).status_code == 404


@pytest.mark.anyio
async def test_a_refused_create_stores_nothing(client, recorder: Recorder) -> None:
    recorder.refuse.add(("CREATE", None))
    r = await client.post(PODS, json=POD)
    assert r.status_code == 403 and r.json()["reason"] == "Forbidden"
    assert "refused by Recorder" in r.json()["message"]
    assert (await client.get(f"{PODS}/p")).status_code == 404


BIND = ("post", "/p/binding", {"kind": "Binding", "metadata": {"name": "p"},
                               "target": {"name": "node-1"}})


@pytest.mark.anyio
@pytest.mark.parametrize(("refused", "request_"), [
    (("UPDATE", None), ("put", "/p", None)),
    (("UPDATE", "status"), ("put", "/p/status", None)),
    (("CREATE", "binding"), BIND),
    (("CREATE", "eviction"), ("post", "/p/eviction", {"kind": "Eviction"})),
    (("DELETE", None), ("delete", "/p", None)),
], ids=["update", "status", "binding", "eviction", "delete"])
async def test_a_refused_write_leaves_the_stored_object(client, recorder: Recorder,
                                                        refused, request_) -> None:
    assert (await client.post(PODS, json=POD)).status_code == 201
    if refused != ("CREATE", "binding"):  # bound, so that eviction and delete would wait
        assert (await client.request(BIND[0], PODS + BIND[1], json=BIND[2])).status_code == 201
    before = (await client.get(f"{PODS}/p")).json()
    recorder.refuse.add(refused)
    method, path, body = request_
    if body is None and method == "put":
        body = {**before, "metadata": {**before["metadata"], "labels": {"new": "label"}},
                "status": {"phase": "Running"}}
    r = await client.request(method, PODS + path, json=body)
    assert r.status_code == 403, r.text
    after = (await client.get(f"{PODS}/p")).json()
    assert after == before


@pytest.mark.anyio
async def test_a_binding_to_a_number_is_invalid(client, recorder: Recorder) -> None:
    assert (await client.post(PODS, json=POD)).status_code == 201
    r = await client.post(f"{PODS}/p/binding", json={
        "kind": "Binding", "metadata": {"name": "p"}, "target": {"name": 7}})
    assert r.status_code == 422 and r.json()["reason"] == "Invalid"
    assert r.json()["details"]["causes"][0]["field"] == "target.name"
    assert "nodeName" not in (await client.get(f"{PODS}/p")).json()["spec"]


@pytest.mark.anyio
async def test_post_subresources_served_elsewhere_are_admitted(client, recorder: Recorder,
                                                               registry) -> None:
    """reststorage's handlers (serviceaccounts/token) are admitted before they run."""
    assert (await client.post(PODS, json=POD)).status_code == 201
    recorder.seen.clear()
    body, warnings = registry.admit_subresource(
        lookup("", "v1", "pods"), "default", "p", "token", {"kind": "TokenRequest"},
        WriteOptions(user=ALICE))
    assert body == {"kind": "TokenRequest"} and warnings == ["seen CREATE"]
    assert recorder.phases() == [("mutating", "CREATE", "token"),
                                 ("validating", "CREATE", "token")]
    assert (recorder.seen[0].kind, recorder.seen[0].old_kind) == ("TokenRequest", "Pod")


@pytest.mark.anyio
async def test_delete_collection_admits_each_object(client, recorder: Recorder) -> None:
    for name in ("a", "b"):
        body = {**POD, "metadata": {"name": name}}
        assert (await client.post(PODS, json=body)).status_code == 201
    recorder.seen.clear()
    r = await client.delete(PODS)
    assert r.status_code == 200, r.text
    assert r.headers["Warning"] == '299 - "seen DELETE"'
    assert sorted((s.phase, s.operation, s.obj, s.old_kind) for s in recorder.seen) == [
        ("validating", "DELETE", None, "Pod")] * 2
