"""Below the disk reserve only what stores something is refused: reviews and token
requests keep answering (the kubelet authenticates logs/exec through them), and an
eviction, a delete, goes through like one."""

from __future__ import annotations

import httpx
import pytest

from tugboat.apiserver.app import build_app
from tugboat.store import open_store

FULL = 1 << 62  # more free space than any disk has: the disk reads as below the reserve


@pytest.fixture
async def client(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/state.db")
    app = build_app(store, storage_reserve=FULL)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://tugboat") as c:
            yield c


@pytest.mark.anyio
async def test_a_stored_write_is_refused(client):
    r = await client.post("/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "x"}})
    assert r.status_code == 507 and r.json()["reason"] == "InsufficientStorage"


@pytest.mark.anyio
async def test_a_review_is_answered(client):
    r = await client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", json={})
    assert r.status_code == 201, r.text


@pytest.mark.anyio
async def test_an_eviction_is_not_refused_for_room(client):
    r = await client.post("/api/v1/namespaces/default/pods/gone/eviction", json={
        "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "gone"}})
    assert r.status_code == 404, r.text
