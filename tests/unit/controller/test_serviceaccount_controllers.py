"""The service account controller and the root CA publisher: what each writes for a
namespace, and that a deleted object comes back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.options import ControllerOptions
from tugboat.controller.rootcacertpublisher import RootCACertPublisher
from tugboat.controller.serviceaccounts import ServiceAccountsController

pytestmark = pytest.mark.anyio
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


async def test_every_namespace_gets_a_default_service_account() -> None:
    ctx = context()
    c = ServiceAccountsController(ctx)
    ctx.informers["namespaces"].add({"metadata": {"name": "team"},
                                     "status": {"phase": "Active"}})
    assert len(c.queue) == 1
    await c.reconcile("team")
    (create,) = ctx.client.writes("create", "serviceaccounts")
    assert create[2]["metadata"] == {"name": "default", "namespace": "team", "uid": create[2][
        "metadata"]["uid"], "resourceVersion": "1", "creationTimestamp": "2025-01-01T00:00:00Z"}
    ctx.informers["serviceaccounts"].add(create[2])
    await c.reconcile("team")
    assert len(ctx.client.writes("create")) == 1  # it exists now


async def test_a_deleted_default_comes_back_but_not_in_a_terminating_namespace() -> None:
    ctx = context()
    c = ServiceAccountsController(ctx)
    sa = ctx.informers["serviceaccounts"]
    sa.add({"metadata": {"name": "default", "namespace": "team"}})
    ctx.informers["namespaces"].add({"metadata": {"name": "team"}})
    sa.remove("team/default")
    await c.reconcile("team")
    assert len(ctx.client.writes("create", "serviceaccounts")) == 1
    ctx.informers["namespaces"].add({"metadata": {"name": "old"},
                                     "status": {"phase": "Terminating"}})
    await c.reconcile("old")
    assert len(ctx.client.writes("create", "serviceaccounts")) == 1


async def test_the_root_ca_is_published_and_kept(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_text(PEM)
    ctx = context(ControllerOptions(root_ca_file=str(tmp_path / "ca.crt")))
    c = RootCACertPublisher(ctx)
    ctx.informers["namespaces"].add({"metadata": {"name": "team"}})
    await c.reconcile("team")
    (create,) = ctx.client.writes("create", "configmaps")
    cm = create[2]
    assert cm["metadata"]["name"] == "kube-root-ca.crt" and cm["data"] == {"ca.crt": PEM}
    assert "kubernetes.io/description" in cm["metadata"]["annotations"]
    ctx.informers["configmaps"].add({**cm, "data": {"ca.crt": "tampered"}})
    await c.reconcile("team")
    (update,) = ctx.client.writes("update", "configmaps")
    assert update[2]["data"] == {"ca.crt": PEM}
