"""Turns pydantic's type errors (a body that does not even fit the model: `containers` not a
list, `containerPort: "abc"`, a missing container name) into Kubernetes-style causes, so
the apiserver answers 422 with `details.causes` naming each field as Kubernetes paths them
(`spec.containers[0].ports[0].containerPort`, `metadata.labels[app]`).
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

import pydantic
from pydantic import BaseModel

from tugboat.api.fieldtypes import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN
from tugboat.api.meta import K8sModel, StatusCause
from tugboat.api.validation.fielderrors import INVALID, REQUIRED

_TYPE_NAMES = {
    "int_type": "integer", "int_parsing": "integer", "int_from_float": "integer",
    "int_parsing_size": "integer", "string_type": "string", "bool_type": "boolean",
    "bool_parsing": "boolean", "float_type": "number", "float_parsing": "number",
    "list_type": "array", "tuple_type": "array", "set_type": "array", "dict_type": "object",
    "model_type": "object", "model_attributes_type": "object",
}
# A bound that is a Go integer type's limit (fieldtypes.Int32/Int64): the number does not
# fit the field's type, as Kubernetes' decoder says ("... of type int32").
_SIZED_BOUNDS = {INT32_MIN: "int32", INT32_MAX: "int32", INT64_MIN: "int64", INT64_MAX: "int64"}


def _type_name(err: Any) -> str | None:
    if err["type"] in ("greater_than_equal", "less_than_equal"):
        bound = next(iter((err.get("ctx") or {}).values()), None)
        return _SIZED_BOUNDS.get(bound) if isinstance(bound, int) else None
    return _TYPE_NAMES.get(err["type"])


def _models_by_name() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    stack: list[type[BaseModel]] = [K8sModel]
    while stack:
        cls = stack.pop()
        found.setdefault(cls.__name__, cls)
        stack.extend(cls.__subclasses__())
    return found


def _strip(annotation: Any) -> Any:
    """Drop Optional and Annotated wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def field_path(root: Any, loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a Kubernetes field path, walking the model's types so
    that list indexes and map keys become `[i]` / `[key]` and union tags disappear."""
    out = ""
    ann = root
    for item in loc:
        ann = _strip(ann)
        origin = typing.get_origin(ann)
        if origin in (typing.Union, types.UnionType):  # a tag naming the union member tried
            ann = next((a for a in typing.get_args(ann)
                        if getattr(a, "__name__", None) == item), None)
            continue
        if isinstance(ann, type) and issubclass(ann, BaseModel) and item in ann.model_fields:
            out += f".{item}" if out else str(item)
            ann = ann.model_fields[item].annotation
        elif origin in (list, tuple, set) or isinstance(item, int):
            out += f"[{item}]"
            args = typing.get_args(ann)
            ann = args[0] if args else None
        elif origin is dict:
            out += f"[{item}]"
            ann = typing.get_args(ann)[1]
        else:
            out += f".{item}" if out else str(item)
            ann = None
    return out


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return '"object"'
    if isinstance(value, list | tuple):
        return '"array"'
    return json.dumps(value, default=str)


def causes_from_pydantic(exc: pydantic.ValidationError,
                         model: type[BaseModel] | None = None) -> list[StatusCause]:
    """One cause per bad field: FieldValueRequired for a missing one, FieldValueInvalid
    (`Invalid value: "abc": spec.x in body must be of type integer`) for a wrong type."""
    root = model or _models_by_name().get(exc.title)
    by_path: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for err in exc.errors(include_url=False):
        path = field_path(root, err["loc"]) if root is not None else _plain_path(err["loc"])
        entry = by_path.setdefault(path, (err, []))
        type_name = _type_name(err)
        if type_name and type_name not in entry[1]:
            entry[1].append(type_name)
    causes = []
    for path, (err, type_names) in by_path.items():
        if err["type"] == "missing":
            causes.append(StatusCause(reason=REQUIRED, message="Required value", field=path))
        elif err["type"] == "extra_forbidden":
            causes.append(StatusCause(reason=INVALID, message=f'unknown field "{path}"',
                                      field=path))
        elif type_names:
            message = (f"Invalid value: {_show(err.get('input'))}: {path} in body must be of "
                       f"type {' or '.join(type_names)}")
            causes.append(StatusCause(reason=INVALID, message=message, field=path))
        else:
            message = f"Invalid value: {_show(err.get('input'))}: {err['msg']}"
            causes.append(StatusCause(reason=INVALID, message=message, field=path))
    return causes


def _plain_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out
