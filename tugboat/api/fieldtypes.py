"""Wire scalar types several API groups share: IntOrString and the quantity string.

Kubernetes accepts `cpu: 1` and `cpu: "500m"` alike for a resource.Quantity, and `port: 80`
or `port: http` for an IntOrString. Both are kept as Python scalars so a model dumps back
to exactly what was sent; quantity.py does the arithmetic.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator

from tugboat.api.quantity import QuantityError, parse_quantity

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


@functools.lru_cache(maxsize=4096)
def quantity_value(text: str) -> Fraction | None:
    """A quantity string's exact value (quantity.py's parser), or None when it is not valid
    quantity syntax. Cached: the same few spellings ("100m", "64Mi") recur on every pod,
    and defaulting (QoS) and validation (requests <= limits) read them on every write."""
    try:
        return parse_quantity(text).value
    except QuantityError:
        return None
