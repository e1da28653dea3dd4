"""JSON text as Go's encoding/json writes it, for the places where Kubernetes keeps JSON
inside a string and clients compare the string byte for byte: kubectl's last-applied
annotation, the HPA round-trip annotations. Go writes compact JSON, escapes <, > and & (and
U+2028/U+2029) as \\u003c…, and leaves other non-ASCII text as UTF-8; maps (unstructured
objects) come out with sorted keys, structs in field order."""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                          "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """Go's json.Marshal of `value`; `sort_keys` for a map[string]interface{}. The escaped
    characters can only occur inside strings, so translating the whole text is exact."""
    text = json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return text.translate(_ESCAPES)
