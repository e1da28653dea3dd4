"""$(VAR) expansion, case for case as Kubernetes' expansion tests (TestMapping)."""

from __future__ import annotations

import pytest

from tugboat.kubelet.expansion import expand

CONTEXT = {"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}


@pytest.mark.parametrize(("text", "expanded"), [
    ("$(VAR_A)", "A"),  # whole string
    ("$(VAR_A)-$(VAR_A)", "A-A"),  # repeat
    ("$(VAR_A)-1", "A-1"),  # beginning
    ("___$(VAR_B)___", "___B___"),  # middle
    ("___$(VAR_C)", "___C"),  # end
    ("$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),  # compound
    ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),  # escape & expand
    ("$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"),  # compound escape
    ("f000-$$VAR_A", "f000-$VAR_A"),  # mixed in escapes
    ("foo\\$(VAR_C)bar", "foo\\Cbar"),  # backslash escape ignored
    ("foo\\\\$(VAR_C)bar", "foo\\\\Cbar"),
    ("foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"),  # lots of backslashes
    ("$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),  # nested references are not expanded
    ("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),
    ("$(VAR_REF)", "$(VAR_A)"),  # a value is never expanded again
    ("%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"),
    ("foo$(VAR_EMPTY)bar", "foobar"),  # empty value
    ("foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"),  # unterminated expression
    ("f00__(VAR_A)__", "f00__(VAR_A)__"),  # expression without operator
    ("$?_boo_$!", "$?_boo_$!"),  # shell special variables pass through
    ("$VAR_A", "$VAR_A"),  # a bare operator is ignored
    ("$(VAR_DNE)", "$(VAR_DNE)"),  # an undefined reference stays as written
    ("$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),  # even operators, undefined
    ("$$$$$$(VAR_A)", "$$$(VAR_A)"),  # even operators, defined
    ("$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"),  # odd operators, undefined
    ("$$$$$$$(VAR_A)", "$$$A"),  # odd operators, defined
    ("$VAR_A)", "$VAR_A)"),  # missing open expression
    ("${VAR_A}", "${VAR_A}"),  # shell syntax ignored
    ("$(VAR_B)_______$(A", "B_______$(A"),  # trailing incomplete expression kept
    ("$(VAR_C)_______$(", "C_______$("),
    ("$(VAR_A)foobarzab$", "Afoobarzab$"),  # operator at the end is kept
    ("foo-\\$(VAR_A", "foo-\\$(VAR_A"),  # shell-escaped incomplete expression
    ("--$($($($($--", "--$($($($($--"),  # lots of $( in the middle
    ("$($($($($--foo$(", "$($($($($--foo$("),  # ... at the beginning
    ("foo0--$($($($(", "foo0--$($($($("),  # ... at the end
    ("$(foo$$var)", "$(foo$$var)"),  # escapes inside a name are not escapes
    ("$()", "$()"),  # an empty name is unknown
    ("\n", "\n"),
    ("", ""),
])
def test_expand(text: str, expanded: str) -> None:
    assert expand(text, CONTEXT) == expanded


def test_the_first_context_that_defines_a_name_wins() -> None:
    declared, services = {"A": "declared"}, {"A": "service", "B": "service"}
    assert expand("$(A) $(B) $(C)", declared, services) == "declared service $(C)"


def test_references_chain_through_a_growing_environment() -> None:
    """Kubernetes' TestMapReference: each value expands from those defined before it."""
    env: dict[str, str] = {}
    for name, value in (("FOO", "bar"), ("ZOO", "$(FOO)-1"), ("BLU", "$(ZOO)-2")):
        env[name] = expand(value, env)
    assert env == {"FOO": "bar", "ZOO": "bar-1", "BLU": "bar-1-2"}
