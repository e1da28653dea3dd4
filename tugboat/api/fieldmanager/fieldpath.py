"""Sets of field paths in the FieldsV1 form Kubernetes stores in managedFields.

A path is a tuple of path elements, each a string as FieldsV1 spells it: `f:<name>` for a
field, `k:{"name":"c"}` for the item of an associative list with those key fields (JSON,
keys sorted), `v:<json>` for a member of a set, `i:<n>` for a list position. A set is a
nested dict, the FieldsV1 object itself: `{"f:spec": {"f:replicas": {}}}`. Inside, a node
that is a member of the set and also has children holds `".": {}`; a leaf `{}` is a
member. Working on that form directly means decoding a stored entry costs nothing.

Sets are values: the functions here never mutate their arguments, and may share subtrees
between their result and their inputs, so nothing may mutate a set after it is built.
"""

from __future__ import annotations

from typing import Any

import orjson

Set = dict[str, Any]
Path = tuple[str, ...]

SELF = "."
_PREFIXES = ("f:", "k:", "v:", "i:")


def field(name: str) -> str:
    return "f:" + name


def key(values: dict[str, Any]) -> str:
    return "k:" + orjson.dumps({k: values[k] for k in sorted(values)}).decode()


def value(v: Any) -> str:
    return "v:" + orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode()


def index(i: int) -> str:
    return f"i:{i}"


def _member(node: Set) -> bool:
    return not node or SELF in node


def is_valid(fields: Any, depth: int = 0) -> bool:
    """Whether `fields` parses as FieldsV1 (FieldsToSet): objects all the way down, every
    key `.` or a known element prefix, and JSON behind `k:` and `v:`."""
    if not isinstance(fields, dict) or depth > 100:
        return False
    for k, sub in fields.items():
        if k == SELF:
            if sub != {}:
                return False
            continue
        if not k.startswith(_PREFIXES) or not is_valid(sub, depth + 1):
            return False
        if k[0] in "kv":
            try:
                parsed = orjson.loads(k[2:])
            except orjson.JSONDecodeError:
                return False
            if k[0] == "k" and not isinstance(parsed, dict):
                return False
        elif k[0] == "i" and not k[2:].isdigit():
            return False
    return True


def insert(root: Set, path: Path) -> None:
    """Add `path` to a set in place, keeping the FieldsV1 form: a node that is not a
    member always has children, so an empty node met on the way is a member leaf, which
    keeps its membership (".") as it gains children."""
    node = root
    last = len(path) - 1
    for i, pe in enumerate(path):
        child = node.get(pe)
        if child is None:
            child = node[pe] = {}
        elif i < last:
            if not child:
                child[SELF] = {}
        elif child and SELF not in child:
            child[SELF] = {}
        node = child


def finish(root: Set) -> Set:
    """The FieldsV1 form of a set built marking every member with ".", leaves too (and
    holding no empty node that is not a member)."""
    out: Set = {}
    for k, sub in root.items():
        if k == SELF:
            continue
        n = _node(SELF in sub or not sub, finish(sub))
        if n is not None:
            out[k] = n
    return out


def _node(member: bool, children: Set) -> Set | None:
    if not children:
        return {} if member else None
    return {SELF: {}, **children} if member else children


def _children(node: Set) -> Set:
    return {k: v for k, v in node.items() if k != SELF}


def union(a: Set, b: Set) -> Set:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for k, v in b.items():
        mine = out.get(k)
        out[k] = v if mine is None else _union_node(mine, v)
    return out


def _union_node(a: Set, b: Set) -> Set:
    member = _member(a) or _member(b)
    kids = union(_children(a), _children(b))
    return _node(member, kids) or {}


def difference(a: Set, b: Set) -> Set:
    """Members of `a` that are not members of `b`."""
    if not b:
        return a
    out: Set = {}
    for k, v in a.items():
        other = b.get(k)
        if other is None:
            out[k] = v
            continue
        d = _node(_member(v) and not _member(other), difference(_children(v), _children(other)))
        if d is not None:
            out[k] = d
    return out


def intersection(a: Set, b: Set) -> Set:
    out: Set = {}
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    for k, v in small.items():
        other = big.get(k)
        if other is None:
            continue
        d = _node(_member(v) and _member(other), intersection(_children(v), _children(other)))
        if d is not None:
            out[k] = d
    return out


def without(a: Set, *prefixes: str) -> Set:
    """`a` less everything under the top-level elements named (RecursiveDifference of
    whole fields: status for the main resource, spec for /status)."""
    if not any(p in a for p in prefixes):
        return a
    return {k: v for k, v in a.items() if k not in prefixes}


def has_under(node: Set) -> bool:
    """Whether any member lies strictly beneath `node` (its children hold one)."""
    return any(k != SELF for k in node)


def paths(root: Set, prefix: Path = ()) -> list[Path]:
    """Every member path, in the set's (sorted) order."""
    out: list[Path] = []
    for k in sorted(root):
        if k == SELF:
            continue
        sub = root[k]
        here = prefix + (k,)
        if _member(sub):
            out.append(here)
        out.extend(paths(sub, here))
    return out


def render(path: Path) -> str:
    """A path as structured-merge-diff prints it: `.spec.containers[name="c"].image`."""
    parts = []
    for pe in path:
        kind, text = pe[:2], pe[2:]
        if kind == "f:":
            parts.append("." + text)
        elif kind == "k:":
            fields = orjson.loads(text)
            parts.append("[" + ",".join(f"{k}={_go_value(fields[k])}" for k in fields) + "]")
        elif kind == "v:":
            parts.append(f"[={_go_value(orjson.loads(text))}]")
        else:
            parts.append(f"[{text}]")
    return "".join(parts)


def _go_value(v: Any) -> str:
    if isinstance(v, str):
        return orjson.dumps(v).decode()  # Go's %q of a plain string
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return orjson.dumps(v).decode()
