"""Intrinsic functions of the JSONPath query language (``"key.$": "States.Format(...)"``).

A call is parsed once into a small tree (lexer -> parser -> nodes, as jmespath.py does) and
evaluated against a :data:`~stepfunctions_local.types.Resolver` on every use. Functions live in
one table with declared signatures (``intrinsic_functions.py``): the argument count is checked when the definition is
compiled, argument types when the call runs (``States.IntrinsicFailure``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from .exceptions import ExpressionError, StatesError
from .intrinsic_functions import (
    FUNCTIONS,
    INTRINSIC_FAILURE,
    TYPE_CHECKS,
    TYPE_NAMES,
    Function,
    Template,
    json_type,
    split_template,
)
from .types import Resolver

__all__ = ["Intrinsic", "compile_intrinsic", "is_intrinsic", "FUNCTIONS"]

MAX_NESTING = 10
_ESCAPABLE = "'{}\\"

_CALL_START = re.compile(r"\s*States\.[A-Za-z0-9]+\s*\(")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def is_intrinsic(text: str) -> bool:
    """True when a ``.$`` value is an intrinsic call rather than a path."""
    return bool(_CALL_START.match(text))


# --- lexer -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # name, path, string, number, lparen, rparen, comma, eof
    text: str
    value: Any
    position: int


def _tokenize(text: str) -> Iterator[_Token]:
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "(),":
            kind = {"(": "lparen", ")": "rparen", ",": "comma"}[char]
            yield _Token(kind, char, None, position)
            position += 1
        elif char == "'":
            raw, position = _scan_string(text, position)
            yield _Token("string", raw, _unescape(raw, text), position)
        elif char == "$":
            end = _scan_path(text, position)
            yield _Token("path", text[position:end].rstrip(), None, position)
            position = end
        elif char == "-" or char.isdigit():
            match = _NUMBER.match(text, position)
            if not match:
                raise ExpressionError(f"Invalid number at position {position} in intrinsic '{text}'")
            literal = match.group()
            number = float(literal) if any(c in literal for c in ".eE") else int(literal)
            yield _Token("number", literal, number, position)
            position = match.end()
        else:
            match = _NAME.match(text, position)
            if not match:
                raise ExpressionError(f"Unexpected character {char!r} at position {position} in intrinsic '{text}'")
            yield _Token("name", match.group(), None, position)
            position = match.end()
    yield _Token("eof", "", None, length)


def _scan_string(text: str, start: int) -> tuple[str, int]:
    """Return the raw body of a quoted literal (escapes kept) and the position after it."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
        elif char == "'":
            return text[start + 1:position], position + 1
        else:
            position += 1
    raise ExpressionError(f"Unterminated string literal at position {start} in intrinsic '{text}'")


def _unescape(raw: str, text: str) -> str:
    out: list[str] = []
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if not escaped or escaped not in _ESCAPABLE:
                raise ExpressionError(
                    f"Invalid escape sequence '\\{escaped}' in intrinsic '{text}': "
                    "only \\', \\{, \\} and \\\\ are allowed"
                )
            out.append(escaped)
        else:
            out.append(char)
    return "".join(out)


def _scan_path(text: str, start: int) -> int:
    """A path argument runs to the next top-level ',' or ')' (brackets and quotes may hold either)."""
    depth, quote, position = 0, "", start
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            if depth == 0:
                return position
            depth -= 1
        elif char == "," and depth == 0:
            return position
        position += 1
    return position


# --- nodes -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Literal:
    value: Any
    raw: str | None = None  # a string literal's text with its escapes kept

    def evaluate(self, resolve: Resolver) -> Any:
        return self.value


@dataclass(frozen=True)
class _Path:
    path: str

    def evaluate(self, resolve: Resolver) -> Any:
        return resolve(self.path)


