"""The fuzz campaign: schemathesis generates requests from the server's own OpenAPI
documents, valid ones and deliberately wrong ones (types, formats, missing fields), and each
is sent to the real server; what a user could see go wrong is recorded in a Report.

Repeatable by construction: Hypothesis runs derandomized with no example database, the
operations run in document order, and the steering below (towards the seeded namespace and
objects, towards the right kind) depends only on the generated values, never on a random
source or the clock."""

from __future__ import annotations

import json
import os
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from tests.integration.fuzz import clienttypes, seeds
from tugboat.api.resources import RESOURCES, ResourceInfo, for_kind

Obj = dict[str, Any]
# Streams and connections to a kubelet: a generated request would hang until its timeout.
SKIPPED_ACTIONS = ("connect",)
SKIPPED_SUFFIXES = ("/log",)
STREAMING_QUERY = ("watch", "follow")
# Cases per operation, about 2,400 in all (~2.5 min). Negative cases of the big kinds (a pod
# template inside) cost ~0.3 s each to generate, so fewer of them. TUGBOAT_FUZZ_SCALE=N
# runs N times as many, for a deeper search than CI's.
SCALE = int(os.environ.get("TUGBOAT_FUZZ_SCALE", "1"))
POSITIVE_CASES = 8 * SCALE
NEGATIVE_CASES = 4 * SCALE
NEGATIVE_CASES_BIG = 2 * SCALE
# Query values every write or list checks first: a case with a wrong one ends there, so most
# cases drop it and reach the body's decoding and validation instead.
_ENUM_QUERY = {"dryRun": ("All",), "fieldValidation": ("Strict", "Warn", "Ignore"),
               "propagationPolicy": ("Foreground", "Background", "Orphan"),
               "resourceVersionMatch": ("NotOlderThan", "Exact")}
_BIG = ("Pod", "ReplicationController", "ReplicaSet", "Deployment", "DaemonSet", "Job")


@dataclass
class Finding:
    operation: str
    request: str
    status: int | None
    response: str

    def key(self) -> tuple[str, int | None, str]:
        """Findings that differ only in generated values count once."""
        return self.operation, self.status, self.response[:80]

    def __str__(self) -> str:
        return f"{self.operation}: {self.request} -> {self.status} {self.response}"


@dataclass
class Report:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[Finding] = field(default_factory=list)
    read_back_errors: list[Finding] = field(default_factory=list)
    generation_errors: list[str] = field(default_factory=list)
    objects_read_back: int = 0
    seconds: float = 0.0

    @staticmethod
    def distinct(findings: list[Finding]) -> list[Finding]:
        seen: dict[Any, Finding] = {}
        for f in findings:
            seen.setdefault(f.key(), f)
        return list(seen.values())


def merged_document(http: requests.Session, base_url: str) -> Obj:
    """Every group-version document the server's /openapi/v3 index names, as one."""
    index = http.get(base_url + "/openapi/v3", timeout=30).json()
    doc: Obj | None = None
    for entry in index["paths"].values():
        part = http.get(base_url + entry["serverRelativeURL"], timeout=30).json()
        if doc is None:
            doc = part
        else:
            doc["paths"].update(part["paths"])
            doc["components"]["schemas"].update(part["components"]["schemas"])
    assert doc is not None, "the OpenAPI index names no group-version"
    return doc


# JSON pointers into the seeded objects, so that generated JSON patches touch real fields.
_POINTERS = ["/metadata/labels", "/metadata/labels/a", "/metadata/annotations/b",
             "/metadata/name", "/metadata/finalizers", "/metadata/finalizers/-", "/spec",
             "/spec/replicas", "/spec/containers/0", "/spec/containers/-",
             "/spec/containers/0/image", "/spec/template/spec/containers/0/ports",
             "/status", "/status/conditions/-", "/data/k", "/rules/0/verbs", ""]
_JSON_PATCH = {"type": "array", "items": {
    "type": "object", "required": ["op", "path"],
    "properties": {"op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                   "path": {"anyOf": [{"enum": _POINTERS}, {"type": "string"}]},
                   "from": {"anyOf": [{"enum": _POINTERS}, {"type": "string"}]},
                   "value": {}}}}


