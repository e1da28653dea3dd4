"""Hostile input against a real API server whose address space is capped: amplifying
patches, alias bombs, deep nesting and oversized bodies are refused early with
Kubernetes' Status (never a 500), the server stays healthy with bounded memory, and the
stored object is unchanged. A regression that grows memory hits the cap and fails here
instead of taking the machine down."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest

from tests.integration.kube import assert_status, configmap
from tests.support.processes import ApiServerProcess

Obj = dict[str, Any]
ADDRESS_SPACE_CAP = 1536 * 1024 * 1024  # idle, the server maps ~350 MB
LIMIT = 3 * 1024 * 1024
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
YAML = {"Content-Type": "application/yaml"}

BILLION_LAUGHS = b"""apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("capped-apiserver"),
                            address_space=ADDRESS_SPACE_CAP)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def healthy(apiserver: ApiServerProcess, client: httpx.Client) -> Iterator[None]:
    """After the test the server still serves reads and writes, and its peak memory grew by
    less than 200 MB."""
    peak_before = apiserver.memory("VmHWM")
    yield
    assert apiserver.proc is not None and apiserver.proc.poll() is None, "the server died"
    assert client.get("/readyz").status_code == 200
    r = client.post("/api/v1/namespaces/default/configmaps", json={
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "after-"}})
    assert r.status_code == 201, r.text
    grown = apiserver.memory("VmHWM") - peak_before
    assert grown < 200 * 1024 * 1024, f"peak RSS grew by {grown >> 20} MiB"


