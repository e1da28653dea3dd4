"""The structured merge on wire dicts (structured-merge-diff's typed package): the field
set of an object (ToFieldSet), what changed between two versions of one (Compare), an
applied configuration merged over the live object (Merge), and fields taken out of an
object (RemoveItems). Structure — which lists are associative, which objects atomic — comes
from `structure`; paths in the sets are FieldsV1 element strings (`fieldpath`)."""

from __future__ import annotations

from typing import Any

from tugboat.api.fieldmanager import fieldpath as fp
from tugboat.api.fieldmanager.structure import (
    ATOMIC,
    VALUE_STRUCTS,
    ListType,
    atomic_map,
    key_fields,
    list_type,
)

Names = tuple[str, ...]  # field names from the root: what structure rules match on
_ABSENT: Any = object()
SELF = fp.SELF


def _item_element(lt: ListType, item: Any, i: int) -> str:
    if lt.kind == "map":
        keys = key_fields(lt, item)
        if keys is not None:
            return fp.key(keys)
    elif lt.kind == "set" and not isinstance(item, dict | list):
        return fp.value(item)
    return fp.index(i)


def _elements(lt: ListType, items: list[Any]) -> list[tuple[str, Any]]:
    return [(_item_element(lt, item, i), item) for i, item in enumerate(items)]


# ---------------------------------------------------------------------------------------------
# ToFieldSet


def field_set(obj: dict[str, Any], kind: str | None) -> fp.Set:
    """Every field `obj` sets, as an applier comes to own them: leaves, atomic values,
    list items, and fields set to null or to an empty object."""
    root: fp.Set = {}
    _fs_map(root, obj, kind, ())
    return fp.finish(root)


def _fs_map(node: fp.Set, m: dict[str, Any], kind: str | None, names: Names) -> None:
    for k, v in m.items():
        child = node.setdefault("f:" + k, {})
        _fs_value(child, v, kind, names + (k,))
        if v is None or v == {}:
            child[SELF] = {}
        elif not child:  # an empty list: nothing to own
            del node["f:" + k]


def _fs_value(node: fp.Set, v: Any, kind: str | None, names: Names) -> None:
    if isinstance(v, dict):
        if atomic_map(names):
            node[SELF] = {}
        else:
            _fs_map(node, v, kind, names)
    elif isinstance(v, list):
        lt = list_type(kind, names)
        if lt is ATOMIC:
            node[SELF] = {}
            return
        for pe, item in _elements(lt, v):
            child = node.setdefault(pe, {})
            _fs_value(child, item, kind, names)
            child[SELF] = {}
    else:
        node[SELF] = {}


# ---------------------------------------------------------------------------------------------
# Compare


