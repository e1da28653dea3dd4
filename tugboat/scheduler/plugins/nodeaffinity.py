"""NodeAffinity: the pod's nodeSelector and required node affinity as a filter, its
preferred node affinity as a score.

Filter: every nodeSelector label must match, and one of the required nodeSelectorTerms
(ORed) must match — its matchExpressions against the node's labels (In, NotIn, Exists,
DoesNotExist, Gt, Lt) and its matchFields against `metadata.name`, ANDed; a term with
neither matches nothing, and a term that does not parse matches nothing (as in
Kubernetes). PreFilter compiles the terms once per pod, and skips the filter for a pod
that constrains nothing. Score: the sum of the weights of the preferred terms a node
matches, scaled so the best node gets 100.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tugboat.api.core import NodeSelectorRequirement, NodeSelectorTerm
from tugboat.api.labels import Operator, Requirement, SelectorError, new_requirement
from tugboat.scheduler.framework import SKIP, ClusterEvent, CycleState, NodeInfo, PodInfo, Status
from tugboat.scheduler.framework.interface import default_normalize_score

REASON = "node(s) didn't match Pod's node affinity/selector"
_REJECTED = Status.unresolvable(REASON)
_FILTER_KEY, _SCORE_KEY = "NodeAffinity/filter", "NodeAffinity/score"
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!",
              "Gt": "gt", "Lt": "lt"}


Test = Callable[[NodeInfo], bool]


@dataclass(frozen=True, slots=True)
class Term:
    """One compiled nodeSelectorTerm: its requirements as predicates on a node, ANDed.
    No requirements (an empty or unparsable term) matches nothing."""

    tests: tuple[Test, ...]

    def matches(self, node: NodeInfo) -> bool:
        if not self.tests:
            return False
        for test in self.tests:
            if not test(node):
                return False
        return True

    def predicate(self) -> Test:
        """The cheapest callable equivalent to `matches`."""
        return self.tests[0] if len(self.tests) == 1 else self.matches


def compile_term(term: NodeSelectorTerm) -> Term:
    try:
        labels = [_label_requirement(r) for r in term.matchExpressions or ()]
        fields = [_field_requirement(r) for r in term.matchFields or ()]
    except SelectorError:
        return Term(())
    return Term(tuple(_label_test(r) for r in labels) + tuple(_name_test(r) for r in fields))


def _label_requirement(req: NodeSelectorRequirement) -> Requirement:
    if req.operator not in _OPERATORS:
        raise SelectorError(f"{req.operator!r} is not a valid node selector operator")
    return new_requirement(req.key, _OPERATORS[req.operator], req.values or ())


def _field_requirement(req: NodeSelectorRequirement) -> Requirement:
    """Nodes have one selectable field, metadata.name, with In and NotIn."""
    operator = {"In": Operator.IN, "NotIn": Operator.NOT_IN}.get(req.operator)
    if req.key != "metadata.name" or operator is None:
        raise SelectorError(f"unsupported node field selector {req.key} {req.operator}")
    return Requirement(req.key, operator, tuple(req.values or ()))


def _label_test(r: Requirement) -> Test:
    """The requirement as a closure: labels.Requirement.matches without its dispatch."""
    key, values, op = r.key, frozenset(r.values), r.operator
    if op is Operator.IN:
        return lambda node: node.labels.get(key) in values
    if op is Operator.NOT_IN:
        return lambda node: node.labels.get(key) not in values  # absent satisfies NotIn
    if op is Operator.EXISTS:
        return lambda node: key in node.labels
    if op is Operator.DOES_NOT_EXIST:
        return lambda node: key not in node.labels
    return lambda node: r.matches(node.labels)  # Gt, Lt


def _name_test(r: Requirement) -> Test:
    names = frozenset(r.values)
    if r.operator is Operator.IN:
        return lambda node: node.name in names
    return lambda node: node.name not in names


def required_test(selector: dict[str, str], terms: tuple[Term, ...] | None) -> Test:
    """nodeSelector (every label equal) AND required affinity (any term) as one test."""
    tests = [_equals(key, value) for key, value in selector.items()]
    if terms is not None:
        tests.append(terms[0].predicate() if len(terms) == 1
                     else lambda node: any(t.matches(node) for t in terms))
    return Term(tuple(tests)).predicate()


def _equals(key: str, value: str) -> Test:
    return lambda node: node.labels.get(key) == value


class NodeAffinity:
    name = "NodeAffinity"
    default_weight = 2
    events = frozenset({ClusterEvent.NODE_ADD, ClusterEvent.NODE_LABEL})

    def pre_filter(self, state: CycleState, pod: PodInfo) -> Status | None:
        spec = pod.pod.spec
        affinity = spec.affinity.nodeAffinity if spec.affinity else None
        required = affinity.requiredDuringSchedulingIgnoredDuringExecution if affinity else None
        if not spec.nodeSelector and required is None:
            return SKIP
        terms = tuple(compile_term(t) for t in required.nodeSelectorTerms) if required else None
        state.write(_FILTER_KEY, required_test(spec.nodeSelector or {}, terms))
        return None

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]:
        matches = state.read(_FILTER_KEY)
        return [None if matches(node) else _REJECTED for node in nodes]

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None:
        spec = pod.pod.spec
        affinity = spec.affinity.nodeAffinity if spec.affinity else None
        preferred = affinity.preferredDuringSchedulingIgnoredDuringExecution if affinity else None
        if not preferred:
            return SKIP
        state.write(_SCORE_KEY, [(p.weight, compile_term(p.preference).predicate())
                                 for p in preferred if p.weight])
        return None

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        """Per node: the total weight of the preferred terms it matches."""
        terms = state.read(_SCORE_KEY)
        if len(terms) == 1:
            [(weight, matches)] = terms
            return [weight if matches(node) else 0 for node in nodes]
        return [sum(weight for weight, matches in terms if matches(node)) for node in nodes]

    def normalize_score(self, state: CycleState, pod: PodInfo, scores: list[int]) -> None:
        default_normalize_score(scores)
