"""Label selectors, as Kubernetes parses, prints and evaluates them.

Lists and watches filter by `?labelSelector=`; controllers find their pods with a
LabelSelector (matchLabels + matchExpressions) or an RC's plain map; Scale replies print the
selector back as a string. All of them compile to one `Selector` here, so that every path
agrees with k8s.io/apimachinery/pkg/labels: the same grammar, the same error messages, the
same canonical string. The string form is parsed in labelparser.py.

Grammar (labels.Parse): requirements joined by `,` (AND), each one of
`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SelectorError(ValueError):
    """A label or field selector that cannot be parsed or built (the apiserver's 400)."""


class Operator(StrEnum):
    """k8s.io/apimachinery/pkg/selection.Operator, with Kubernetes' own spellings."""

    IN = "in"
    NOT_IN = "notin"
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


SET_OPS = frozenset({Operator.IN, Operator.NOT_IN})
_EXACT_OPS = frozenset({Operator.EQUALS, Operator.DOUBLE_EQUALS, Operator.NOT_EQUALS})
_NUMERIC_OPS = frozenset({Operator.GREATER_THAN, Operator.LESS_THAN})
_UNARY_OPS = frozenset({Operator.EXISTS, Operator.DOES_NOT_EXIST})

# ---------------------------------------------------------------------------------------------
# Key and value validation (k8s.io/apimachinery/pkg/util/validation), so a bad selector is a
# 400 with Kubernetes' wording rather than a selector that silently matches nothing.

_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS1123_SUBDOMAIN_RE = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)

_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_QUALIFIED_NAME_MSG = (
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
    "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with "
    "an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _invalid(path: str, value: str, detail: str) -> str:
    return f'{path}: Invalid value: "{value}": {detail}'


def label_key_errors(key: str) -> list[str]:
    """Why `key` is not a qualified name (`[prefix/]name`); empty when it is one."""
    parts = key.split("/")
    if len(parts) > 2:
        return [_invalid("key", key, _QUALIFIED_NAME_MSG)]
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append(_invalid("key", key, "prefix part must be non-empty"))
        elif len(prefix) > 253 or not _DNS1123_SUBDOMAIN_RE.match(prefix):
            errors.append(
                _invalid("key", key, "prefix part must be a lowercase RFC 1123 subdomain")
            )
    name = parts[-1]
    if not name:
        errors.append(_invalid("key", key, "name part must be non-empty"))
    elif len(name) > 63:
        errors.append(_invalid("key", key, "name part must be no more than 63 characters"))
    elif not _NAME_RE.match(name):
        errors.append(_invalid("key", key, _NAME_MSG))
    return errors


def label_value_errors(value: str, path: str = "values[0]") -> list[str]:
    """Why `value` is not a valid label value; empty when it is one."""
    if len(value) > 63:
        return [_invalid(path, value, "must be no more than 63 characters")]
    if not _VALUE_RE.match(value):
        return [_invalid(path, value, _VALUE_MSG)]
    return []


# ---------------------------------------------------------------------------------------------
# The compiled form


@dataclass(frozen=True)
class Requirement:
    """One term of a selector: a key, an operator and (for most operators) values."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op is Operator.EXISTS:
            return self.key in labels
        if op is Operator.DOES_NOT_EXIST:
            return self.key not in labels
        if op in (Operator.NOT_IN, Operator.NOT_EQUALS):
            # Kubernetes: an absent label satisfies "not equal" and "not in".
            return self.key not in labels or labels[self.key] not in self.values
        if self.key not in labels:
            return False
        if op in _NUMERIC_OPS:
            return _compare_numeric(op, labels[self.key], self.values[0])
        return labels[self.key] in self.values

    def to_string(self) -> str:
        op = self.operator
        if op is Operator.EXISTS:
            return self.key
        if op is Operator.DOES_NOT_EXIST:
            return "!" + self.key
        if op in SET_OPS:
            return f"{self.key} {op.value} ({','.join(self.values)})"
        symbol = {Operator.GREATER_THAN: ">", Operator.LESS_THAN: "<"}.get(op, op.value)
        return f"{self.key}{symbol}{self.values[0]}"


def _compare_numeric(op: Operator, label_value: str, bound: str) -> bool:
    try:
        actual = _parse_int64(label_value)
    except ValueError:
        return False  # Kubernetes: a non-integer label never matches gt/lt
    return actual > int(bound) if op is Operator.GREATER_THAN else actual < int(bound)


def _parse_int64(text: str) -> int:
    # Go's strconv.ParseInt accepts an optional sign and decimal digits only.
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ValueError(text)
    number = int(text)
    if not -(2**63) <= number < 2**63:
        raise ValueError(text)
    return number


def new_requirement(key: str, operator: Operator | str, values: Iterable[str] = ()) -> Requirement:
    """Build and validate one requirement, as labels.NewRequirement does."""
    op = Operator(operator)
    vals = list(values)
    errors = label_key_errors(key) + _operator_value_errors(op, vals)
    for i, value in enumerate(vals):
        errors += label_value_errors(value, f"values[{i}]")
    if errors:
        raise SelectorError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
    # Values form a set: duplicates collapse and order is canonical (sorted), as in String().
    return Requirement(key, op, tuple(sorted(set(vals))))


def _operator_value_errors(op: Operator, vals: list[str]) -> list[str]:
    if op in SET_OPS and not vals:
        return ["values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"]
    if op in _EXACT_OPS and len(vals) != 1:
        return ["values: Invalid value: exact-match compatibility requires one single value"]
    if op in _UNARY_OPS and vals:
        return ["values: Invalid value: values set must be empty for exists and does not exist"]
    if op in _NUMERIC_OPS:
        if len(vals) != 1:
            return [
                "values: Invalid value: for 'Gt', 'Lt' operators, exactly one value is required"
            ]
        try:
            _parse_int64(vals[0])
        except ValueError:
            return [
                f"values[0]: Invalid value: \"{vals[0]}\": for 'Gt', 'Lt' operators, "
                "the value must be an integer"
            ]
    return []


@dataclass(frozen=True)
class Selector:
    """A compiled label selector: requirements ANDed together.

    `Selector()` (no requirements) matches everything; `Selector.nothing()` matches nothing,
    which is what a missing (None) LabelSelector means in Kubernetes.
    """

    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False

    @classmethod
    def everything(cls) -> Selector:
        return cls()

    @classmethod
    def nothing(cls) -> Selector:
        return cls(matches_nothing=True)

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.matches_nothing:
            return False
        present = labels or {}
        return all(r.matches(present) for r in self.requirements)

    def empty(self) -> bool:
        """True when the selector matches everything."""
        return not self.requirements and not self.matches_nothing

    def to_string(self) -> str:
        """Kubernetes' canonical form: requirements sorted by key, values sorted, `,`-joined."""
        return ",".join(r.to_string() for r in self.requirements)

    __str__ = to_string

    def requires_exact_match(self, key: str) -> str | None:
        """The single value `key` must have for a match (labels.RequiresExactMatch), if any."""
        for r in self.requirements:
            if r.key != key:
                continue
            if r.operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS):
                return r.values[0]
            if r.operator is Operator.IN and len(r.values) == 1:
                return r.values[0]
        return None

    def exact_matches(self) -> dict[str, str]:
        """Every key the selector pins to one value: what an index could look up."""
        pinned = {}
        for r in self.requirements:
            value = self.requires_exact_match(r.key)
            if value is not None:
                pinned[r.key] = value
        return pinned


