"""The label selector's string form (labels.Parse): a small lexer and a recursive-descent
parser with apimachinery's error messages, compiling to labels.Selector. The grammar is in
labels.py's docstring."""

from __future__ import annotations

from dataclasses import dataclass

from tugboat.api.labels import (
    SET_OPS,
    Operator,
    Requirement,
    Selector,
    SelectorError,
    label_key_errors,
    new_requirement,
    sorted_selector,
)

_IDENT, _END = "identifier", "end of string"
_SYMBOLS = ("==", "!=", "=", "!", "(", ")", ",", ">", "<")
_SPECIAL_CHARS = frozenset("=!(),<>")
_WHITESPACE = frozenset(" \t\r\n")
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"


@dataclass(frozen=True)
class _Token:
    kind: str  # _IDENT, _END, "in", "notin", or one of _SYMBOLS
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch in _SPECIAL_CHARS:
            symbol = text[i : i + 2] if text[i : i + 2] in _SYMBOLS else ch
            tokens.append(_Token(symbol, symbol))
            i += len(symbol)
        else:
            start = i
            while i < len(text) and text[i] not in _WHITESPACE and text[i] not in _SPECIAL_CHARS:
                i += 1
            word = text[start:i]
            tokens.append(_Token(word if word in ("in", "notin") else _IDENT, word))
    tokens.append(_Token(_END, ""))
    return tokens


class _Parser:
    """One pass over the tokens. `values=True` reads the keywords in/notin as identifiers,
    which is how Kubernetes lets `in` be a label key or value."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self, values: bool = True) -> _Token:
        return self._as(self.tokens[self.pos], values)

    def take(self, values: bool = True) -> _Token:
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return self._as(token, values)

    @staticmethod
    def _as(token: _Token, values: bool) -> _Token:
        if values and token.kind in ("in", "notin"):
            return _Token(_IDENT, token.text)
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token = self.peek()
            if token.kind == _END:
                return requirements
            if token.kind not in (_IDENT, "!"):
                raise SelectorError(
                    f"found '{token.text}', expected: !, identifier, or 'end of string'"
                )
            try:
                requirements.append(self.requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            self._separator()

    def _separator(self) -> None:
        token = self.take()
        if token.kind == _END:
            return  # take() never moves past END, so the loop sees it again
        if token.kind != ",":
            raise SelectorError(f"found '{token.text}', expected: ',' or 'end of string'")
        following = self.peek()
        if following.kind not in (_IDENT, "!"):
            raise SelectorError(f"found '{following.text}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        key, unary = self.key_and_unary_operator()
        if unary is not None:
            return new_requirement(key, unary)
        operator = self.binary_operator()
        values = self.value_set() if operator in SET_OPS else [self.exact_value()]
        return new_requirement(key, operator, values)

    def key_and_unary_operator(self) -> tuple[str, Operator | None]:
        token = self.take()
        negated = token.kind == "!"
        if negated:
            token = self.take()
        if token.kind != _IDENT:
            raise SelectorError(f"found '{token.text}', expected: identifier")
        errors = label_key_errors(token.text)
        if errors:
            raise SelectorError(errors[0])
        if negated:
            return token.text, Operator.DOES_NOT_EXIST
        if self.peek().kind in (_END, ","):
            return token.text, Operator.EXISTS
        return token.text, None

    def binary_operator(self) -> Operator:
        token = self.take(values=False)
        operators = {
            "in": Operator.IN, "notin": Operator.NOT_IN, "=": Operator.EQUALS,
            "==": Operator.DOUBLE_EQUALS, "!=": Operator.NOT_EQUALS,
            ">": Operator.GREATER_THAN, "<": Operator.LESS_THAN,
        }  # fmt: skip
        if token.kind not in operators:
            raise SelectorError(f"found '{token.text}', expected: {_BINARY_OPERATORS}")
        return operators[token.kind]

    def exact_value(self) -> str:
        # `k=` (nothing before `,` or the end) means "k has the empty value".
        if self.peek().kind in (_END, ","):
            return ""
        token = self.take()
        if token.kind != _IDENT:
            raise SelectorError(f"found '{token.text}', expected: identifier")
        return token.text

    def value_set(self) -> list[str]:
        token = self.take()
        if token.kind != "(":
            raise SelectorError(f"found '{token.text}' expected: '('")
        following = self.peek()
        if following.kind == ")":
            self.take()
            return [""]  # Kubernetes reads `()` as the set holding the empty string
        if following.kind not in (_IDENT, ","):
            raise SelectorError(f"found '{following.text}', expected: ',', ')' or identifier")
        values = self.identifier_list()
        closing = self.take()
        if closing.kind != ")":
            raise SelectorError(f"found '{closing.text}', expected: ')'")
        return values

    def identifier_list(self) -> list[str]:
        # Empty slots (`(a,,b)`, `(,a)`, `(a,)`) stand for the empty value, as in Kubernetes.
        values: list[str] = []
        expect_value = True
        while True:
            token = self.peek()
            if token.kind == _IDENT and expect_value:
                values.append(self.take().text)
                expect_value = False
            elif token.kind == ",":
                if expect_value:
                    values.append("")
                self.take()
                expect_value = True
            elif token.kind == ")":
                if expect_value:
                    values.append("")
                return values
            else:
                raise SelectorError(f"found '{token.text}', expected: ',' or ')'")


def parse_label_selector(text: str | None) -> Selector:
    """Parse a `labelSelector` query string. An empty string selects everything."""
    if text is None or not text.strip():
        return Selector.everything()
    return sorted_selector(_Parser(text).parse())
