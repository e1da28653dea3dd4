"""Resource quantities ("100m", "128Mi", "1e3") as exact numbers.

The scheduler adds up CPU and memory requests, the kubelet turns limits into Docker's
NanoCPUs and bytes, and `top` prints usage; all of them need Kubernetes' quantity grammar
(k8s.io/apimachinery/pkg/api/resource) without float rounding. Values are kept as
fractions.Fraction, rounded up to the nanounit as Kubernetes does at parse time, and print
back in Kubernetes' canonical form ("1500m", "128Mi", "1k").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class QuantityError(ValueError):
    """Text that is not a Kubernetes quantity."""


class Format(StrEnum):
    DECIMAL_SI = "DecimalSI"  # 100m, 1, 1k, 1M
    BINARY_SI = "BinarySI"  # 1Ki, 128Mi
    DECIMAL_EXPONENT = "DecimalExponent"  # 1e3, 5E-3


_DECIMAL_SUFFIXES = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_EXPONENT = {e: s for s, e in _BINARY_SUFFIXES.items()}

_FORMAT_MSG = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
_QUANTITY_RE = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$")
_EXPONENT_RE = re.compile(r"^[eE]([-+]?[0-9]+)$")
# A bound on exponents keeps "1e999999999" from building a gigantic integer; Kubernetes'
# own quantities cannot exceed int64 scaled values anyway.
_MAX_EXPONENT = 100
_MAX_DIGITS = 1000  # far beyond any real quantity, well within what int() converts
_NANO = Fraction(1, 10**9)


@functools.total_ordering
@dataclass(frozen=True)
class Quantity:
    """An exact amount plus the notation it was written in (which decides how it prints)."""

    value: Fraction
    format: Format = Format.DECIMAL_SI

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self.value == other.value
        return NotImplemented

    def __lt__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self.value < other.value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.format)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(self.value - other.value, self.format)

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.format)

    def is_zero(self) -> bool:
        return self.value == 0

    def milli_value(self) -> int:
        """The value in thousandths, rounded away from zero (Quantity.MilliValue)."""
        return _round_away(self.value * 1000)

    def int_value(self) -> int:
        """The value rounded away from zero to a whole unit (Quantity.Value)."""
        return _round_away(self.value)

    def to_string(self) -> str:
        return canonical_string(self.value, self.format)

    __str__ = to_string


def _round_away(value: Fraction) -> int:
    return math.ceil(value) if value >= 0 else -math.ceil(-value)


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_quantity(text: str | int | float | Quantity) -> Quantity:
    """Parse Kubernetes' quantity syntax; plain JSON numbers (YAML `cpu: 2`) are accepted too."""
    if isinstance(text, Quantity):
        return text
    if isinstance(text, bool):
        raise QuantityError(_FORMAT_MSG)
    if isinstance(text, int | float):
        return _from_number(text)
    if not isinstance(text, str):
        raise QuantityError(_FORMAT_MSG)
    match = _QUANTITY_RE.match(text.strip()) if text.strip() == text else None
    if match is None or not (match.group(2) or match.group(3)):
        raise QuantityError(_FORMAT_MSG)
    sign, whole, fraction, suffix = match.groups()
    if len(whole) + len(fraction or "") > _MAX_DIGITS:
        raise QuantityError("unable to parse numeric part of quantity")
    number = Fraction(int(whole or "0")) + _fraction_digits(fraction or "")
    scale, fmt = _suffix_scale(suffix)
    return _rounded(-number * scale if sign == "-" else number * scale, fmt)


def _from_number(number: int | float) -> Quantity:
    if isinstance(number, float) and not math.isfinite(number):
        raise QuantityError(_FORMAT_MSG)
    # repr() of a float is the shortest text that reads back the same, which is what a
    # JSON document said (0.1 stays 0.1, not 0.1000000000000000055...).
    return parse_quantity(repr(number) if isinstance(number, float) else str(number))


def _fraction_digits(digits: str) -> Fraction:
    return Fraction(int(digits), 10 ** len(digits)) if digits else Fraction(0)