def sorted_selector(requirements: Iterable[Requirement]) -> Selector:
    # Kubernetes keeps requirements sorted by key; the sort is stable for repeated keys.
    return Selector(tuple(sorted(requirements, key=lambda r: r.key)))


# ---------------------------------------------------------------------------------------------
# Builders from API objects


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """An equality selector from a plain map (an RC's spec.selector, a Service's selector).

    Like labels.SelectorFromSet, an empty or missing map selects everything and the pairs are
    not re-validated (they were validated when the owning object was stored).
    """
    reqs = (Requirement(k, Operator.EQUALS, (str(v),)) for k, v in (labels or {}).items())
    return sorted_selector(reqs)


_EXPRESSION_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def label_selector_as_selector(selector: Any) -> Selector:
    """Compile a meta/v1 LabelSelector (the pydantic model or its wire dict).

    Kubernetes' rule (metav1.LabelSelectorAsSelector): None selects nothing, an empty
    selector selects everything.
    """
    if selector is None:
        return Selector.nothing()
    match_labels, expressions = _selector_parts(selector)
    if not match_labels and not expressions:
        return Selector.everything()
    reqs = [new_requirement(k, Operator.EQUALS, [v]) for k, v in match_labels.items()]
    reqs += [_expression_requirement(e) for e in expressions]
    return sorted_selector(reqs)


def _selector_parts(selector: Any) -> tuple[Mapping[str, str], list[Mapping[str, Any]]]:
    if hasattr(selector, "model_dump"):
        selector = selector.model_dump(exclude_none=True)
    if not isinstance(selector, Mapping):
        raise SelectorError(f"invalid label selector: {selector!r}")
    return selector.get("matchLabels") or {}, list(selector.get("matchExpressions") or [])


def _expression_requirement(expression: Any) -> Requirement:
    if hasattr(expression, "model_dump"):
        expression = expression.model_dump(exclude_none=True)
    operator = expression.get("operator")
    if operator not in _EXPRESSION_OPERATORS:
        raise SelectorError(f'"{operator}" is not a valid label selector operator')
    return new_requirement(
        expression.get("key", ""), _EXPRESSION_OPERATORS[operator], expression.get("values") or []
    )
