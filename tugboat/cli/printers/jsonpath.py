"""kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath), for `-o jsonpath=...`,
custom columns and `wait --for=jsonpath=...`.

A template is text with `{actions}`: paths (`.metadata.name`, `.items[*].status.podIP`,
`..image`, `.spec.containers[0]`, `[-1]`, `[1:3]`, `['app.kubernetes.io/name']`,
`.status.conditions[?(@.type=="Ready")].status`), string literals (`{"\\n"}`) and
`{range EXPR}...{end}` loops. Several results of one action print separated by spaces;
maps and lists print as compact JSON. Missing keys print nothing (kubectl's default,
--allow-missing-template-keys=true).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


class JsonPathError(ValueError):
    pass


@dataclass
class _Path:
    steps: list[tuple[Any, ...]]


@dataclass
class _Range:
    path: _Path
    body: list[Any]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_OPS = ("==", "!=", "<=", ">=", "=~", "<", ">")


def relaxed(expr: str) -> str:
    """RelaxedJSONPathExpression: `.a.b`, `a.b`, `{.a.b}` all mean `{.a.b}`."""
    m = re.fullmatch(r"\{?(\.?[^{}]*)\}?", expr.strip())
    if not m:
        raise JsonPathError(f"unexpected path string, expected a 'name1.name2' or "
                            f"'.name1.name2' or '{{name1.name2}}' or '{{.name1.name2}}': {expr}")
    inner = m.group(1)
    return "{" + (inner if inner.startswith(".") else "." + inner) + "}"


class _Cursor:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def take(self, n: int = 1) -> str:
        s = self.text[self.pos:self.pos + n]
        self.pos += n
        return s

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def skip_space(self) -> None:
        while not self.done() and self.text[self.pos].isspace():
            self.pos += 1

    def quoted(self) -> str:
        quote = self.take()
        out = []
        while not self.done():
            ch = self.take()
            if ch == "\\" and not self.done():
                nxt = self.take()
                out.append(_ESCAPES.get(nxt, "\\" + nxt))
            elif ch == quote:
                return "".join(out)
            else:
                out.append(ch)
        raise JsonPathError(f"unterminated string in {self.text!r}")


def _split_actions(template: str) -> list[tuple[str, str]]:
    """[("text", ...), ("action", ...)] with quotes inside actions respected."""
    parts: list[tuple[str, str]] = []
    i, n = 0, len(template)
    while i < n:
        start = template.find("{", i)
        if start < 0:
            parts.append(("text", template[i:]))
            break
        if start > i:
            parts.append(("text", template[i:start]))
        j, quote = start + 1, ""
        while j < n and (quote or template[j] != "}"):
            if quote and template[j] == "\\":
                j += 1
            elif template[j] in "\"'" and (not quote or template[j] == quote):
                quote = "" if quote else template[j]
            j += 1
        if j >= n:
            raise JsonPathError(f"unclosed action in {template!r}")
        parts.append(("action", template[start + 1:j]))
        i = j + 1
    return parts


def _parse_template(template: str) -> list[Any]:
    stack: list[list[Any]] = [[]]
    ranges: list[_Path] = []
    for kind, text in _split_actions(template):
        if kind == "text":
            stack[-1].append(text)
            continue
        action = text.strip()
        if action == "end":
            if len(stack) == 1:
                raise JsonPathError("not in range, nothing to end")
            body = stack.pop()
            stack[-1].append(_Range(ranges.pop(), body))
        elif action.startswith("range ") or action.startswith("range\t"):
            ranges.append(_parse_path(_Cursor(action[6:].strip())))
            stack.append([])
        else:
            stack[-1].extend(_parse_action(action))
    if len(stack) != 1:
        raise JsonPathError("unclosed range")
    return stack[0]


def _parse_action(action: str) -> list[Any]:
    cur, nodes = _Cursor(action), []
    while True:
        cur.skip_space()
        if cur.done():
            return nodes
        if cur.peek() in "\"'":
            nodes.append(("literal", cur.quoted()))
        else:
            nodes.append(_parse_path(cur))


def _field_name(cur: _Cursor) -> str:
    out = []
    while not cur.done() and cur.peek() not in ".[ \t()=!<>,":
        ch = cur.take()
        if ch == "\\" and not cur.done():
            ch = cur.take()
        out.append(ch)
    return "".join(out)


def _parse_path(cur: _Cursor) -> _Path:
    steps: list[tuple[Any, ...]] = []
    if cur.peek() in "$@":
        cur.take()
    elif cur.peek() not in ".[":
        steps.append(("field", _field_name(cur)))
    while not cur.done() and cur.peek() in ".[":
        if cur.peek(2) == "..":
            cur.take(2)
            steps.append(("recursive",))
            if cur.peek() not in "[":
                steps.append(_field_step(cur))
        elif cur.peek() == ".":
            cur.take()
            if cur.done() or cur.peek() in " .":
                continue  # a bare "." is the current object
            steps.append(_field_step(cur))
        else:
            steps.append(_bracket(cur))
    return _Path(steps)


def _field_step(cur: _Cursor) -> tuple[Any, ...]:
    if cur.peek() == "*":
        cur.take()
        return ("wild",)
    name = _field_name(cur)
    if not name:
        raise JsonPathError(f"unrecognized character in action: {cur.text!r}")
    return ("field", name)


def _bracket(cur: _Cursor) -> tuple[Any, ...]:
    cur.take()  # [
    cur.skip_space()
    if cur.peek() == "*":
        cur.take()
        _close(cur)
        return ("wild",)
    if cur.peek() == "?":
        cur.take()
        return _filter(cur)
    if cur.peek() in "\"'":
        names = [cur.quoted()]
        cur.skip_space()
        while cur.peek() == ",":
            cur.take()
            cur.skip_space()
            names.append(cur.quoted())
            cur.skip_space()
        _close(cur)
        return ("fields", names)
    end = cur.text.find("]", cur.pos)
    if end < 0:
        raise JsonPathError(f"unterminated array in {cur.text!r}")
    body, cur.pos = cur.text[cur.pos:end], end + 1
    try:
        return ("index", [_slice(part) for part in body.split(",")])
    except ValueError:
        raise JsonPathError(f"invalid array index {body!r}") from None


def _close(cur: _Cursor) -> None:
    cur.skip_space()
    if cur.take() != "]":
        raise JsonPathError(f"expected ] in {cur.text!r}")


def _slice(part: str) -> tuple[int | None, int | None, int | None, bool]:
    part = part.strip()
    if ":" not in part:
        return int(part), None, None, False
    bits = [b.strip() for b in part.split(":")]
    nums = [int(b) if b else None for b in bits] + [None] * (3 - len(bits))
    return nums[0], nums[1], nums[2], True


def _filter(cur: _Cursor) -> tuple[Any, ...]:
    if cur.take() != "(":
        raise JsonPathError(f"expected ( after ? in {cur.text!r}")
    cur.skip_space()
    left = _operand(cur)
    cur.skip_space()
    op = next((o for o in _OPS if cur.peek(len(o)) == o), None)
    right: Any = None
    if op:
        cur.take(len(op))
        cur.skip_space()
        right = _operand(cur)
        cur.skip_space()
    if cur.take() != ")":
        raise JsonPathError(f"expected ) in filter of {cur.text!r}")
    _close(cur)
    return ("filter", left, op, right)


def _operand(cur: _Cursor) -> Any:
    if cur.peek() in "\"'":
        return ("literal", cur.quoted())
    if cur.peek() in "@$.":
        return _parse_path(cur)
    token = _field_name(cur)
    if token in ("true", "false"):
        return ("literal", token == "true")
    try:
        return ("literal", int(token))
    except ValueError:
        try:
            return ("literal", float(token))
        except ValueError:
            raise JsonPathError(f"unrecognized operand {token!r} in filter") from None


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return []


def _descendants(value: Any) -> list[Any]:
    out = [value]
    for child in _children(value):
        out.extend(_descendants(child))
    return out


def _index(value: Any, specs: list[tuple[int | None, int | None, int | None, bool]]) -> list[Any]:
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    n = len(value)
    for start, end, step, is_slice in specs:
        if not is_slice:
            i = start if start is not None and start >= 0 else n + (start or 0)
            if 0 <= i < n:
                out.append(value[i])
            continue
        out.extend(value[slice(start, end, step)])
    return out


def _compare(left: Any, op: str, right: Any) -> bool:
    try:
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "=~":
            return isinstance(left, str) and re.search(str(right), left) is not None
        if isinstance(left, bool) or isinstance(right, bool):
            return False
        return {"<": left < right, ">": left > right, "<=": left <= right,
                ">=": left >= right}[op]
    except TypeError:
        return False


class JsonPath:
    """A parsed template: `render(obj)` prints it, `find(obj)` evaluates a one-path
    template to its values."""

    def __init__(self, template: str, allow_missing: bool = True):
        self.template = template
        self.allow_missing = allow_missing
        self.nodes = _parse_template(template)

    def _step(self, values: list[Any], step: tuple[Any, ...], root: Any) -> list[Any]:
        kind = step[0]
        out: list[Any] = []
        for v in values:
            if kind == "field":
                if isinstance(v, dict) and step[1] in v:
                    out.append(v[step[1]])
                elif not self.allow_missing:
                    raise JsonPathError(f"{step[1]} is not found")
            elif kind == "fields":
                out.extend(v[f] for f in step[1] if isinstance(v, dict) and f in v)
            elif kind == "wild":
                out.extend(_children(v))
            elif kind == "recursive":
                out.extend(_descendants(v))
            elif kind == "index":
                out.extend(_index(v, step[1]))
            elif kind == "filter":
                out.extend(item for item in _children(v) if self._keep(item, step, root))
        return out

    def _keep(self, item: Any, step: tuple[Any, ...], root: Any) -> bool:
        _, left, op, right = step
        lefts = self._operand(left, item, root)
        if op is None:
            return bool(lefts)
        rights = self._operand(right, item, root)
        return any(_compare(a, op, b) for a in lefts for b in rights)

    def _operand(self, operand: Any, item: Any, root: Any) -> list[Any]:
        if isinstance(operand, _Path):
            return self.evaluate(operand, item, root)
        return [operand[1]]

    def evaluate(self, path: _Path, current: Any, root: Any) -> list[Any]:
        values = [current]
        for step in path.steps:
            values = self._step(values, step, root)
        return values

    def find(self, data: Any) -> list[Any]:
        out: list[Any] = []
        for node in self.nodes:
            if isinstance(node, _Path):
                out.extend(self.evaluate(node, data, data))
        return out

    def render(self, data: Any) -> str:
        return "".join(self._render(self.nodes, data, data))

    def _render(self, nodes: list[Any], current: Any, root: Any) -> list[str]:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, tuple):
                out.append(node[1])
            elif isinstance(node, _Range):
                for item in self.evaluate(node.path, current, root):
                    out.extend(self._render(node.body, item, root))
            else:
                out.append(" ".join(self.text(v) for v in self.evaluate(node, current, root)))
        return out

    @staticmethod
    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dict | list):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return str(value)
