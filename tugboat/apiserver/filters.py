"""Query selectors → one predicate over wire objects: `labelSelector` and
`fieldSelector`, with a 400 for syntax errors and for fields the kind does not index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tugboat.api import selectors
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import errors

Obj = dict[str, Any]


def build(info: ResourceInfo, label_selector: str | None,
          field_selector: str | None) -> Callable[[Obj], bool] | None:
    preds: list[Callable[[Obj], bool]] = []
    if label_selector:
        try:
            lsel = selectors.parse_label_selector(label_selector)
        except ValueError as e:
            raise errors.bad_request(str(e)) from None
        preds.append(lambda o: lsel.matches((o.get("metadata") or {}).get("labels")))
    if field_selector:
        try:
            fsel = selectors.parse_field_selector(field_selector)
        except ValueError as e:
            raise errors.bad_request(str(e)) from None  # fields' messages are Kubernetes' own
        allowed = selectors.supported_field_labels(info.resource)
        for f in fsel.fields():
            if f not in allowed:
                raise errors.bad_request(f'field label not supported: {f}')
        preds.append(fsel.matches)
    if not preds:
        return None
    if len(preds) == 1:
        return preds[0]
    return lambda o: all(p(o) for p in preds)
