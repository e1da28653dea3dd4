"""`metadata.managedFields` entries: decoding them from an object, validating what a client
sent, encoding them back in Kubernetes' order, and the cap on how many Update entries an
object keeps (older ones fold into "ancient-changes")."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from typing import Any

from tugboat.api.fieldmanager import fieldpath as fp
from tugboat.api.meta import StatusCause, parse_rfc3339
from tugboat.api.validation import fielderrors

APPLY, UPDATE = "Apply", "Update"
FIELDS_V1 = "FieldsV1"
MAX_MANAGER_LENGTH = 128
MAX_SUBRESOURCE_LENGTH = 256
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"

Identity = tuple[str, str, str, str]  # manager, operation, apiVersion (Update only), subresource


@dataclass(frozen=True)
class Entry:
    manager: str
    operation: str
    api_version: str
    fields: fp.Set
    time: str | None = None
    subresource: str = ""

    @property
    def identity(self) -> Identity:
        """BuildManagerIdentifier: an applier is one manager whatever version it applies."""
        version = "" if self.operation == APPLY else self.api_version
        return (self.manager, self.operation, version, self.subresource)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"manager": self.manager, "operation": self.operation,
                               "apiVersion": self.api_version}
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = FIELDS_V1
        out["fieldsV1"] = self.fields
        if self.subresource:
            out["subresource"] = self.subresource
        return out


Managed = dict[Identity, Entry]


def is_reset(raw: Any) -> bool:
    """`managedFields: []` or `[{}]`: the client asks to drop every entry."""
    return isinstance(raw, list) and (raw == [] or raw == [{}])


def decode(raw: Any, trusted: bool = False) -> Managed | None:
    """The entries of a managedFields list, None when one does not decode (an unknown
    fieldsType, fields that are not FieldsV1): the caller then keeps the stored ones, as
    Kubernetes does for clients that send what they do not understand."""
    out: Managed = {}
    if not raw:
        return out
    if not isinstance(raw, list):
        return None
    for e in raw:
        if not isinstance(e, dict) or e.get("fieldsType") != FIELDS_V1:
            return None
        fields = e.get("fieldsV1") or {}
        if not trusted and not fp.is_valid(fields):  # the server's own need no check
            return None
        entry = Entry(manager=e.get("manager") or "", operation=e.get("operation") or "",
                      api_version=e.get("apiVersion") or "", fields=fields,
                      time=_canonical_time(e.get("time")),
                      subresource=e.get("subresource") or "")
        out[entry.identity] = entry
    return out


def _canonical_time(value: Any) -> str | None:
    """metav1.Time as Kubernetes writes it back: UTC, whole seconds, "Z". A client that
    parsed and re-serialised an entry (the Python client writes "+00:00") sends the same
    instant, which must not read as a change."""
    if not isinstance(value, str) or (len(value) == 20 and value.endswith("Z")):
        return value
    try:
        t = parse_rfc3339(value)
    except ValueError:
        return value
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate(raw: Any) -> list[StatusCause]:
    """ValidateManagedFields: the operation, the manager's length and characters, the
    subresource's length (the fieldsType was settled by decoding)."""
    causes: list[StatusCause] = []
    for i, e in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(e, dict):
            continue
        at = f"metadata.managedFields[{i}]"
        if e.get("operation") not in (APPLY, UPDATE):
            causes.append(fielderrors.invalid(f"{at}.operation", e.get("operation") or "",
                                              "must be `Apply` or `Update`"))
        if fe := e.get("fieldsType"):
            if fe != FIELDS_V1:
                causes.append(fielderrors.invalid(f"{at}.fieldsType", fe, "must be `FieldsV1`"))
        causes += manager_causes(e.get("manager") or "", f"{at}.manager")
        if len(e.get("subresource") or "") > MAX_SUBRESOURCE_LENGTH:
            causes.append(fielderrors.too_long(f"{at}.subresource", MAX_SUBRESOURCE_LENGTH))
    return causes


def manager_causes(manager: str, at: str) -> list[StatusCause]:
    """ValidateFieldManager: at most 128 bytes, printable characters only."""
    causes = []
    if len(manager.encode()) > MAX_MANAGER_LENGTH:
        causes.append(fielderrors.too_long(at, MAX_MANAGER_LENGTH))
    for i, ch in enumerate(manager):
        if not ch.isprintable():
            causes.append(fielderrors.invalid(
                at, manager, f"invalid character U+{ord(ch):04X} (at position {i})"))
    return causes


def _sort_key(e: Entry) -> tuple[str, str, str, str, str]:
    return (e.operation, e.time or "", e.manager, e.api_version, e.subresource)


def encode(managed: Managed) -> list[dict[str, Any]]:
    """The entries in Kubernetes' order: appliers first, then by time, manager, version."""
    return [e.wire() for e in sorted(managed.values(), key=_sort_key)]


def cap_updates(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> Managed:
    """capManagersManager: beyond `limit` Update entries, the oldest fold together, per
    API version, into one "ancient-changes" entry carrying the newest folded time."""
    updaters = sorted((e for e in managed.values() if e.operation == UPDATE),
                      key=lambda e: (e.time or "", e.identity))
    if len(updaters) <= limit:
        return managed
    out = dict(managed)
    first: dict[str, Entry] = {}
    length = len(updaters)
    for e in updaters:
        if length <= limit:
            break
        if e.api_version not in first:
            first[e.api_version] = e
            continue
        bucket_id = (ANCIENT_CHANGES, UPDATE, e.api_version, "")
        bucket = out.get(bucket_id)
        if bucket is None:
            seed = first[e.api_version]
            del out[seed.identity]
            bucket = replace(seed, manager=ANCIENT_CHANGES, subresource="")
        out.pop(e.identity, None)
        out[bucket_id] = replace(bucket, fields=fp.union(bucket.fields, e.fields), time=e.time)
        length -= 1
    return out