def fuzzable(doc: Obj) -> Obj:
    """The served documents, made sharper for generation (Kubernetes documents bodies
    loosely): create/update bodies are `*/*` there (schemathesis would send image/png), so
    name the two encodings the server decodes; PATCH bodies are a bare `object`, so type a
    JSON patch as its list of operations, and merge, strategic and apply patches as the
    kind they patch (what a client sends), so the cases reach the patching itself."""
    for item in doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "requestBody" not in op:
                continue
            content = op["requestBody"].get("content", {})
            if "*/*" in content:
                schema = content.pop("*/*")
                content["application/json"] = schema
                content["application/yaml"] = schema
            kind = op.get("responses", {}).get("200", {}).get("content", {}).get(
                "application/json", {}).get("schema")
            for media in content:
                if media == "application/json-patch+json":
                    content[media] = {"schema": _JSON_PATCH}
                elif media.endswith(("merge-patch+json", "apply-patch+yaml")) and kind:
                    content[media] = {"schema": kind}
    return doc


def _most(value: Any) -> bool:
    """True for three in four generated values, chosen by the value itself."""
    return zlib.crc32(repr(value).encode()) % 4 != 0


def _steer(value: Any, target: Any) -> Any:
    """Most cases reach an existing object; some keep the fuzzer's own strange names."""
    return target if _most(value) else value


def _overlay(base: Any, top: Any) -> Any:
    """`top` merged onto `base`, objects key by key; `top` wins everywhere else."""
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for k, v in top.items():
            out[k] = _overlay(base.get(k), v) if k in base else v
        return out
    return top


