"""Field selectors: `?fieldSelector=spec.nodeName=n1,status.phase!=Succeeded`.

The kubelet watches its own pods with `spec.nodeName=<node>`, `kubectl describe` finds events
with `involvedObject.*`, and users filter lists by name or phase. Kubernetes supports only a
few field labels per resource and answers 400 for the rest, so this module holds that table
(`supported_field_labels`) next to the parser and the matcher, keeping k8s.io/apimachinery/
pkg/fields' grammar: terms joined by `,`, operators `=`, `==`, `!=`, and `\\`-escapes for
`\\`, `,` and `=` inside values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tugboat.api.labels import SelectorError

# ---------------------------------------------------------------------------------------------
# Which field labels each resource supports (its registry strategy's selectable fields).

_META_FIELDS = frozenset({"metadata.name", "metadata.namespace"})

_RESOURCE_FIELDS: dict[str, frozenset[str]] = {
    "pods": frozenset({
        "spec.nodeName", "spec.schedulerName", "spec.restartPolicy", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    }),
    "events": frozenset({
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    }),
    "nodes": frozenset({"spec.unschedulable"}),
    "namespaces": frozenset({"status.phase"}),
    "secrets": frozenset({"type"}),
    "jobs": frozenset({"status.successful"}),
    "replicasets": frozenset({"status.replicas"}),
    "replicationcontrollers": frozenset({"status.replicas"}),
}  # fmt: skip


def supported_field_labels(resource_plural: str) -> set[str]:
    """The field labels `resource_plural` can be selected on (metadata.name/namespace always)."""
    return set(_META_FIELDS | _RESOURCE_FIELDS.get(resource_plural.lower(), frozenset()))


# ---------------------------------------------------------------------------------------------
# Reading a field label's value from an object's wire form.


def _lookup(obj: Mapping[str, Any], path: str) -> Any:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(value: Any, default: str = "") -> str:
    """The value as Kubernetes' field set would print it (Go's fmt of the typed field)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pod_ip(obj: Mapping[str, Any]) -> str:
    # Kubernetes selects on the first of status.podIPs, which mirrors status.podIP.
    ips = _lookup(obj, "status.podIPs")
    if isinstance(ips, list) and ips and isinstance(ips[0], Mapping) and ips[0].get("ip"):
        return _text(ips[0]["ip"])
    return _text(_lookup(obj, "status.podIP"))


def _event_source(obj: Mapping[str, Any]) -> str:
    # An events.k8s.io-style event has no source.component; Kubernetes then uses the
    # reporting controller.
    return _text(_lookup(obj, "source.component")) or _text(_lookup(obj, "reportingComponent"))


# Field labels whose value is not the plain string at the same dotted path: typed Go fields
# print their zero value ("0", "false") when unset, and two labels read another path.
_DERIVED_FIELDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "status.successful": lambda o: _text(_lookup(o, "status.succeeded"), "0"),
    "status.replicas": lambda o: _text(_lookup(o, "status.replicas"), "0"),
    "spec.unschedulable": lambda o: _text(_lookup(o, "spec.unschedulable"), "false"),
    "spec.hostNetwork": lambda o: _text(_lookup(o, "spec.hostNetwork"), "false"),
    "status.podIP": _pod_ip,
    "source": _event_source,
}


def field_value(obj: Mapping[str, Any], field: str) -> str:
    """The string a field selector compares for `field` on `obj` (missing fields read "")."""
    derive = _DERIVED_FIELDS.get(field)
    return derive(obj) if derive else _text(_lookup(obj, field))


# ---------------------------------------------------------------------------------------------
# The compiled selector


@dataclass(frozen=True)
class FieldRequirement:
    """One term: `field=value` (also written `==`) or `field!=value`."""

    field: str
    operator: str  # "=" or "!="
    value: str

    def matches(self, obj: Mapping[str, Any]) -> bool:
        equal = field_value(obj, self.field) == self.value
        return equal if self.operator == "=" else not equal

    def to_string(self) -> str:
        return f"{self.field}{self.operator}{escape_value(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    """A compiled field selector: terms ANDed together; no terms matches everything."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all(r.matches(obj) for r in self.requirements)

    def empty(self) -> bool:
        return not self.requirements

    def fields(self) -> set[str]:
        """The field labels used, for the server's per-resource support check."""
        return {r.field for r in self.requirements}

    def unsupported_fields(self, resource_plural: str) -> set[str]:
        return self.fields() - supported_field_labels(resource_plural)

    def check_supported(self, resource_plural: str) -> None:
        """Raise SelectorError (a 400) naming the first field label the resource lacks."""
        unsupported = sorted(self.unsupported_fields(resource_plural))
        if unsupported:
            raise SelectorError(f"field label not supported: {unsupported[0]}")

    def requires_exact_match(self, field: str) -> str | None:
        for r in self.requirements:
            if r.field == field and r.operator == "=":
                return r.value
        return None

    def exact_matches(self) -> dict[str, str]:
        """Every field pinned to one value (e.g. spec.nodeName=X): what an index could use."""
        return {r.field: r.value for r in self.requirements if r.operator == "="}

    def to_string(self) -> str:
        return ",".join(r.to_string() for r in self.requirements)

    __str__ = to_string


def field_selector_from_set(fields: Mapping[str, str]) -> FieldSelector:
    """An all-equality selector, e.g. {"spec.nodeName": node} for the kubelet's watch."""
    terms = (FieldRequirement(k, "=", v) for k, v in sorted(fields.items()))
    return FieldSelector(tuple(terms))


# ---------------------------------------------------------------------------------------------
# Parsing

_OPERATORS = ("!=", "==", "=")  # tried in this order at each position, as Kubernetes does
_ESCAPABLE = frozenset("\\,=")


def escape_value(value: str) -> str:
    """Escape `\\`, `,` and `=` so the value survives a round trip through the parser."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_value(text: str) -> str:
    out, escaped = [], False
    for ch in text:
        if escaped:
            if ch not in _ESCAPABLE:
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped character in value: {ch}")
        else:
            out.append(ch)
    if escaped:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not escaped with a backslash."""
    terms, start, escaped = [], 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        for op in _OPERATORS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op) :]
    return None


def parse_field_selector(text: str | None) -> FieldSelector:
    """Parse a `fieldSelector` query string; an empty string selects everything.

    Terms are sorted, as Kubernetes sorts them, so equal selectors print the same.
    """
    if not text:
        return FieldSelector()
    requirements = []
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        parts = _split_term(term)
        if parts is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        field, op, raw_value = parts
        requirements.append(
            FieldRequirement(field, "!=" if op == "!=" else "=", unescape_value(raw_value))
        )
    return FieldSelector(tuple(requirements))
