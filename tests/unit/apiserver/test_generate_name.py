"""generateName: a clash of random suffixes is retried by the server (Kubernetes'
RetryGenerateName), while a clash of a client-chosen name stays a 409."""

from __future__ import annotations

from unittest import mock

import httpx
import pytest

from tugboat.apiserver.app import build_app
from tugboat.apiserver.strategies import generic


@pytest.fixture
async def client(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/state.db")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://tugboat") as c:
            yield c


@pytest.mark.anyio
async def test_generated_name_clash_is_retried(client):
    names = iter(["web-aaaaa", "web-aaaaa", "web-aaaaa", "web-bbbbb"])
    url = "/api/v1/namespaces/default/configmaps"
    with mock.patch.object(generic, "generate_name", lambda _prefix: next(names)):
        first = await client.post(url, json={"metadata": {"generateName": "web-"}})
        second = await client.post(url, json={"metadata": {"generateName": "web-"}})
    assert (first.status_code, first.json()["metadata"]["name"]) == (201, "web-aaaaa")
    assert (second.status_code, second.json()["metadata"]["name"]) == (201, "web-bbbbb")


@pytest.mark.anyio
async def test_chosen_name_clash_is_already_exists(client):
    url = "/api/v1/namespaces/default/configmaps"
    assert (await client.post(url, json={"metadata": {"name": "x"}})).status_code == 201
    again = await client.post(url, json={"metadata": {"name": "x", "generateName": "y-"}})
    assert again.status_code == 409 and again.json()["reason"] == "AlreadyExists"
