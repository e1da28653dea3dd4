"""The string-format checks of apimachinery's util/validation: DNS-1123 labels and
subdomains, DNS-1035 labels, qualified names, label values, port names and numbers, env
var names and config keys. Each returns Kubernetes' messages for a bad value, or an empty
tuple; regexes are compiled once and the common (valid) case is one fullmatch.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

OK: tuple[str, ...] = ()


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery's RegexError, double spaces between examples included."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_PERCENT_FMT = "[0-9]+%"

_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(_DNS1035_LABEL_FMT)
_QUALIFIED_NAME = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE = re.compile(_LABEL_VALUE_FMT)
_ENV_VAR_NAME = re.compile(_ENV_VAR_NAME_FMT)
_CONFIG_MAP_KEY = re.compile(_CONFIG_MAP_KEY_FMT)
_PERCENT = re.compile(_PERCENT_FMT)
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")
_HAS_LETTER = re.compile("[a-z]")

DNS1123_LABEL_MSG = regex_error(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character",
    _DNS1123_LABEL_FMT, "my-name", "123-abc")
DNS1123_SUBDOMAIN_MSG = regex_error(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character",
    _DNS1123_SUBDOMAIN_FMT, "example.com")
DNS1035_LABEL_MSG = regex_error(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character",
    _DNS1035_LABEL_FMT, "my-name", "abc-123")
_QUALIFIED_NAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', and must "
                       "start and end with an alphanumeric character")
_QUALIFIED_NAME_MSG = regex_error(_QUALIFIED_NAME_ERR, _QUALIFIED_NAME_FMT,
                                  "MyName", "my.name", "123-abc")
LABEL_VALUE_MSG = regex_error(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character",
    _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
ENV_VAR_NAME_MSG = regex_error(
    "a valid environment variable name must consist of alphabetic characters, digits, '_', "
    "'-', or '.', and must not start with a digit",
    _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1")
CONFIG_MAP_KEY_MSG = regex_error(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name")
PERCENT_MSG = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'",
    _PERCENT_FMT, "1%", "93%")
PORT_RANGE_MSG = "must be between 1 and 65535, inclusive"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def is_dns1123_label(value: str) -> tuple[str, ...]:
    if len(value) <= 63 and _DNS1123_LABEL.fullmatch(value):
        return OK
    errs = [max_len_error(63)] if len(value) > 63 else []
    if not _DNS1123_LABEL.fullmatch(value):
        errs.append(DNS1123_LABEL_MSG)
    return tuple(errs)


def is_dns1123_subdomain(value: str) -> tuple[str, ...]:
    if len(value) <= 253 and _DNS1123_SUBDOMAIN.fullmatch(value):
        return OK
    errs = [max_len_error(253)] if len(value) > 253 else []
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errs.append(DNS1123_SUBDOMAIN_MSG)
    return tuple(errs)


def is_dns1035_label(value: str) -> tuple[str, ...]:
    if len(value) <= 63 and _DNS1035_LABEL.fullmatch(value):
        return OK
    errs = [max_len_error(63)] if len(value) > 63 else []
    if not _DNS1035_LABEL.fullmatch(value):
        errs.append(DNS1035_LABEL_MSG)
    return tuple(errs)


def is_qualified_name(value: str) -> tuple[str, ...]:
    """An optional DNS-subdomain prefix and '/', then a name of at most 63 characters."""
    if len(value) <= 63 and _QUALIFIED_NAME.fullmatch(value):
        return OK  # the common case: no prefix
    parts = value.split("/")
    if len(parts) > 2:
        return ("a qualified name " + _QUALIFIED_NAME_MSG
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",)
    errs: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _QUALIFIED_NAME.fullmatch(name):
        errs.append("name part " + _QUALIFIED_NAME_MSG)
    return tuple(errs)


def is_label_value(value: str) -> tuple[str, ...]:
    if len(value) <= 63 and _LABEL_VALUE.fullmatch(value):
        return OK
    errs = [max_len_error(63)] if len(value) > 63 else []
    if not _LABEL_VALUE.fullmatch(value):
        errs.append(LABEL_VALUE_MSG)
    return tuple(errs)


def is_valid_port_num(port: int) -> tuple[str, ...]:
    return OK if 1 <= port <= 65535 else (PORT_RANGE_MSG,)


def is_valid_port_name(port: str) -> tuple[str, ...]:
    errs = []
    if len(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _HAS_LETTER.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port.startswith("-") or port.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return tuple(errs)


def _chdir_prefix(value: str) -> tuple[str, ...]:
    if value == ".":
        return ("must not be '.'",)
    if value == "..":
        return ("must not be '..'",)
    if value.startswith(".."):
        return ("must not start with '..'",)
    return OK


def is_env_var_name(value: str) -> tuple[str, ...]:
    errs = () if _ENV_VAR_NAME.fullmatch(value) else (ENV_VAR_NAME_MSG,)
    return errs + _chdir_prefix(value)


def is_config_map_key(value: str) -> tuple[str, ...]:
    errs = [max_len_error(253)] if len(value) > 253 else []
    if not _CONFIG_MAP_KEY.fullmatch(value):
        errs.append(CONFIG_MAP_KEY_MSG)
    return tuple(errs) + _chdir_prefix(value)


def is_percent(value: str) -> tuple[str, ...]:
    return OK if _PERCENT.fullmatch(value) else (PERCENT_MSG,)


def is_ip(value: str) -> tuple[str, ...]:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (IP_MSG,)
    return OK


def is_path_segment_name(value: str) -> tuple[str, ...]:
    if value in (".", ".."):
        return (f"may not be '{value}'",)
    return tuple(f"may not contain '{c}'" for c in ("/", "%") if c in value)


# Object-name checks take `prefix`: a generateName is checked without its trailing dashes.
NameFn = Callable[[str, bool], tuple[str, ...]]


def _masked(check: Callable[[str], tuple[str, ...]]) -> NameFn:
    def name_fn(name: str, prefix: bool) -> tuple[str, ...]:
        if prefix and len(name) > 1 and name.endswith("-"):
            name = name[:-2] + "a"  # apimachinery's maskTrailingDash
        return check(name)

    return name_fn


name_is_dns_subdomain: NameFn = _masked(is_dns1123_subdomain)
name_is_dns_label: NameFn = _masked(is_dns1123_label)
name_is_dns1035_label: NameFn = _masked(is_dns1035_label)