class Intrinsic:
    """One parsed intrinsic call; ``evaluate`` runs it against the current data."""

    __slots__ = ("function", "arguments")

    def __init__(self, function: Function, arguments: Sequence[Any]) -> None:
        self.function = function
        self.arguments = tuple(arguments)

    def evaluate(self, resolve: Resolver) -> Any:
        values = [argument.evaluate(resolve) for argument in self.arguments]
        function = self.function
        for index, value in enumerate(values):
            # "any" is never used: check_count refused surplus arguments of a non-variadic function when parsed
            expected = function.parameters[index] if index < len(function.parameters) else function.variadic or "any"
            if not TYPE_CHECKS[expected](value):
                raise StatesError(
                    INTRINSIC_FAILURE,
                    f"Invalid arguments in {function.name}: argument {index + 1} must be "
                    f"{TYPE_NAMES[expected]}, but was {json_type(value)}",
                )
        return function.implementation(*values)

    def __repr__(self) -> str:
        return f"Intrinsic({self.function.name}, {len(self.arguments)} arguments)"


# --- parser ----------------------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokenize(text))
        self.index = 0

    def parse(self) -> Intrinsic:
        call = self._call(depth=1)
        self._expect("eof", "end of the expression")
        return call

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _expect(self, kind: str, what: str) -> _Token:
        token = self._peek()
        if token.kind != kind:
            found = repr(token.text) if token.text else "the end"
            raise ExpressionError(
                f"Expected {what} at position {token.position} in intrinsic '{self.text}', found {found}"
            )
        self.index += 1
        return token

    def _call(self, depth: int) -> Intrinsic:
        if depth > MAX_NESTING:
            raise ExpressionError(f"Intrinsic functions can be nested at most {MAX_NESTING} deep in '{self.text}'")
        name = self._expect("name", "an intrinsic function name").text
        function = FUNCTIONS.get(name)
        if function is None:
            raise ExpressionError(f"Unknown intrinsic function {name} in '{self.text}'")
        self._expect("lparen", f"'(' after {name}")
        arguments: list[Any] = []
        if self._peek().kind != "rparen":
            arguments.append(self._argument(depth))
            while self._peek().kind == "comma":
                self.index += 1
                arguments.append(self._argument(depth))
        self._expect("rparen", f"',' or ')' in the arguments of {name}")
        function.check_count(len(arguments))
        if name == "States.Format":
            arguments[0] = _compile_template(arguments[0], len(arguments) - 1)
        return Intrinsic(function, arguments)

    def _argument(self, depth: int) -> Any:
        token = self._peek()
        if token.kind == "string":
            self.index += 1
            return _Literal(token.value, token.text)
        if token.kind == "number":
            self.index += 1
            return _Literal(token.value)
        if token.kind == "path":
            self.index += 1
            return _Path(token.text)
        if token.kind == "name" and token.text in _KEYWORDS:
            self.index += 1
            return _Literal(_KEYWORDS[token.text])
        if token.kind == "name":
            return self._call(depth + 1)
        found = repr(token.text) if token.text else "the end"
        raise ExpressionError(
            f"Expected an argument (string, number, boolean, null, path or intrinsic call) at position "
            f"{token.position} in intrinsic '{self.text}', found {found}"
        )


_KEYWORDS = {"null": None, "true": True, "false": False}


def compile_intrinsic(text: str) -> Intrinsic:
    """Parse an intrinsic call once; raises DefinitionError on bad syntax, names or arity."""
    return _Parser(text).parse()


def _compile_template(argument: Any, supplied: int) -> Any:
    if not isinstance(argument, _Literal):
        return argument
    if not isinstance(argument.value, str):
        raise ExpressionError("States.Format expects a string as its first argument")
    pieces = split_template(argument.raw or "", escapes=True)
    if len(pieces) - 1 != supplied:
        raise ExpressionError(
            f"States.Format template has {len(pieces) - 1} placeholder(s) but {supplied} value argument(s) were given"
        )
    return _Literal(Template(pieces))
