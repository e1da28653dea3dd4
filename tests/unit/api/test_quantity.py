"""Quantities parse, compare and print as k8s.io/apimachinery/pkg/api/resource does."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tugboat.api.quantity import (
    Format,
    Quantity,
    QuantityError,
    compare_quantities,
    cpu_millis,
    format_bytes,
    format_cpu,
    format_mebibytes,
    parse_quantity,
    to_bytes,
)

KI, MI, GI = 1024, 1024**2, 1024**3


@pytest.mark.parametrize(
    ("text", "value", "fmt", "canonical"),
    [
        ("0", Fraction(0), Format.DECIMAL_SI, "0"),
        ("1", Fraction(1), Format.DECIMAL_SI, "1"),
        ("100m", Fraction(1, 10), Format.DECIMAL_SI, "100m"),
        ("0.5", Fraction(1, 2), Format.DECIMAL_SI, "500m"),
        (".5", Fraction(1, 2), Format.DECIMAL_SI, "500m"),
        ("5.", Fraction(5), Format.DECIMAL_SI, "5"),
        ("1.5", Fraction(3, 2), Format.DECIMAL_SI, "1500m"),
        ("1500m", Fraction(3, 2), Format.DECIMAL_SI, "1500m"),
        ("2000m", Fraction(2), Format.DECIMAL_SI, "2"),
        ("1000", Fraction(1000), Format.DECIMAL_SI, "1k"),
        ("1500", Fraction(1500), Format.DECIMAL_SI, "1500"),
        ("1k", Fraction(1000), Format.DECIMAL_SI, "1k"),
        ("1M", Fraction(10**6), Format.DECIMAL_SI, "1M"),
        ("1G", Fraction(10**9), Format.DECIMAL_SI, "1G"),
        ("2T", Fraction(2 * 10**12), Format.DECIMAL_SI, "2T"),
        ("1P", Fraction(10**15), Format.DECIMAL_SI, "1P"),
        ("1E", Fraction(10**18), Format.DECIMAL_SI, "1E"),
        ("1u", Fraction(1, 10**6), Format.DECIMAL_SI, "1u"),
        ("5n", Fraction(5, 10**9), Format.DECIMAL_SI, "5n"),
        ("0.1n", Fraction(1, 10**9), Format.DECIMAL_SI, "1n"),  # rounded up to a nanounit
        ("2Ki", Fraction(2 * KI), Format.BINARY_SI, "2Ki"),
        ("128Mi", Fraction(128 * MI), Format.BINARY_SI, "128Mi"),
        ("1Gi", Fraction(GI), Format.BINARY_SI, "1Gi"),
        ("1.5Gi", Fraction(3 * GI, 2), Format.BINARY_SI, "1536Mi"),
        ("1024Mi", Fraction(GI), Format.BINARY_SI, "1Gi"),
        ("1Ti", Fraction(1024**4), Format.BINARY_SI, "1Ti"),
        ("0.5Ki", Fraction(512), Format.BINARY_SI, "512"),  # under 1024 prints decimal
        ("0.5Mi", Fraction(512 * KI), Format.BINARY_SI, "512Ki"),
        ("1e3", Fraction(1000), Format.DECIMAL_EXPONENT, "1e3"),
        ("1E3", Fraction(1000), Format.DECIMAL_EXPONENT, "1e3"),
        ("1e-3", Fraction(1, 1000), Format.DECIMAL_EXPONENT, "1e-3"),
        ("5E-3", Fraction(5, 1000), Format.DECIMAL_EXPONENT, "5e-3"),
        ("12e2", Fraction(1200), Format.DECIMAL_EXPONENT, "1200"),
        ("1e+3", Fraction(1000), Format.DECIMAL_EXPONENT, "1e3"),
        ("-1", Fraction(-1), Format.DECIMAL_SI, "-1"),
        ("-100m", Fraction(-1, 10), Format.DECIMAL_SI, "-100m"),
        ("+2", Fraction(2), Format.DECIMAL_SI, "2"),
        ("007", Fraction(7), Format.DECIMAL_SI, "7"),
        ("0" * 50 + "1", Fraction(1), Format.DECIMAL_SI, "1"),
    ],
)
def test_parse_quantity(text, value, fmt, canonical):
    quantity = parse_quantity(text)
    assert quantity.value == value
    assert quantity.format is fmt
    assert quantity.to_string() == canonical
    assert str(quantity) == canonical
    assert parse_quantity(canonical) == quantity  # canonical text reads back the same


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [(2, "2"), (0, "0"), (0.5, "500m"), (0.1, "100m"), (1500, "1500"), (1e3, "1k")],
)
def test_parse_json_numbers(raw, canonical):
    assert parse_quantity(raw).to_string() == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "quantities must match the regular expression"),
        (".", "quantities must match the regular expression"),
        ("abc", "quantities must match the regular expression"),
        ("Mi", "quantities must match the regular expression"),
        ("1 ", "quantities must match the regular expression"),
        (" 1", "quantities must match the regular expression"),
        ("1x", "quantities must match the regular expression"),
        ("1Kib", "quantities must match the regular expression"),
        ("--1", "quantities must match the regular expression"),
        ("1.2.3", "quantities must match the regular expression"),
        ("1,5", "quantities must match the regular expression"),
        ("1e", "unable to parse quantity's suffix"),
        ("1KM", "unable to parse quantity's suffix"),
        ("1mi", "unable to parse quantity's suffix"),
        ("1ki", "unable to parse quantity's suffix"),
        ("1e1000", "unable to parse quantity's suffix"),
        ("1" * 5000, "unable to parse numeric part of quantity"),
        (True, "quantities must match the regular expression"),
        (None, "quantities must match the regular expression"),
        (float("nan"), "quantities must match the regular expression"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("250m", 250),
        ("1", 1000),
        ("2", 2000),
        ("0.1", 100),
        ("0.5", 500),
        ("1.5", 1500),
        ("100u", 1),  # rounded up, as MilliValue does
        ("1n", 1),
        ("0", 0),
        ("1e-3", 1),
        (2, 2000),
        (0.25, 250),
        ("-250m", -250),
    ],
)
def test_cpu_millis(text, millis):
    assert cpu_millis(text) == millis


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("128Mi", 128 * MI),
        ("1Gi", GI),
        ("1G", 10**9),
        ("2Ki", 2048),
        ("1e3", 1000),
        ("100", 100),
        ("1.5Ki", 1536),
        ("0.5", 1),  # rounded up to a whole byte
        ("500m", 1),
        (1024, 1024),
    ],
)
def test_to_bytes(text, size):
    assert to_bytes(text) == size


@pytest.mark.parametrize(
    ("millis", "text"),
    [(250, "250m"), (1000, "1"), (2000, "2"), (1500, "1500m"), (0, "0"), (1, "1m"), (100000, "100"), (1000000, "1k")],
)
def test_format_cpu(millis, text):
    assert format_cpu(millis) == text
    assert cpu_millis(text) == millis


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (128 * MI, "128Mi"),
        (134221824, "131076Ki"),  # metrics-server style: page-aligned usage prints in Ki
        (GI, "1Gi"),
        (1536, "1536"),
        (2048, "2Ki"),
        (100, "100"),
        (1000, "1k"),  # small binary amounts print in decimal, as Kubernetes does
        (0, "0"),
        (1024**6, "1Ei"),
        (1024**7, "1024Ei"),
    ],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text
    assert to_bytes(text) == size


@pytest.mark.parametrize(
    ("size", "text"),
    [(128 * MI, "128Mi"), (128 * MI + 1, "128Mi"), (0, "0Mi"), (GI, "1024Mi")],
)
def test_format_mebibytes(size, text):
    assert format_mebibytes(size) == text


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("1", "1000m", 0),
        ("1Gi", "1G", 1),
        ("1G", "1Gi", -1),
        ("500m", "0.5", 0),
        ("1e3", "1k", 0),
        ("100m", "1", -1),
        ("1Ki", "1024", 0),
        (2, "2", 0),
    ],
)
def test_compare(a, b, result):
    assert compare_quantities(a, b) == result


def test_quantity_arithmetic_and_ordering():
    total = parse_quantity("250m") + parse_quantity("1") + parse_quantity("1500m")
    assert total == parse_quantity("2750m")
    assert (parse_quantity("1Gi") - parse_quantity("512Mi")).to_string() == "512Mi"
    assert parse_quantity("1Gi") > parse_quantity("1G") >= parse_quantity("1000M")
    assert sorted([parse_quantity("1"), parse_quantity("10m"), parse_quantity("2")])[0].to_string() == "10m"
    assert (-parse_quantity("1")).to_string() == "-1"
    assert len({parse_quantity("1"), parse_quantity("1000m")}) == 1
    assert parse_quantity(parse_quantity("3")) == Quantity(Fraction(3))
    assert parse_quantity("0").is_zero()
    assert parse_quantity("1.5").int_value() == 2
