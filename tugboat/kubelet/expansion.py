"""`$(VAR)` references in a container's command, args and env values, expanded the way the
kubelet expands them (Kubernetes' third_party/forked/golang/expansion), because users write
manifests against that exact behaviour:

- `$(NAME)` becomes NAME's value; an unknown NAME stays `$(NAME)` as written, so a
  literal that merely looks like a reference survives;
- `$$` is an escaped `$`: `$$(NAME)` gives the literal `$(NAME)`;
- everything else — `$NAME`, `${NAME}`, a `$(` that is never closed, a `$` at the end —
  passes through untouched. A reference's name is everything up to the first `)`, and a
  value is never expanded again (no recursion, no nesting).

This is deliberately not a regular expression: the odd cases (`$$$(A)`, `$(A$(B))`,
`$($(`) must come out exactly as Kubernetes' byte scanner produces them."""

from __future__ import annotations

from collections.abc import Mapping

OPERATOR = "$"
OPENER = "("
CLOSER = ")"


def _lookup(name: str, contexts: tuple[Mapping[str, str], ...]) -> str:
    for context in contexts:
        if name in context:
            return context[name]
    return f"{OPERATOR}{OPENER}{name}{CLOSER}"


def expand(text: str, *contexts: Mapping[str, str]) -> str:
    """`text` with its references replaced from the first context that defines each."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    n = len(text)
    while cursor < n:
        if text[cursor] == OPERATOR and cursor + 1 < n:
            out.append(text[checkpoint:cursor])
            nxt = text[cursor + 1]
            if nxt == OPERATOR:  # `$$`: one literal `$`
                out.append(OPERATOR)
                cursor += 1
            elif nxt == OPENER:
                close = text.find(CLOSER, cursor + 2)
                if close < 0:  # never closed: keep `$(` and scan on after it
                    out.append(OPERATOR + OPENER)
                    cursor += 1
                else:
                    out.append(_lookup(text[cursor + 2:close], contexts))
                    cursor = close
            else:  # a bare operator: itself and the character after it
                out.append(OPERATOR + nxt)
                cursor += 1
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)
