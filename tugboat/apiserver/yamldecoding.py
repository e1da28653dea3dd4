"""YAML request bodies with bounds checked before anything is built.

YAML's aliases let 342 bytes stand for a billion nodes (the "billion laughs"): PyYAML
builds them as shared references cheaply, and the cost arrives later, when the object is
walked or encoded — 2.7 GB and a frozen server. Nesting is the other hazard: PyYAML's
composer and everything after it recurse once per level. So a first pass over the parser's
event stream (flat: no recursion, no objects built) counts the nodes the aliases expand to
and the nesting depth, and refuses the body in milliseconds when either passes its bound;
only then is the body loaded, with the safe loader. go-yaml, which Kubernetes uses, refuses
"excessive aliasing" in the same spirit."""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from tugboat.api.patch import MAX_DEPTH

# Nodes the aliases may add beyond the document's own: as many as it has, and at least
# this many for small documents (a shared block of env reused across containers).
MIN_ALIAS_ALLOWANCE = 100_000

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLBoundError(ValueError):
    """A YAML body past a bound, or aliasing that cannot be expanded (a cycle)."""


def check_bounds(raw: bytes | str, max_depth: int = MAX_DEPTH,
                 min_alias_allowance: int = MIN_ALIAS_ALLOWANCE) -> None:
    """Walk the parser's events once, counting the nodes as if every alias were expanded."""
    sizes: dict[str, int] = {}  # anchor -> the nodes its value expands to
    stack: list[list[Any]] = []  # open collections: [anchor, expanded node count]
    open_anchors: set[str] = set()
    own = total = 0  # nodes written out in the body; nodes once aliases are expanded
    for event in yaml.parse(raw, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= max_depth:
                raise YAMLBoundError(f"exceeded max depth of {max_depth}")
            own, total = own + 1, total + 1
            stack.append([event.anchor, 1])
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            continue
        if isinstance(event, yaml.ScalarEvent):
            own, total = own + 1, total + 1
            anchor, count = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise YAMLBoundError(f'anchor "{event.anchor}" value contains itself')
            anchor, count = None, sizes.get(event.anchor, 1)
            total += count
            if total - own > max(own, min_alias_allowance):
                raise YAMLBoundError("document contains excessive aliasing")
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            open_anchors.discard(anchor)
        else:
            continue
        if anchor is not None:
            sizes[anchor] = count
        if stack:
            stack[-1][1] += count


def load_documents(raw: bytes) -> list[Any]:
    """The documents of a YAML body as plain JSON values (string keys, no dates or sets):
    what a JSON body would have given. Raises yaml.YAMLError, YAMLBoundError, or
    orjson.JSONEncodeError for what JSON cannot carry (integers beyond 64 bits, binary)."""
    check_bounds(raw)
    docs = list(yaml.load_all(raw, Loader=_Loader))
    return [orjson.loads(orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)) for doc in docs]