class Comparison:
    """Fields `new` added, modified and removed relative to `old` (typed.Comparison)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._added: fp.Set = {}
        self._modified: fp.Set = {}
        self._removed: fp.Set = {}

    def sets(self) -> tuple[fp.Set, fp.Set, fp.Set]:
        return self._added, self._modified, self._removed  # built in FieldsV1 form

    def _leaf(self, a: Any, b: Any, path: fp.Path) -> None:
        if a is _ABSENT:
            fp.insert(self._added, path)
        elif b is _ABSENT:
            fp.insert(self._removed, path)
        elif a != b or type(a) is not type(b):
            fp.insert(self._modified, path)

    def value(self, a: Any, b: Any, names: Names, path: fp.Path, parent_old: bool) -> None:
        # `parent_old`: the parent existed in the old object, or is a struct Go always holds
        # (its zero value exists before anyone sets it, so it is never "added").
        here_old = a is not _ABSENT or (parent_old and bool(names) and names[-1] in VALUE_STRUCTS)
        if a is _ABSENT and path:  # all of it is new: build its part of the set directly
            node = self._added
            for pe in path:
                node = node.setdefault(pe, {})
            self._fill_added(node, b, names, here_old)
            return
        if b is not _ABSENT and type(a) is type(b) and a == b:
            return  # an unchanged subtree (most of any update) is skipped at C speed
        node = b if a is _ABSENT else a
        if isinstance(node, dict) and (b is _ABSENT or isinstance(b, dict)) \
                and (a is _ABSENT or isinstance(a, dict)):
            if atomic_map(names) or (not a or a is _ABSENT) and (not b or b is _ABSENT):
                self._leaf(a, b, path)
                return
            self._map(a if a is not _ABSENT else {}, b if b is not _ABSENT else {}, names,
                      path, here_old)
        elif isinstance(node, list) and (b is _ABSENT or isinstance(b, list)) \
                and (a is _ABSENT or isinstance(a, list)):
            lt = list_type(self.kind, names)
            if lt is ATOMIC or (not a or a is _ABSENT) and (not b or b is _ABSENT):
                self._leaf(a, b, path)
                return
            self._list(lt, a if a is not _ABSENT else [], b if b is not _ABSENT else [],
                       names, path, here_old)
        else:
            self._leaf(a, b, path)
            return
        if path and not here_old:
            fp.insert(self._added, path)
        elif path and b is _ABSENT:
            fp.insert(self._removed, path)

    def _fill_added(self, node: fp.Set, v: Any, names: Names, here_old: bool) -> None:
        """`v`, all of it added, into the set under construction at `node`."""
        if isinstance(v, dict) and v and not atomic_map(names):
            for k, x in v.items():
                sub = names + (k,)
                self._fill_added(node.setdefault("f:" + k, {}), x, sub,
                                 here_old and k in VALUE_STRUCTS)
        elif isinstance(v, list) and v and (lt := list_type(self.kind, names)) is not ATOMIC:
            for pe, item in _elements(lt, v):
                self._fill_added(node.setdefault(pe, {}), item, names, False)
        else:
            return  # a leaf: the empty node is the member
        if not here_old:
            node[SELF] = {}

    def _map(self, a: dict[str, Any], b: dict[str, Any], names: Names, path: fp.Path,
             here_old: bool) -> None:
        for k, av in a.items():
            self.value(av, b.get(k, _ABSENT), names + (k,), path + ("f:" + k,), here_old)
        for k, bv in b.items():
            if k not in a:
                self.value(_ABSENT, bv, names + (k,), path + ("f:" + k,), here_old)

    def _list(self, lt: ListType, a: list[Any], b: list[Any], names: Names, path: fp.Path,
              here_old: bool) -> None:
        old = dict(_elements(lt, a))
        new = dict(_elements(lt, b))
        for pe, av in old.items():
            self.value(av, new.get(pe, _ABSENT), names, path + (pe,), False)
        for pe, bv in new.items():
            if pe not in old:
                self.value(_ABSENT, bv, names, path + (pe,), False)


def compare(old: dict[str, Any] | None, new: dict[str, Any], kind: str | None
            ) -> tuple[fp.Set, fp.Set, fp.Set]:
    """(added, modified, removed) from `old` to `new`; `old` None is a create, compared
    against the empty object of the kind."""
    c = Comparison(kind)
    c.value(old or {}, new, (), (), True)
    return c.sets()


# ---------------------------------------------------------------------------------------------
# Merge


def merge(live: dict[str, Any], config: dict[str, Any], kind: str | None) -> dict[str, Any]:
    """The applied configuration merged over the live object: its fields win, objects merge
    field by field, associative lists and sets item by item, atomic values are replaced;
    a null in the configuration removes the field. Neither argument is changed."""
    return _merge_map(live, config, kind, ())


def _merge_map(live: dict[str, Any], config: dict[str, Any], kind: str | None,
               names: Names) -> dict[str, Any]:
    out = dict(live)
    for k, v in config.items():
        merged = _merge_value(live.get(k, _ABSENT), v, kind, names + (k,))
        if merged is _ABSENT:
            out.pop(k, None)
        else:
            out[k] = merged
    return out


def _merge_value(live: Any, config: Any, kind: str | None, names: Names) -> Any:
    if config is None:
        return _ABSENT
    if isinstance(config, dict) and isinstance(live, dict) and not atomic_map(names):
        return _merge_map(live, config, kind, names)
    if isinstance(config, list) and isinstance(live, list):
        lt = list_type(kind, names)
        if lt is not ATOMIC:
            return _merge_list(lt, live, config, kind, names)
    return _strip_nulls(config)


def _strip_nulls(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def _merge_list(lt: ListType, live: list[Any], config: list[Any], kind: str | None,
                names: Names) -> list[Any]:
    """Items of both, merged: live-only items keep their places, the configuration's items
    come in its order (structured-merge-diff's merge of associative lists)."""
    lhs, rhs = _elements(lt, live), _elements(lt, config)
    lmap, rmap = dict(lhs), dict(rhs)
    shared = [pe for pe, _ in rhs if pe in lmap]
    nxt = 0  # index into shared: the next shared item expected
    out: list[Any] = []
    done: set[str] = set()

    def take(pe: str, r: Any) -> None:
        nonlocal nxt
        done.add(pe)
        lv = lmap.get(pe, _ABSENT)
        out.append(_strip_nulls(r) if lv is _ABSENT else _merge_item(lv, r, kind, names))
        if nxt < len(shared) and shared[nxt] == pe:
            nxt += 1

    li = ri = 0
    while li < len(lhs) or ri < len(rhs):
        if li < len(lhs) and ri < len(rhs):
            lpe = lhs[li][0]
            if lpe == rhs[ri][0]:
                take(lpe, rhs[ri][1])
                li += 1
                ri += 1
                continue
            if lpe in rmap and nxt < len(shared) and shared[nxt] != lpe:
                li += 1  # shared, but not the one due now: it comes in the config's order
                continue
        if li < len(lhs):
            lpe = lhs[li][0]
            if lpe not in rmap:
                out.append(lhs[li][1])
                li += 1
                continue
            if lpe in done:
                li += 1
                continue
        if ri < len(rhs):
            take(rhs[ri][0], rhs[ri][1])
            ri += 1
    return out


def _merge_item(live: Any, config: Any, kind: str | None, names: Names) -> Any:
    if isinstance(live, dict) and isinstance(config, dict) and not atomic_map(names):
        return _merge_map(live, config, kind, names)
    return _strip_nulls(config)


# ---------------------------------------------------------------------------------------------
# RemoveItems


def remove(obj: dict[str, Any], gone: fp.Set, keep: fp.Set, kind: str | None
           ) -> dict[str, Any]:
    """`obj` without the fields of `gone` — except where `keep` holds something beneath a
    field, which then loses only the parts of it `gone` names. An object or list emptied
    by the removal goes too (as the empty value would be omitted on the wire)."""
    if not gone:
        return obj
    out = _remove_map(obj, gone, keep, kind, ())
    return out if out is not _ABSENT else {}


def _removes_whole(sub: fp.Set, keep: fp.Set | None) -> bool:
    return (not sub or SELF in sub) and not (keep and fp.has_under(keep))


def _remove_map(m: dict[str, Any], gone: fp.Set, keep: fp.Set, kind: str | None,
                names: Names) -> Any:
    out = dict(m)
    for k, v in m.items():
        sub = gone.get("f:" + k)
        if sub is None:
            continue
        kept = keep.get("f:" + k)
        if _removes_whole(sub, kept):
            del out[k]
        elif fp.has_under(sub):
            nv = _remove_value(v, sub, kept or {}, kind, names + (k,))
            if nv is _ABSENT:
                del out[k]
            else:
                out[k] = nv
    if not out and m and names:
        return _ABSENT
    return out


def _remove_value(v: Any, gone: fp.Set, keep: fp.Set, kind: str | None, names: Names) -> Any:
    if isinstance(v, dict):
        return _remove_map(v, gone, keep, kind, names)
    if isinstance(v, list):
        lt = list_type(kind, names)
        out = []
        for pe, item in _elements(lt, v):
            sub = gone.get(pe)
            if sub is None:
                out.append(item)
                continue
            kept = keep.get(pe)
            if _removes_whole(sub, kept):
                continue
            nv = _remove_value(item, sub, kept or {}, kind, names) if fp.has_under(sub) \
                else item
            if isinstance(item, dict) and lt.kind == "map":  # an item stays with its keys
                nv = {**{k: item[k] for k in lt.keys if k in item},
                      **(nv if isinstance(nv, dict) else {})}
            if nv is not _ABSENT:
                out.append(nv)
        return out if out or not v else _ABSENT
    return v
