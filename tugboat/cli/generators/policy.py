"""`create poddisruptionbudget` and `create priorityclass` objects, as kubectl 1.32 prints
them with `--dry-run=client -o json`: the selector in the label-selector form
(ParseToLabelSelector: `=`/`==` terms as matchLabels, set terms as matchExpressions),
minAvailable/maxUnavailable as an int or a percentage, the budget's zero status, and a
PriorityClass's preemptionPolicy spelled out."""

from __future__ import annotations

from tugboat.api.labelparser import parse_label_selector
from tugboat.api.labels import Operator, SelectorError
from tugboat.cli.generators import GeneratorError, Obj, metadata

_EXPRESSION_OPERATORS = {Operator.IN: "In", Operator.NOT_IN: "NotIn",
                         Operator.EXISTS: "Exists", Operator.DOES_NOT_EXIST: "DoesNotExist"}


def label_selector(text: str) -> Obj:
    try:
        selector = parse_label_selector(text)
    except SelectorError as e:
        raise GeneratorError(str(e)) from None
    labels: dict[str, str] = {}
    expressions: list[Obj] = []
    for req in selector.requirements:
        if req.operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS):
            labels[req.key] = req.values[0]
        elif req.operator in _EXPRESSION_OPERATORS:
            expr: Obj = {"key": req.key, "operator": _EXPRESSION_OPERATORS[req.operator]}
            if req.values:
                expr["values"] = list(req.values)
            expressions.append(expr)
        else:
            raise GeneratorError(f'"{req.operator}" is not a valid label selector operator')
    out: Obj = {}
    if labels:
        out["matchLabels"] = labels
    if expressions:
        out["matchExpressions"] = expressions
    return out


def _int_or_percent(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value


def pod_disruption_budget(name: str, selector: str, min_available: str = "",
                          max_unavailable: str = "") -> Obj:
    if not selector:
        raise GeneratorError("a selector must be specified")
    if not min_available and not max_unavailable:
        raise GeneratorError("one of min-available or max-unavailable must be specified")
    if min_available and max_unavailable:
        raise GeneratorError("min-available and max-unavailable cannot be both specified")
    spec: Obj = {}
    if min_available:
        spec["minAvailable"] = _int_or_percent(min_available)
    spec["selector"] = label_selector(selector)
    if max_unavailable:
        spec["maxUnavailable"] = _int_or_percent(max_unavailable)
    return {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
            "metadata": metadata(name), "spec": spec,
            "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                       "expectedPods": 0}}


def priority_class(name: str, value: int = 0, description: str = "",
                   global_default: bool = False,
                   preemption_policy: str = "PreemptLowerPriority") -> Obj:
    obj: Obj = {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
                "metadata": metadata(name), "value": value}
    if global_default:
        obj["globalDefault"] = True
    if description:
        obj["description"] = description
    obj["preemptionPolicy"] = preemption_policy
    return obj
