"""Wire scalar types several API groups share: IntOrString and the quantity string.

Kubernetes accepts `cpu: 1` and `cpu: "500m"` alike for a resource.Quantity, and `port: 80`
or `port: http` for an IntOrString. Both are kept as Python scalars so a model dumps back
to exactly what was sent. Quantity arithmetic belongs to quantity.py; `quantity_fraction`
is only the exact comparison that defaulting (QoS class) and validation (requests <=
limits) need, so the object model does not wait on the full parser.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator

IntOrString = int | str


def _quantity_from_number(value: Any) -> Any:
    """A JSON number is a valid quantity; keep its shortest decimal spelling as a string."""
    if isinstance(value, bool):
        return value  # rejected by the str validator, as Kubernetes rejects it
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


Quantity = Annotated[str, BeforeValidator(_quantity_from_number)]
ResourceList = dict[str, Quantity]


# Kubernetes' quantity syntax: a signed decimal, then an SI/binary suffix or an exponent.
QUANTITY_RE = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$"
)
_SUFFIX = {
    None: Fraction(1), "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    **{s: Fraction(1000) ** (i + 1) for i, s in enumerate("kMGTPE")},
    **{s + "i": Fraction(1024) ** (i + 1) for i, s in enumerate("KMGTPE")},
}


@functools.lru_cache(maxsize=4096)
def quantity_fraction(value: str) -> Fraction | None:
    """A quantity's exact value, or None when it is not valid quantity syntax. Cached: the
    same few spellings ("100m", "64Mi") recur on every pod."""
    m = QUANTITY_RE.match(value)
    if m is None:
        return None
    number, suffix, exponent = m.groups()
    if exponent is not None:
        return Fraction(number) * Fraction(10) ** int(exponent)
    return Fraction(number) * _SUFFIX[suffix]