def _suffix_scale(suffix: str) -> tuple[Fraction, Format]:
    if suffix in _DECIMAL_SUFFIXES:
        return Fraction(10) ** _DECIMAL_SUFFIXES[suffix], Format.DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return Fraction(2 ** _BINARY_SUFFIXES[suffix]), Format.BINARY_SI
    exponent = _EXPONENT_RE.match(suffix)
    if exponent is None:
        raise QuantityError("unable to parse quantity's suffix")
    power = int(exponent.group(1))
    if abs(power) > _MAX_EXPONENT:
        raise QuantityError("unable to parse quantity's suffix")
    return Fraction(10) ** power, Format.DECIMAL_EXPONENT


def _rounded(value: Fraction, fmt: Format) -> Quantity:
    # Kubernetes rounds non-zero amounts up (away from zero) to a whole nanounit: asking for
    # a tiny amount of a resource still asks for some. Binary amounts below 1 print as decimal.
    nanos = _round_away(value / _NANO)
    exact = Fraction(nanos) * _NANO
    if fmt is Format.BINARY_SI and -1 < exact < 1 and exact != 0:
        fmt = Format.DECIMAL_SI
    return Quantity(exact, fmt)


# ---------------------------------------------------------------------------------------------
# Canonical printing (Quantity.String / CanonicalizeBytes)


def canonical_string(value: Fraction, fmt: Format = Format.DECIMAL_SI) -> str:
    if value == 0:
        return "0"
    if fmt is Format.BINARY_SI and (-1024 < value < 1024 or value.denominator != 1):
        fmt = Format.DECIMAL_SI  # small or fractional binary amounts print in decimal
    if fmt is Format.BINARY_SI:
        return _binary_string(int(value))
    mantissa, exponent = _decimal_mantissa(value)
    if fmt is Format.DECIMAL_EXPONENT:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    while exponent > 18:  # beyond "E" there is no suffix: grow the mantissa instead
        mantissa, exponent = mantissa * 1000, exponent - 3
    return f"{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"


def _decimal_mantissa(value: Fraction) -> tuple[int, int]:
    """An integer mantissa and an exponent that is a multiple of 3, as small a mantissa as
    exact arithmetic allows (1500 -> (1500, 0), 1000 -> (1, 3), 0.5 -> (500, -3))."""
    exponent = -9
    mantissa = value / _NANO
    while mantissa.denominator != 1:  # finer than nano only happens for unrounded values
        mantissa, exponent = mantissa * 1000, exponent - 3
    number = int(mantissa)
    while number % 1000 == 0:
        number, exponent = number // 1000, exponent + 3
    return number, exponent


def _binary_string(number: int) -> str:
    exponent = 0
    while number % 1024 == 0 and exponent < 60:
        number, exponent = number // 1024, exponent + 10
    return f"{number}{_BINARY_BY_EXPONENT.get(exponent, '')}"


# ---------------------------------------------------------------------------------------------
# Helpers for CPU and memory, the two resources Tugboat schedules on.


def cpu_millis(quantity: str | int | float | Quantity) -> int:
    """CPU in millicores: "250m" -> 250, "2" -> 2000, "0.1" -> 100 (rounded up)."""
    return parse_quantity(quantity).milli_value()


def to_bytes(quantity: str | int | float | Quantity) -> int:
    """Memory in bytes: "128Mi" -> 134217728, "1G" -> 1000000000 (rounded up)."""
    return parse_quantity(quantity).int_value()


def format_cpu(millis: int) -> str:
    """Canonical CPU text from millicores: 250 -> "250m", 2000 -> "2", 1500 -> "1500m"."""
    return canonical_string(Fraction(millis, 1000), Format.DECIMAL_SI)


def format_bytes(n: int) -> str:
    """Canonical memory text from bytes, binary suffixes as metrics-server reports usage:
    134217728 -> "128Mi", 134221824 -> "131076Ki", 1536 -> "1536"."""
    return canonical_string(Fraction(n), Format.BINARY_SI)


def format_mebibytes(n: int) -> str:
    """Memory as `kubectl top` prints it: whole mebibytes, rounded down ("128Mi")."""
    return f"{n // (1024 * 1024)}Mi"


def compare_quantities(a: str | int | float | Quantity, b: str | int | float | Quantity) -> int:
    """-1, 0 or 1 as a is less than, equal to or greater than b ("1Gi" > "1G")."""
    left, right = parse_quantity(a).value, parse_quantity(b).value
    return (left > right) - (left < right)
