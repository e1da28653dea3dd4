"""The OpenAPI v3 documents are served as kube-openapi serves them, so clients can cache
them: the index names each document by its content hash, a request by the current hash is
immutable, a stale hash is redirected, an ETag revalidates, and a client that takes only
protobuf gets 406. A document is encoded once: the second request is quick."""

from __future__ import annotations

import hashlib
import time

import httpx

_PROTOBUF = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"


def test_the_index_names_documents_by_their_hash(client: httpx.Client) -> None:
    idx = client.get("/openapi/v3")
    assert idx.status_code == 200 and idx.headers["etag"]
    url = idx.json()["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    r = client.get(url)
    assert r.status_code == 200
    digest = hashlib.sha512(r.content).hexdigest().upper()
    assert url.endswith(f"?hash={digest}") and r.headers["etag"] == f'"{digest}"'
    assert r.headers["cache-control"] == "public, immutable" and r.headers["expires"]
    again = client.get("/openapi/v3", headers={"If-None-Match": idx.headers["etag"]})
    assert again.status_code == 304


def test_a_stale_hash_is_redirected_to_the_current_one(client: httpx.Client) -> None:
    url = client.get("/openapi/v3").json()["paths"]["api/v1"]["serverRelativeURL"]
    r = client.get("/openapi/v3/api/v1?hash=0123ABCD", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == url
    assert "cache-control" not in client.get("/openapi/v3/api/v1").headers


def test_an_etag_revalidates(client: httpx.Client) -> None:
    first = client.get("/openapi/v3/api/v1")
    r = client.get("/openapi/v3/api/v1", headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 304 and r.content == b""


def test_protobuf_only_is_not_acceptable(client: httpx.Client) -> None:
    assert client.get("/openapi/v3/api/v1", headers={"Accept": _PROTOBUF}).status_code == 406
    r = client.get("/openapi/v3/api/v1", headers={"Accept": f"{_PROTOBUF}, application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"


def test_documents_are_served_from_a_cache(client: httpx.Client) -> None:
    client.get("/openapi/v3/api/v1").raise_for_status()  # the first one builds it
    started = time.monotonic()
    r = client.get("/openapi/v3/api/v1")
    elapsed = time.monotonic() - started
    assert r.status_code == 200 and len(r.content) > 100_000
    assert elapsed < 0.5, f"the api/v1 document took {elapsed:.2f}s on a second request"


_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def test_openapi_v2_as_json_and_as_gnostic_protobuf(client: httpx.Client) -> None:
    """kubectl explain --output plaintext-openapiv2 asks only for the protobuf form."""
    r = client.get("/openapi/v2")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["swagger"] == "2.0"
    pod = doc["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["properties"]["spec"]["$ref"] == "#/definitions/io.k8s.api.core.v1.PodSpec"
    assert pod["description"].startswith("Pod is a collection of containers")
    pb = client.get("/openapi/v2", headers={"Accept": _V2_PROTOBUF})
    assert pb.status_code == 200 and pb.headers["content-type"].endswith("+protobuf")
    assert pb.content.startswith(b"\x0a\x032.0") and b"io.k8s.api.core.v1.PodSpec" in pb.content
    assert pb.headers["etag"] == r.headers["etag"]
    again = client.get("/openapi/v2", headers={"Accept": _V2_PROTOBUF,
                                               "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/openapi/v2", headers={"Accept": "text/html"}).status_code == 406
