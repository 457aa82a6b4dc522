"""Intrinsic functions of the JSONPath query language (``"key.$": "States.Format(...)"``).

A call is parsed once into a small tree (lexer -> parser -> nodes, as jmespath.py does) and
evaluated against a :data:`~stepfunctions_local.types.Resolver` on every use. Functions live in
one table with declared signatures: the argument count is checked when the definition is
compiled, argument types when the call runs (``States.IntrinsicFailure``).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from .exceptions import ExpressionError, StatesError
from .types import Resolver

__all__ = ["Intrinsic", "compile_intrinsic", "is_intrinsic", "FUNCTIONS"]

INTRINSIC_FAILURE = "States.IntrinsicFailure"
MAX_NESTING = 10
MAX_ARRAY_RANGE_ITEMS = 1000
MAX_ENCODE_CHARACTERS = 10_000
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
class _Template:
    """A literal States.Format template, split on ``{}`` at compile time (``\\{}`` is no placeholder)."""

    pieces: tuple[str, ...]


@dataclass(frozen=True)
class _Path:
    path: str

    def evaluate(self, resolve: Resolver) -> Any:
        return resolve(self.path)


@dataclass(frozen=True)
class _Function:
    name: str
    implementation: Callable[..., Any]
    parameters: tuple[str, ...]  # JSON types, see _TYPE_CHECKS
    required: int
    variadic: str | None  # type of any further arguments

    def check_count(self, count: int) -> None:
        maximum = math.inf if self.variadic else len(self.parameters)
        if self.required <= count <= maximum:
            return
        if self.variadic:
            expected = f"at least {self.required}"
        elif self.required == len(self.parameters):
            expected = str(self.required)
        else:
            expected = f"{self.required} to {len(self.parameters)}"
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        raise ExpressionError(f"{self.name} expects {expected} argument{plural}, but got {count}")


class Intrinsic:
    """One parsed intrinsic call; ``evaluate`` runs it against the current data."""

    __slots__ = ("function", "arguments")

    def __init__(self, function: _Function, arguments: Sequence[Any]) -> None:
        self.function = function
        self.arguments = tuple(arguments)

    def evaluate(self, resolve: Resolver) -> Any:
        values = [argument.evaluate(resolve) for argument in self.arguments]
        function = self.function
        for index, value in enumerate(values):
            expected = function.parameters[index] if index < len(function.parameters) else function.variadic
            if not _TYPE_CHECKS[expected](value):
                raise StatesError(
                    INTRINSIC_FAILURE,
                    f"Invalid arguments in {function.name}: argument {index + 1} must be "
                    f"{_TYPE_NAMES[expected]}, but was {_json_type(value)}",
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


# --- types -----------------------------------------------------------------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda value: True,
    "string": lambda value: isinstance(value, str),
    "template": lambda value: isinstance(value, (str, _Template)),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "boolean": lambda value: isinstance(value, bool),
    "number": _is_number,
    "integer": _is_integer,
}
_TYPE_NAMES = {
    "any": "any value",
    "string": "a string",
    "template": "a string",
    "array": "an array",
    "object": "a JSON object",
    "boolean": "a boolean",
    "number": "a number",
    "integer": "an integer",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_number(value):
        return "an integer" if _is_integer(value) else "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "a JSON object"


def _failure(name: str, detail: str) -> StatesError:
    return StatesError(INTRINSIC_FAILURE, f"Invalid arguments in {name}: {detail}")


# --- function table --------------------------------------------------------------------------

FUNCTIONS: dict[str, _Function] = {}


def signature(name: str, *parameters: str, required: int | None = None, variadic: str | None = None):
    """Register an implementation under ``name`` with its declared argument types."""

    def register(implementation: Callable[..., Any]) -> Callable[..., Any]:
        count = len(parameters) if required is None else required
        FUNCTIONS[name] = _Function(name, implementation, parameters, count, variadic)
        return implementation

    return register


def _split_template(template: str, escapes: bool) -> tuple[str, ...]:
    """Split a template on its ``{}`` placeholders; in a literal, ``\\{`` etc. stand for themselves."""
    pieces, current, position = [], [], 0
    while position < len(template):
        char = template[position]
        if escapes and char == "\\" and position + 1 < len(template):
            current.append(template[position + 1])
            position += 2
        elif template.startswith("{}", position):
            pieces.append("".join(current))
            current = []
            position += 2
        else:
            current.append(char)
            position += 1
    pieces.append("".join(current))
    return tuple(pieces)


def _compile_template(argument: Any, supplied: int) -> Any:
    if not isinstance(argument, _Literal):
        return argument
    if not isinstance(argument.value, str):
        raise ExpressionError("States.Format expects a string as its first argument")
    pieces = _split_template(argument.raw or "", escapes=True)
    if len(pieces) - 1 != supplied:
        raise ExpressionError(
            f"States.Format template has {len(pieces) - 1} placeholder(s) but {supplied} value argument(s) were given"
        )
    return _Literal(_Template(pieces))


def _to_text(value: Any) -> str:
    # AWS renders values the way Java's toString does: {k=v, ...} for objects, [a, b] for arrays.
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_to_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_to_text(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


@signature("States.Format", "template", variadic="any")
def _format(template: _Template | str, *values: Any) -> str:
    pieces = template.pieces if isinstance(template, _Template) else _split_template(template, escapes=False)
    if len(pieces) - 1 != len(values):
        raise _failure(
            "States.Format",
            f"the template has {len(pieces) - 1} placeholder(s) but {len(values)} value argument(s) were given",
        )
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(_to_text(value))
        out.append(piece)
    return "".join(out)


@signature("States.StringToJson", "string")
def _string_to_json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise _failure("States.StringToJson", f"the string is not valid JSON ({error.msg})") from None


@signature("States.JsonToString", "any")
def _json_to_string(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@signature("States.Array", required=0, variadic="any")
def _array(*values: Any) -> list[Any]:
    return list(values)


@signature("States.ArrayPartition", "array", "integer")
def _array_partition(array: list[Any], size: int | float) -> list[list[Any]]:
    size = int(size)
    if size <= 0:
        raise _failure("States.ArrayPartition", f"the chunk size must be a positive integer, but was {size}")
    return [array[start:start + size] for start in range(0, len(array), size)]


@signature("States.ArrayContains", "array", "any")
def _array_contains(array: list[Any], value: Any) -> bool:
    key = _identity(value)
    return any(_identity(item) == key for item in array)


@signature("States.ArrayRange", "integer", "integer", "integer")
def _array_range(first: int | float, last: int | float, step: int | float) -> list[int]:
    first, last, step = int(first), int(last), int(step)
    if step == 0:
        raise _failure("States.ArrayRange", "the step must not be 0")
    count = max(0, (last - first) // step + 1)
    if count > MAX_ARRAY_RANGE_ITEMS:
        raise _failure(
            "States.ArrayRange",
            f"the array would have {count} items, more than the limit of {MAX_ARRAY_RANGE_ITEMS}",
        )
    return [first + step * index for index in range(count)]


@signature("States.ArrayGetItem", "array", "integer")
def _array_get_item(array: list[Any], index: int | float) -> Any:
    index = int(index)
    if not 0 <= index < len(array):
        raise _failure(
            "States.ArrayGetItem",
            f"the index {index} is out of bounds for an array of length {len(array)}",
        )
    return array[index]


@signature("States.ArrayLength", "array")
def _array_length(array: list[Any]) -> int:
    return len(array)


@signature("States.ArrayUnique", "array")
def _array_unique(array: list[Any]) -> list[Any]:
    seen: set[str] = set()
    unique = []
    for item in array:
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _identity(value: Any) -> str:
    """A key equal for equal JSON values: keys unordered, 1 == 1.0, but true != 1."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"))


