"""`tug cordon|uncordon|drain` on a Node object and pods bound to it (no kubelet: pods are
evicted with --grace-period=0, so they go at once)."""

from __future__ import annotations

import httpx

from tests.integration.cli.conftest import Tug, create, pod


def _node(api: httpx.Client, name: str) -> dict:
    return api.get(f"/api/v1/nodes/{name}").json()


def test_cordon_uncordon(tug: Tug, api: httpx.Client, ns: str) -> None:
    name = f"{ns}-n"
    create(api, "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
    assert tug.ok("cordon", name) == f"node/{name} cordoned\n"
    assert _node(api, name)["spec"]["unschedulable"] is True
    assert tug.ok("cordon", name) == f"node/{name} already cordoned\n"
    assert tug.ok("uncordon", name) == f"node/{name} uncordoned\n"
    assert not _node(api, name)["spec"].get("unschedulable")
    r = tug("cordon", "no-such-node")
    assert r.code == 1 and r.err == 'Error from server (NotFound): nodes "no-such-node" not found\n'


def test_drain(tug: Tug, api: httpx.Client, ns: str) -> None:
    name = f"{ns}-n"
    create(api, "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
    owner = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1",
              "controller": True}]
    managed = pod("managed", node=name)
    managed["metadata"]["ownerReferences"] = owner
    create(api, f"/api/v1/namespaces/{ns}/pods", managed)
    create(api, f"/api/v1/namespaces/{ns}/pods", pod("bare", node=name))
    r = tug("drain", name, "--grace-period=0")
    assert r.code == 1 and r.out == f"node/{name} cordoned\n"
    assert r.err == (f'error: unable to drain node "{name}" due to error: cannot delete Pods '
                     f"that declare no controller (use --force to override): {ns}/bare\n")
    r = tug("drain", name, "--grace-period=0", "--force").ok()
    lines = r.out.splitlines()
    assert lines[0] == f"node/{name} already cordoned"
    assert f"evicting pod {ns}/managed" in lines and "pod/managed evicted" in lines
    assert f"evicting pod {ns}/bare" in lines and "pod/bare evicted" in lines
    assert lines[-1] == f"node/{name} drained"
    assert r.err == f"Warning: deleting Pods that declare no controller: {ns}/bare\n"
    assert api.get(f"/api/v1/namespaces/{ns}/pods/managed").status_code == 404