@pytest.fixture
def cms(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/configmaps"


@pytest.fixture
def stored(client: httpx.Client, cms: str) -> Iterator[Obj]:
    """A ConfigMap checked unchanged after the test's refused writes."""
    assert client.post(cms, json=configmap("keep", blob="x" * 1024)).status_code == 201
    before = client.get(f"{cms}/keep").json()
    yield before
    assert client.get(f"{cms}/keep").json() == before, "a refused write changed the object"


# -- JSON patch ---------------------------------------------------------------------------

@pytest.mark.usefixtures("healthy")
def test_copy_amplification_stops_at_the_copy_limit(client: httpx.Client, cms: str,
                                                    stored: Obj) -> None:
    # Each copy doubles /data: 60 of them would be 2^60 KB.
    ops = [{"op": "copy", "from": "/data", "path": f"/data/d{i}"} for i in range(60)]
    assert len(orjson.dumps(ops)) < 3500
    t0 = time.monotonic()
    st = assert_status(client.patch(f"{cms}/keep", content=orjson.dumps(ops),
                                    headers=JSON_PATCH), 422, "Invalid")
    assert "Unable to complete the copy" in st["message"] and str(LIMIT) in st["message"], st
    assert time.monotonic() - t0 < 10


@pytest.mark.usefixtures("healthy")
def test_json_patch_of_more_than_10000_operations_is_too_large(client: httpx.Client,
                                                               cms: str, stored: Obj) -> None:
    ops = [{"op": "test", "path": "/kind", "value": "ConfigMap"}] * 10_001
    st = assert_status(client.patch(f"{cms}/keep", content=orjson.dumps(ops),
                                    headers=JSON_PATCH), 413, "RequestEntityTooLarge")
    assert st["message"] == ("Request entity too large: The allowed maximum operations in a "
                             "JSON patch is 10000, got 10001"), st
    ok = [{"op": "test", "path": "/kind", "value": "ConfigMap"}] * 10_000
    assert client.patch(f"{cms}/keep", content=orjson.dumps(ok),
                        headers=JSON_PATCH).status_code == 200


@pytest.mark.parametrize("ops", [
    [1], ["add"], [None], [[{"op": "add"}]], {"op": "add", "path": "/x", "value": 1},
    [{"op": ["add"], "path": "/data/x", "value": "1"}],
    [{"op": {"a": 1}, "path": "/data/x", "value": "1"}],
    [{"op": "add", "path": 1, "value": "1"}],
    [{"op": "copy", "from": 7, "path": "/data/x"}],
    [{"op": "move", "from": None, "path": "/data/x"}],
], ids=repr)
def test_malformed_json_patch_is_a_bad_request(client: httpx.Client, cms: str, stored: Obj,
                                               ops: Any) -> None:
    assert_status(client.patch(f"{cms}/keep", content=orjson.dumps(ops), headers=JSON_PATCH),
                  400, "BadRequest")


def test_moves_that_deepen_the_object_are_refused(client: httpx.Client, cms: str,
                                                  stored: Obj) -> None:
    # Each pair of operations pushes /data one level down, without growing the object.
    ops: list[Obj] = []
    for _ in range(300):
        ops += [{"op": "add", "path": "/tmp", "value": {}},
                {"op": "move", "from": "/data", "path": "/tmp/data"},
                {"op": "move", "from": "/tmp", "path": "/data"}]
    st = assert_status(client.patch(f"{cms}/keep", content=orjson.dumps(ops),
                                    headers=JSON_PATCH), 422, "Invalid")
    assert "deeper than" in st["message"], st


# -- YAML and nesting ---------------------------------------------------------------------

@pytest.mark.usefixtures("healthy")
def test_billion_laughs_is_refused_in_milliseconds(client: httpx.Client, cms: str) -> None:
    assert len(BILLION_LAUGHS) < 400
    t0 = time.monotonic()
    st = assert_status(client.post(cms, content=BILLION_LAUGHS, headers=YAML), 400, "BadRequest")
    assert "excessive aliasing" in st["message"], st
    assert time.monotonic() - t0 < 2  # generous for a loaded machine; the work is ~1 ms
    assert_status(client.get(f"{cms}/lol"), 404)
    # the same bomb in a patch body
    assert client.post(cms, json=configmap("keep")).status_code == 201
    assert_status(client.patch(f"{cms}/keep?fieldManager=bomb", content=BILLION_LAUGHS,
                               headers={"Content-Type": "application/apply-patch+yaml"}), 400)


def test_ordinary_yaml_aliases_still_work(client: httpx.Client, cms: str) -> None:
    body = b"""apiVersion: v1
kind: ConfigMap
metadata: {name: aliased, labels: &l {app: web}, annotations: *l}
data: {a: "1"}
"""
    r = client.post(cms, content=body, headers=YAML)
    assert r.status_code == 201, r.text
    assert r.json()["metadata"]["annotations"] == {"app": "web"}


@pytest.mark.usefixtures("healthy")
@pytest.mark.parametrize(("body", "headers"), [
    (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: " + b"- " * 10_000 + b"x",
     YAML),
    (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: " + b"[" * 10_000
     + b"]" * 10_000, YAML),
    (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":'
     + b"[" * 10_000 + b"]" * 10_000 + b"}", {"Content-Type": "application/json"}),
    (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":'
     + b'{"a":' * 500 + b"1" + b"}" * 500 + b"}", {"Content-Type": "application/json"}),
], ids=["yaml-block", "yaml-flow", "json-10000", "json-500"])
def test_deep_nesting_is_a_bad_request(client: httpx.Client, cms: str, body: bytes,
                                       headers: dict[str, str]) -> None:
    assert_status(client.post(cms, content=body, headers=headers), 400, "BadRequest")
    assert_status(client.get(f"{cms}/deep"), 404)


@pytest.mark.parametrize("ctype", ["application/merge-patch+json",
                                   "application/strategic-merge-patch+json",
                                   "application/json-patch+json"])
def test_deep_patch_bodies_are_a_bad_request(client: httpx.Client, cms: str, stored: Obj,
                                             ctype: str) -> None:
    deep = b'{"a":' * 300 + b"1" + b"}" * 300
    body = (b'{"data":' + deep + b"}" if "json-patch" not in ctype
            else b'[{"op":"add","path":"/x","value":' + deep + b"}]")
    assert_status(client.patch(f"{cms}/keep", content=body, headers={"Content-Type": ctype}),
                  400, "BadRequest")


# -- request bodies -----------------------------------------------------------------------

def _raw_request(url: str, head: bytes, body: bytes = b"") -> bytes:
    """Send a request's head (and maybe some body) on a raw socket and read the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(head + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}"):
                break
        return answer


@pytest.mark.usefixtures("healthy")
def test_a_request_head_past_a_mebibyte_is_refused(apiserver: ApiServerProcess) -> None:
    # uvicorn's parser would gather an endless URL; the server answers as Go's does (431)
    host, port = apiserver.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(b"GET /api/v1/" + b"a" * (2 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):  # the server closes the connection after answering
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


@pytest.mark.usefixtures("healthy")
def test_declared_huge_bodies_are_refused_before_reading(apiserver: ApiServerProcess,
                                                         cms: str) -> None:
    head = (f"POST {cms} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {300 * 1024 * 1024}\r\n\r\n").encode()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _raw_request(apiserver.url, head, b'{"a":"'), range(4)))
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b'"reason":"RequestEntityTooLarge"' in answer
        assert b"Request entity too large: limit is 3145728" in answer


@pytest.mark.usefixtures("healthy")
def test_streamed_huge_bodies_stop_at_the_limit(apiserver: ApiServerProcess, cms: str) -> None:
    """Chunked bodies declare no length: the server counts and stops reading at 3 MiB. The
    client may see the 413 or, still sending, a reset connection; what matters is that the
    server read no more than the limit, kept its memory and stored nothing."""
    piece = b"x" * (1 << 20)

    def upload(_: int) -> int | None:
        def body() -> Iterator[bytes]:
            yield b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"a":"'
            for _ in range(300):
                yield piece
            yield b'"}}'
        try:
            with httpx.Client(base_url=apiserver.url, timeout=30) as c:
                return c.post(cms, content=body(), headers={
                    "Content-Type": "application/json"}).status_code
        except httpx.TransportError:
            return None

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(upload, range(4)))
    assert all(code in (413, None) for code in codes), codes
    assert httpx.get(f"{apiserver.url}{cms}/huge").status_code == 404


def test_a_body_just_under_the_limit_is_read(client: httpx.Client, cms: str) -> None:
    big = configmap("big", blob="x" * (LIMIT - 4096))
    r = client.post(cms, json=big)
    assert r.status_code in (201, 413, 422), r.text  # the object size limit may apply
    assert r.status_code < 500


# -- warning headers ----------------------------------------------------------------------

HOSTILE_NAMES = ["ctl\x01\x7f", "line\u2028sep\u2029", "crlf\r\nX-Injected: 1", "tab\there",
                 'quote"back\\slash', "latin1é", "cjk中文", "emoji😀", "nul\x00", "zero​width"]


@pytest.mark.parametrize("field", HOSTILE_NAMES, ids=repr)
def test_hostile_unknown_field_names_get_a_legal_warning(client: httpx.Client, cms: str,
                                                         field: str) -> None:
    body = {**configmap("warned"), field: "v"}
    r = client.post(cms, json=body)
    assert r.status_code == 201, r.text  # acknowledged, and stored exactly once
    warnings = r.headers.get_list("warning")
    assert len(warnings) == 1 and warnings[0].startswith('299 - "unknown field'), warnings
    raw = next(v for k, v in r.headers.raw if k.lower() == b"warning")
    assert all(0x20 <= b < 0x7F or b >= 0x80 or b == 0x09 for b in raw), raw
    assert "x-injected" not in r.headers
    assert client.get(f"{cms}/warned").status_code == 200
    strict = client.post(f"{cms}?fieldValidation=Strict", json={**configmap("strict"),
                                                                 field: "v"})
    assert_status(strict, 400, "BadRequest")


def test_many_long_warnings_are_truncated(client: httpx.Client, cms: str) -> None:
    body = {**configmap("many"), **{f"{i:03d}" + "u" * 400: "v" for i in range(40)}}
    r = client.post(cms, json=body)
    assert r.status_code == 201
    total = sum(len(w) for w in r.headers.get_list("warning"))
    assert 0 < total < 6 * 1024, total


# -- query parameters ---------------------------------------------------------------------

@pytest.mark.parametrize("rv", ["abc", "-1", "1.5", " 1", "١٢", "99999999999999999999999"])
def test_unparseable_resource_versions_are_a_bad_request(client: httpx.Client, cms: str,
                                                         stored: Obj, rv: str) -> None:
    for url, params in [(cms, {}), (f"{cms}/keep", {}), (cms, {"watch": "1"})]:
        st = assert_status(client.get(url, params={**params, "resourceVersion": rv}), 400,
                           "BadRequest")
        assert st["message"].startswith("invalid resource version: resourceVersion: "), st


@pytest.mark.parametrize(("params", "code"), [
    ({"limit": "abc"}, 400), ({"limit": "1e3"}, 400), ({"limit": "99999999999999999999"}, 400),
    ({"watch": "maybe"}, 400), ({"watch": "1", "timeoutSeconds": "soon"}, 400),
    ({"resourceVersionMatch": "Exact"}, 422),
    ({"resourceVersionMatch": "Sometimes", "resourceVersion": "1"}, 422),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "0"}, 422),
    ({"watch": "1", "resourceVersionMatch": "NotOlderThan"}, 422),
    ({"watch": "1", "sendInitialEvents": "true"}, 422),
    ({"labelSelector": "a in (x"}, 400), ({"labelSelector": "!!a"}, 400),
    ({"fieldSelector": "metadata.name"}, 400), ({"fieldSelector": "spec.nope=1"}, 400),
], ids=repr)
def test_bad_list_parameters(client: httpx.Client, cms: str, params: dict[str, str],
                             code: int) -> None:
    st = assert_status(client.get(cms, params=params), code)
    if code == 422:
        assert st["details"]["kind"] == "ListOptions", st
        assert st["message"].startswith('ListOptions.meta.k8s.io "" is invalid: '
                                        "resourceVersionMatch"), st


def test_limit_below_zero_lists_everything_as_kubernetes_does(client: httpx.Client, cms: str,
                                                              stored: Obj) -> None:
    r = client.get(cms, params={"limit": "-1"})
    assert r.status_code == 200, r.text
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["keep"]
    assert "continue" not in r.json()["metadata"]


def test_valid_resource_version_match(client: httpx.Client, cms: str, stored: Obj) -> None:
    rv = stored["metadata"]["resourceVersion"]
    for match in ("NotOlderThan", "Exact"):
        r = client.get(cms, params={"resourceVersion": rv, "resourceVersionMatch": match})
        assert r.status_code == 200, r.text


def test_bad_grace_period_is_a_bad_request(client: httpx.Client, cms: str,
                                           stored: Obj) -> None:
    for grace in ("soon", "1.5", "99999999999999999999"):
        assert_status(client.delete(f"{cms}/keep", params={"gracePeriodSeconds": grace}), 400)
    assert_status(client.delete(f"{cms}/keep", params={"orphanDependents": "perhaps"}), 400)


def test_watch_timeout_zero_is_the_default_and_below_zero_ends_at_once(
        apiserver: ApiServerProcess, cms: str) -> None:
    with httpx.Client(base_url=apiserver.url, timeout=httpx.Timeout(10, read=1.0)) as c:
        with c.stream("GET", cms, params={"watch": "1", "timeoutSeconds": "0"}) as r:
            assert r.status_code == 200
            with pytest.raises(httpx.ReadTimeout):  # still open: not ended by "0"
                for _ in r.iter_bytes():
                    pass
        r = c.get(cms, params={"watch": "1", "timeoutSeconds": "-1"})
        assert r.status_code == 200 and r.content == b""


@pytest.mark.parametrize(("params", "message"), [
    ({"fieldSelector": "metadata.name"},
     "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ({"fieldSelector": "metadata.name=a=b"},
     "invalid field selector: unescaped character in value: ="),
    ({"fieldSelector": "spec.nope=1"}, "field label not supported: spec.nope"),
], ids=repr)
def test_selector_messages_are_kubernetes_own(client: httpx.Client, cms: str,
                                              params: dict[str, str], message: str) -> None:
    assert assert_status(client.get(cms, params=params), 400)["message"] == message


def test_an_unknown_include_object_is_invalid(client: httpx.Client, cms: str,
                                              stored: Obj) -> None:
    table = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
    for url in (cms, f"{cms}/keep"):
        st = assert_status(client.get(url, params={"includeObject": "Bogus"}, headers=table),
                           422, "Invalid")
        assert st["details"]["kind"] == "TableOptions", st
    r = client.get(cms, params={"watch": "1", "includeObject": "Bogus"}, headers=table)
    assert_status(r, 422, "Invalid")


@pytest.mark.parametrize("ctype", ["image/webp", "text/json", "text/plain", "application/x-yaml",
                                   "application/xml"])
def test_unknown_body_media_types_are_unsupported(client: httpx.Client, cms: str, stored: Obj,
                                                  ctype: str) -> None:
    body = orjson.dumps(configmap("typed"))
    for method, url in (("POST", cms), ("PUT", f"{cms}/keep")):
        st = assert_status(client.request(method, url, content=body,
                                          headers={"Content-Type": ctype}),
                           415, "UnsupportedMediaType")
        assert st["message"] == ("the body of the request was in an unknown format - accepted "
                                 "media types include: application/json, application/yaml, "
                                 "application/vnd.kubernetes.protobuf"), st
    assert_status(client.get(f"{cms}/typed"), 404)
    assert client.post(cms, content=body).status_code == 201  # no Content-Type: JSON


def test_an_empty_value_set_means_the_empty_value_as_in_kubernetes(client: httpx.Client,
                                                                   cms: str) -> None:
    """apimachinery's parser reads `()` as {""} (labels.Parser.parseValues), so `a in ()` is
    valid and selects `a: ""`; "values set can't be empty" is for a LabelSelector object's
    matchExpressions, whose strategy validation answers it."""
    for name, value in (("empty", ""), ("full", "x")):
        assert client.post(cms, json=configmap(name, labels={"a": value})).status_code == 201
    r = client.get(cms, params={"labelSelector": "a in ()"})
    assert r.status_code == 200, r.text
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["empty"]
    r = client.get(cms, params={"labelSelector": "a notin ()"})
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["full"]


@pytest.mark.parametrize("rv", [5, ["1"], {"a": 1}, "-1", "abc", "١"], ids=repr)
def test_a_patched_resource_version_that_cannot_be_one_is_a_bad_request(
        client: httpx.Client, cms: str, stored: Obj, rv: Any) -> None:
    assert_status(client.patch(f"{cms}/keep", json={"metadata": {"resourceVersion": rv}},
                               headers=MERGE_PATCH), 400, "BadRequest")