class Campaign:
    def __init__(self, base_url: str, doc: Obj):
        self.base_url = base_url
        self.http = requests.Session()
        self.schema = schemathesis.openapi.from_dict(fuzzable(doc))
        self.report = Report()
        self._by_path = {(r.group, r.version, r.resource): r for r in RESOURCES}

    def operations(self) -> list[Any]:
        ops = []
        for result in self.schema.get_all_operations():
            op = result.ok()
            raw = op.definition.raw
            if raw.get("x-kubernetes-action") in SKIPPED_ACTIONS or \
                    op.path.endswith(SKIPPED_SUFFIXES):
                continue
            ops.append(op)
        # Collection deletes last: they would empty the seeded namespace for everyone after.
        return sorted(ops, key=lambda o: o.definition.raw.get("x-kubernetes-action") ==
                      "deletecollection")

    def run(self) -> Report:
        t0 = time.monotonic()
        for op in self.operations():
            self._replant(op)
            big = op.definition.raw.get("x-kubernetes-group-version-kind", {}).get("kind") in _BIG
            for mode, cases in ((GenerationMode.POSITIVE, POSITIVE_CASES),
                                (GenerationMode.NEGATIVE, NEGATIVE_CASES_BIG if big
                                 else NEGATIVE_CASES)):
                self._fuzz(op, mode, cases)
        self.report.seconds = time.monotonic() - t0
        return self.report

    def _fuzz(self, op: Any, mode: GenerationMode, cases: int) -> None:
        @settings(max_examples=cases, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(generation_mode=mode))
        def one(case: Any) -> None:
            self._send(op, case)

        try:
            one()
        except Exception as e:  # a document schemathesis cannot generate from is a finding
            self.report.generation_errors.append(
                f"{op.definition.raw.get('operationId')} ({mode}): {type(e).__name__}: "
                f"{str(e)[:300]}")

    # -- one case ----------------------------------------------------------------------

    def _shape(self, op: Any, case: Any) -> None:
        """Aim most cases at the seeded objects, and drop what would open a stream."""
        params = case.path_parameters
        if "namespace" in params:
            params["namespace"] = _steer(params["namespace"], seeds.NAMESPACE)
        if "name" in params:
            target = seeds.VICTIM_NAMESPACE if op.path == "/api/v1/namespaces/{name}" \
                else seeds.NAME
            params["name"] = _steer(params["name"], target)
        if isinstance(case.query, dict):
            for q in STREAMING_QUERY:
                case.query.pop(q, None)
            for q, valid in _ENUM_QUERY.items():
                if q in case.query and case.query[q] not in valid and _most(case.query[q]):
                    del case.query[q]
            rv = case.query.get("resourceVersion")
            if rv is not None and not str(rv).isdigit() and _most(rv):
                del case.query["resourceVersion"]
        body = case.body
        gvk = op.definition.raw.get("x-kubernetes-group-version-kind") or {}
        r = self._resource(op.path)
        writes = ("POST", "PUT", "PATCH") if case.media_type == "application/apply-patch+yaml" \
            else ("POST", "PUT")
        if not (isinstance(body, dict) and op.method.upper() in writes and
                _most(json.dumps(body, sort_keys=True, default=str))):
            return
        if r is not None and r.kind == gvk.get("kind") and r.resource in seeds.BODIES:
            # the generated fields over a valid object: the rest passes validation, so the
            # case reaches the checks (and the storage) of the fields it changed
            case.body = body = _overlay(seeds.manifest(r), body)
        if gvk.get("kind"):
            body["apiVersion"] = f"{gvk['group']}/{gvk['version']}" if gvk["group"] \
                else gvk["version"]
            body["kind"] = gvk["kind"]
        meta = body.setdefault("metadata", {})
        if isinstance(meta, dict):
            meta["name"] = params.get("name") or \
                f"fz-{zlib.crc32(json.dumps(body, sort_keys=True, default=str).encode()):08x}"

    def _send(self, op: Any, case: Any) -> None:
        self._shape(op, case)
        kwargs = case.as_transport_kwargs(base_url=self.base_url)
        kwargs.pop("cookies", None)
        operation = op.definition.raw.get("operationId", op.path)
        request = f"{kwargs['method']} {kwargs['url']} params={kwargs.get('params')} " \
            f"content-type={kwargs.get('headers', {}).get('Content-Type')} " \
            f"body={str(kwargs.get('json', kwargs.get('data')))[:300]}"
        self.report.cases += 1
        try:
            resp = self.http.request(**kwargs, timeout=30)
            resp.content  # noqa: B018 - read the whole body: a truncated one is a failure
        except requests.RequestException as e:
            self.report.server_errors.append(Finding(operation, request, None,
                                                     f"{type(e).__name__}: {e}"[:300]))
            return
        self.report.statuses[resp.status_code] += 1
        if resp.status_code >= 500:
            self.report.server_errors.append(Finding(operation, request, resp.status_code,
                                                     resp.text[:300]))
        elif 200 <= resp.status_code < 300:
            self._read_back(operation, request, case, resp)

    def _read_back(self, operation: str, request: str, case: Any,
                   resp: requests.Response) -> None:
        """A 2xx returned an object (or a list): the client must read it; and after a write,
        unless it was a dry run or the kind is not stored, a GET must return that object."""
        def fail(why: str) -> None:
            self.report.read_back_errors.append(Finding(operation, request, resp.status_code,
                                                        why))
        try:
            obj = resp.json()
        except ValueError:
            return fail(f"not JSON: {resp.text[:200]}")
        if not isinstance(obj, dict):
            return fail(f"not an object: {resp.text[:200]}")
        problem = clienttypes.deserialize(obj)
        if problem:
            return fail(f"the Python client cannot read the response: {problem}")
        if case.method.upper() not in ("POST", "PUT", "PATCH"):
            return None
        info = for_kind(str(obj.get("apiVersion")), str(obj.get("kind")))
        dry = "dryRun" in (case.query or {})
        meta = obj.get("metadata") or {}
        if info is None or not info.stored or dry or not isinstance(meta, dict):
            return None
        path = info.path(meta.get("namespace"), meta.get("name"))
        got = self.http.get(self.base_url + path, timeout=30)
        if got.status_code == 404 and meta.get("deletionTimestamp"):
            return None  # a write that finished a deletion (its last finalizer removed)
        if got.status_code != 200:
            return fail(f"GET {path} -> {got.status_code} {got.text[:200]}")
        stored = got.json()
        if (stored.get("metadata") or {}).get("resourceVersion") != meta.get("resourceVersion"):
            return fail(f"GET {path} has resourceVersion "
                        f"{stored['metadata'].get('resourceVersion')}, the write answered "
                        f"{meta.get('resourceVersion')}")
        problem = clienttypes.deserialize(stored)
        if problem:
            return fail(f"the Python client cannot read the stored object: {problem}")
        self.report.objects_read_back += 1
        return None

    def _replant(self, op: Any) -> None:
        """Put the seed of the operation's resource back (an earlier case may have deleted or
        mangled it beyond use)."""
        r = self._resource(op.path)
        if r is not None and r.resource in seeds.BODIES and "create" in r.verbs:
            self.http.post(self.base_url + r.path(seeds.NAMESPACE), json=seeds.manifest(r),
                           timeout=30)

    def _resource(self, path: str) -> ResourceInfo | None:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return None
        group, version, rest = ("", parts[1], parts[2:]) if parts[0] == "api" else \
            (parts[1], parts[2], parts[3:])
        if len(rest) >= 3 and rest[0] == "namespaces":
            rest = rest[2:]
        return self._by_path.get((group, version, rest[0])) if rest else None
