"""Secrets: `stringData` is a write-only convenience, merged into `data` (base64) before
anything else reads the body, with stringData winning on a shared key — Kubernetes does
it in conversion, so admission, the unknown-field check (kubectl sends
fieldValidation=Strict) and validation all see only `data`, and it is never stored."""

from __future__ import annotations

import base64

from tugboat.apiserver.strategies.generic import Obj, Stored, Strategy


def fold_string_data(body: Obj) -> None:
    """Moves well-formed stringData into data; anything else stays for the decoder to
    name in a 422 (a list, a number where a string belongs)."""
    string_data = body.get("stringData")
    if string_data is None:
        body.pop("stringData", None)
        return
    data = body.get("data")
    if not isinstance(string_data, dict) or not all(
            isinstance(v, str) for v in string_data.values()):
        return
    if data is not None and not isinstance(data, dict):
        return
    merged = dict(data or {})
    for key, value in string_data.items():
        merged[key] = base64.b64encode(value.encode()).decode()
    body["data"] = merged
    del body["stringData"]


class SecretStrategy(Strategy):
    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        fold_string_data(body)
        super().prepare_for_create(body, namespace, stored)

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        fold_string_data(new)
        return super().prepare_for_update(new, old)
