"""One import for both kinds of selector the API accepts.

The parsers and matchers live in `labels` (label selectors, LabelSelector objects, RC maps)
and `fields` (field selectors and the per-resource table of supported field labels); this
module re-exports them and adds what treats the two alike: the exact-match requirements an
index (the watch cache, or a store query) can use instead of scanning every object.
"""

from __future__ import annotations

from tugboat.api.fields import (
    FieldRequirement,
    FieldSelector,
    escape_value,
    field_selector_from_set,
    field_value,
    parse_field_selector,
    supported_field_labels,
    unescape_value,
)
from tugboat.api.labelparser import parse_label_selector
from tugboat.api.labels import (
    Operator,
    Requirement,
    Selector,
    SelectorError,
    label_selector_as_selector,
    new_requirement,
    selector_from_set,
)

__all__ = [
    "FieldRequirement",
    "FieldSelector",
    "Operator",
    "Requirement",
    "Selector",
    "SelectorError",
    "escape_value",
    "exact_match_requirements",
    "field_selector_from_set",
    "field_value",
    "label_selector_as_selector",
    "new_requirement",
    "parse_field_selector",
    "parse_label_selector",
    "selector_from_set",
    "supported_field_labels",
    "unescape_value",
]


def exact_match_requirements(selector: Selector | FieldSelector | None) -> dict[str, str]:
    """The keys (labels or field labels) a selector pins to a single value.

    `spec.nodeName=n1,status.phase!=Failed` gives {"spec.nodeName": "n1"}; `app in (web)`
    gives {"app": "web"}. A selector that matches nothing has no useful index key.
    """
    if selector is None:
        return {}
    if isinstance(selector, Selector) and selector.matches_nothing:
        return {}
    return selector.exact_matches()
