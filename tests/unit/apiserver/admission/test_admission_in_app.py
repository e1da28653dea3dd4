"""PodSecurity and NodeRestriction in the real write pipeline (the app over SQLite, users
set as the authentication filter would): what a client sees — the 403 Status, the
Warning headers — and that a refused write stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tugboat.apiserver.admission.interface import AdmissionChain
from tugboat.apiserver.admission.noderestriction import NodeRestriction
from tugboat.apiserver.admission.podsecurity import PodSecurity
from tugboat.apiserver.app import build_app
from tugboat.apiserver.auth.user import PRIVILEGED, SCOPE_KEY, UserInfo

KUBELET = UserInfo("system:node:node-1", groups=("system:nodes", "system:authenticated"))
PODS = "/api/v1/namespaces/team/pods"


def pod(name: str, **container: Any) -> dict:
    return {"metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox", **container}]}}


@pytest.fixture
async def app(tmp_path) -> AsyncIterator[Any]:  # noqa: ANN001
    app = build_app(f"sqlite:///{tmp_path}/state.db")
    cache = app.state.registry.cache
    app.state.registry.admission = AdmissionChain(
        validating=[PodSecurity(cache), NodeRestriction(cache)])
    async with app.router.lifespan_context(app):
        yield app


def client(app: Any, user: UserInfo = PRIVILEGED) -> httpx.AsyncClient:
    async def as_user(scope, receive, send):  # noqa: ANN001, ANN202 - an ASGI app
        scope[SCOPE_KEY] = user
        await app(scope, receive, send)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=as_user),
                             base_url="http://tugboat")


@pytest.mark.anyio
async def test_pod_security_through_the_pipeline(app: Any) -> None:
    async with client(app) as admin:
        r = await admin.post("/api/v1/namespaces", json={"metadata": {"name": "team", "labels": {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted"}}})
        assert r.status_code == 201, r.text
        r = await admin.post(PODS, json=pod("root", securityContext={"privileged": True}))
        assert r.status_code == 403
        assert r.json()["message"] == (
            'pods "root" is forbidden: violates PodSecurity "baseline:latest": privileged '
            '(container "c" must not set securityContext.privileged=true)')
        assert (await admin.get(f"{PODS}/root")).status_code == 404
        r = await admin.post(PODS, json=pod("plain"))
        assert r.status_code == 201, r.text
        assert r.headers["Warning"].startswith(
            '299 - "would violate PodSecurity \\"restricted:latest\\": '
            'allowPrivilegeEscalation != false')
        ns = (await admin.get("/api/v1/namespaces/team")).json()
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
        r = await admin.put("/api/v1/namespaces/team", json=ns)
        assert r.status_code == 200, r.text
        assert 'existing pods in namespace \\"team\\" violate the new PodSecurity enforce ' \
               'level \\"restricted:latest\\"' in r.headers["Warning"]
        assert "plain: allowPrivilegeEscalation != false, unrestricted capabilities, " \
               "runAsNonRoot != true, seccompProfile" in r.headers["Warning"]


@pytest.mark.anyio
async def test_node_restriction_through_the_pipeline(app: Any) -> None:
    async with client(app) as admin, client(app, KUBELET) as kubelet:
        assert (await admin.post("/api/v1/namespaces",
                                 json={"metadata": {"name": "team"}})).status_code == 201
        for name, node in (("mine", "node-1"), ("theirs", "node-2")):
            body = pod(name)
            body["spec"]["nodeName"] = node
            assert (await admin.post(PODS, json=body)).status_code == 201
        mine = (await kubelet.get(f"{PODS}/mine")).json()
        mine["status"] = {"phase": "Running"}
        r = await kubelet.put(f"{PODS}/mine/status", json=mine)
        assert r.status_code == 200, r.text
        theirs = (await kubelet.get(f"{PODS}/theirs")).json()
        theirs["status"] = {"phase": "Running"}
        r = await kubelet.put(f"{PODS}/theirs/status", json=theirs)
        assert r.status_code == 403
        assert r.json()["message"] == (
            'pods "theirs" is forbidden: node "node-1" can only update pod status for pods '
            'with spec.nodeName set to itself')
        r = await kubelet.delete(f"{PODS}/theirs")
        assert r.status_code == 403
        assert r.json()["reason"] == "Forbidden"
        r = await kubelet.post(PODS, json=pod("sneaky"))
        assert r.status_code == 403
        assert "can only create mirror pods" in r.json()["message"]