def _normalise(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    return value


def _check_length(name: str, text: str) -> None:
    if len(text) > MAX_ENCODE_CHARACTERS:
        raise _failure(
            name, f"the input is {len(text)} characters long, more than the limit of {MAX_ENCODE_CHARACTERS}"
        )


@signature("States.Base64Encode", "string")
def _base64_encode(text: str) -> str:
    _check_length("States.Base64Encode", text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@signature("States.Base64Decode", "string")
def _base64_decode(text: str) -> str:
    _check_length("States.Base64Decode", text)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, binascii.Error):
        raise _failure("States.Base64Decode", "the input is not valid Base64-encoded UTF-8 text") from None


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


@signature("States.Hash", "string", "string")
def _hash(data: str, algorithm: str) -> str:
    if algorithm not in _HASHES:
        raise _failure("States.Hash", f"the algorithm must be one of {', '.join(_HASHES)}, but was '{algorithm}'")
    _check_length("States.Hash", data)
    return hashlib.new(_HASHES[algorithm], data.encode("utf-8")).hexdigest()


@signature("States.JsonMerge", "object", "object", "boolean")
def _json_merge(first: dict[str, Any], second: dict[str, Any], deep: bool) -> dict[str, Any]:
    if deep:
        raise _failure("States.JsonMerge", "only shallow merging is supported, the third argument must be false")
    return {**first, **second}


def _round_half_up(value: int | float) -> int:
    # Java's Math.round, which AWS applies to non-integer numbers.
    return int(value) if isinstance(value, int) else math.floor(value + 0.5)


@signature("States.MathRandom", "integer", "integer", "integer", required=2)
def _math_random(start: int | float, end: int | float, seed: int | float | None = None) -> int:
    start, end = int(start), int(end)
    if start > end:
        raise _failure("States.MathRandom", f"the start ({start}) must not be greater than the end ({end})")
    generator = random.Random(int(seed)) if seed is not None else random
    return generator.randint(start, end)


@signature("States.MathAdd", "number", "number")
def _math_add(first: int | float, second: int | float) -> int:
    return _round_half_up(first) + _round_half_up(second)


@signature("States.StringSplit", "string", "string")
def _string_split(text: str, delimiters: str) -> list[str]:
    # Every character of the second argument is a delimiter; empty pieces are dropped.
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


@signature("States.UUID")
def _uuid() -> str:
    return str(uuid.uuid4())
