"""Wire scalar types several API groups share: the sized integers, IntOrString and the
quantity string.

Kubernetes' integer fields are Go int32 or int64, and its decoder refuses a number that
does not fit ("cannot unmarshal number 2147483648 ... of type int32"). A Python int has
no size, so an unbounded `replicas: 2147483648` used to be stored and then broke every
client that decodes it (kubectl, client-go, the Python client). Int32 and Int64 carry the
Go type's range once, for every model; validation/typeerrors.py words the refusal.

Kubernetes accepts `cpu: 1` and `cpu: "500m"` alike for a resource.Quantity, and `port: 80`
or `port: http` for an IntOrString. Both are kept as Python scalars so a model dumps back
to exactly what was sent; quantity.py does the arithmetic.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from tugboat.api.quantity import QuantityError, parse_quantity

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

# The bounds are checked by pydantic-core itself (no Python call per field) and appear in
# the served OpenAPI schema with Kubernetes' `format`.
Int32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX, json_schema_extra={"format": "int32"})]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX, json_schema_extra={"format": "int64"})]

# intstr.IntOrString: its integer form is an int32.
IntOrString = Int32 | str


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
