"""The intrinsic functions themselves: one table, each with its declared signature.

``intrinsics.py`` parses a call and checks its argument count against ``FUNCTIONS``; argument
types are checked when the call runs (``States.IntrinsicFailure``).
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
from typing import Any, Callable

from .exceptions import ExpressionError, StatesError

INTRINSIC_FAILURE = "States.IntrinsicFailure"
MAX_ARRAY_RANGE_ITEMS = 1000
MAX_ENCODE_CHARACTERS = 10_000


@dataclass(frozen=True)
class Template:
    """A literal States.Format template, split on ``{}`` at compile time (``\\{}`` is no placeholder)."""

    pieces: tuple[str, ...]


@dataclass(frozen=True)
class Function:
    name: str
    implementation: Callable[..., Any]
    parameters: tuple[str, ...]  # JSON types, see TYPE_CHECKS
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


# --- types -----------------------------------------------------------------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda value: True,
    "string": lambda value: isinstance(value, str),
    "template": lambda value: isinstance(value, (str, Template)),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "boolean": lambda value: isinstance(value, bool),
    "number": _is_number,
    "integer": _is_integer,
}
TYPE_NAMES = {
    "any": "any value",
    "string": "a string",
    "template": "a string",
    "array": "an array",
    "object": "a JSON object",
    "boolean": "a boolean",
    "number": "a number",
    "integer": "an integer",
}


def json_type(value: Any) -> str:
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

FUNCTIONS: dict[str, Function] = {}


def signature(name: str, *parameters: str, required: int | None = None, variadic: str | None = None):
    """Register an implementation under ``name`` with its declared argument types."""

    def register(implementation: Callable[..., Any]) -> Callable[..., Any]:
        count = len(parameters) if required is None else required
        FUNCTIONS[name] = Function(name, implementation, parameters, count, variadic)
        return implementation

    return register


def split_template(template: str, escapes: bool) -> tuple[str, ...]:
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
def _format(template: Template | str, *values: Any) -> str:
    pieces = template.pieces if isinstance(template, Template) else split_template(template, escapes=False)
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
    except json.JSONDecodeError as error:
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
