"""Choice rules of the JSONPath query language, compiled once and evaluated on the hot path.

A rule is either a data-test (``Variable`` + one comparison operator) or a boolean combination
(``And``/``Or``/``Not``). Type mismatches evaluate to false, as AWS does; a ``Variable`` or
``...Path`` operand that selects nothing is a ``States.Runtime`` error, except for ``IsPresent``.
"""
from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable

from .exceptions import DefinitionError, PathNotFound, StatesError, invalid
from .types import Resolver

__all__ = ["Rule", "compile_rule", "parse_timestamp", "OPERATORS"]

_TOP_LEVEL_ONLY = frozenset({"Next", "Assign"})
_COMBINATORS = ("And", "Or", "Not")

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))\Z"
)


def parse_timestamp(value: Any) -> tuple[datetime.datetime, int] | None:
    """An RFC 3339 timestamp as ASL requires it (uppercase T and Z) -> (UTC second, nanoseconds)."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, offset_hours, offset_minutes = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if not zulu:
        if int(offset_hours) > 23 or int(offset_minutes) > 59:
            return None
        offset = datetime.timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        moment = moment - offset if sign == "+" else moment + offset
    nanoseconds = int((fraction or "0")[:9].ljust(9, "0"))
    return moment, nanoseconds


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _utf16(text: Any) -> bytes | None:
    # Java (and so AWS) orders strings by UTF-16 code units, not by code points.
    return text.encode("utf-16-be", "surrogatepass") if isinstance(text, str) else None


def _identity(operand: Any) -> Any:
    return operand


def _string_order(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, operand: bytes | None) -> bool:
        return isinstance(value, str) and operand is not None and compare(_utf16(value), operand)

    return test


def _numeric(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, operand: Any) -> bool:
        return _is_number(value) and _is_number(operand) and compare(value, operand)

    return test


def _timestamp(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, operand: tuple[datetime.datetime, int] | None) -> bool:
        if operand is None:
            return False
        moment = parse_timestamp(value)
        return moment is not None and compare(moment, operand)

    return test


def _string_equals(value: Any, operand: Any) -> bool:
    return isinstance(value, str) and isinstance(operand, str) and value == operand


def _boolean_equals(value: Any, operand: Any) -> bool:
    return isinstance(value, bool) and isinstance(operand, bool) and value is operand


def _string_matches(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _type_test(check: Callable[[Any], bool]) -> Callable[[Any, bool], bool]:
    def test(value: Any, expected: bool) -> bool:
        return check(value) is expected

    return test


@dataclass(frozen=True)
class _Operator:
    test: Callable[[Any, Any], bool]
    operand: str  # STRING, NUMBER, BOOLEAN, TIMESTAMP or PATTERN: what a literal operand must be
    # Turns an operand into the form `test` takes: once for a literal, per evaluation for a ...Path.
    prepare: Callable[[Any], Any] = _identity
    has_path_variant: bool = True


def _string(compare: Callable[[Any, Any], bool]) -> _Operator:
    return _Operator(_string_order(compare), "STRING", prepare=_utf16)


def _time(compare: Callable[[Any, Any], bool]) -> _Operator:
    return _Operator(_timestamp(compare), "TIMESTAMP", prepare=parse_timestamp)


def _is(check: Callable[[Any], bool]) -> _Operator:
    return _Operator(_type_test(check), "BOOLEAN", has_path_variant=False)


OPERATORS: dict[str, _Operator] = {
    "StringEquals": _Operator(_string_equals, "STRING"),
    "StringLessThan": _string(operator.lt),
    "StringGreaterThan": _string(operator.gt),
    "StringLessThanEquals": _string(operator.le),
    "StringGreaterThanEquals": _string(operator.ge),
    "StringMatches": _Operator(_string_matches, "PATTERN", has_path_variant=False),
    "NumericEquals": _Operator(_numeric(operator.eq), "NUMBER"),
    "NumericLessThan": _Operator(_numeric(operator.lt), "NUMBER"),
    "NumericGreaterThan": _Operator(_numeric(operator.gt), "NUMBER"),
    "NumericLessThanEquals": _Operator(_numeric(operator.le), "NUMBER"),
    "NumericGreaterThanEquals": _Operator(_numeric(operator.ge), "NUMBER"),
    "BooleanEquals": _Operator(_boolean_equals, "BOOLEAN"),
    "TimestampEquals": _time(operator.eq),
    "TimestampLessThan": _time(operator.lt),
    "TimestampGreaterThan": _time(operator.gt),
    "TimestampLessThanEquals": _time(operator.le),
    "TimestampGreaterThanEquals": _time(operator.ge),
    "IsNull": _is(lambda value: value is None),
    "IsNumeric": _is(_is_number),
    "IsString": _is(lambda value: isinstance(value, str)),
    "IsBoolean": _is(lambda value: isinstance(value, bool)),
    "IsTimestamp": _is(lambda value: parse_timestamp(value) is not None),
}
_IS_PRESENT = "IsPresent"
_COMPARISONS = frozenset(
    [*OPERATORS, _IS_PRESENT, *(f"{name}Path" for name, spec in OPERATORS.items() if spec.has_path_variant)]
)


def _invalid_path(path: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def _lookup(resolve: Resolver, path: str) -> Any:
    try:
        return resolve(path)
    except PathNotFound:
        raise _invalid_path(path) from None


class Rule:
    """A compiled Choice rule."""

    __slots__ = ()

    def evaluate(self, resolve: Resolver) -> bool:
        raise NotImplementedError


class _Compare(Rule):
    __slots__ = ("variable", "test", "operand")

    def __init__(self, variable: str, test: Callable[[Any, Any], bool], operand: Any) -> None:
        self.variable, self.test, self.operand = variable, test, operand

    def evaluate(self, resolve: Resolver) -> bool:
        return self.test(_lookup(resolve, self.variable), self.operand)


class _ComparePath(Rule):
    __slots__ = ("variable", "test", "prepare", "operand_path")

    def __init__(self, variable: str, comparison: _Operator, operand_path: str) -> None:
        self.variable, self.operand_path = variable, operand_path
        self.test, self.prepare = comparison.test, comparison.prepare

    def evaluate(self, resolve: Resolver) -> bool:
        value = _lookup(resolve, self.variable)
        return self.test(value, self.prepare(_lookup(resolve, self.operand_path)))


class _IsPresent(Rule):
    __slots__ = ("variable", "expected")

    def __init__(self, variable: str, expected: bool) -> None:
        self.variable, self.expected = variable, expected

    def evaluate(self, resolve: Resolver) -> bool:
        try:
            resolve(self.variable)
        except PathNotFound:
            return not self.expected
        return self.expected


class _And(Rule):
    __slots__ = ("rules",)

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    def evaluate(self, resolve: Resolver) -> bool:
        return all(rule.evaluate(resolve) for rule in self.rules)


class _Or(Rule):
    __slots__ = ("rules",)

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    def evaluate(self, resolve: Resolver) -> bool:
        return any(rule.evaluate(resolve) for rule in self.rules)


class _Not(Rule):
    __slots__ = ("rule",)

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def evaluate(self, resolve: Resolver) -> bool:
        return not self.rule.evaluate(resolve)


def compile_rule(rule: dict, where: str) -> Rule:
    """Compile one top-level Choice rule; ``Next`` and ``Assign`` may be present and are the caller's."""
    return _compile(rule, where, top_level=True)


def _error(message: str, where: str) -> DefinitionError:
    return invalid(message, where)


def _compile(rule: Any, where: str, top_level: bool) -> Rule:
    if not isinstance(rule, dict):
        raise _error("A Choice Rule must be a JSON object", where)
    for key in rule:
        if (top_level and key in _TOP_LEVEL_ONLY) or key == "Comment":
            continue
        if key not in _COMPARISONS and key not in _COMBINATORS and key != "Variable":
            raise _error(f"Field '{key}' is not supported", where)
    combinators = [key for key in _COMBINATORS if key in rule]
    comparisons = [key for key in rule if key in _COMPARISONS]
    if combinators:
        if len(combinators) > 1 or comparisons or "Variable" in rule:
            raise _error(
                "A Choice Rule must have either one of And, Or, Not or a Variable with one comparison operator",
                where,
            )
        return _compile_combinator(combinators[0], rule[combinators[0]], where)
    if "Variable" not in rule:
        raise _error("The field 'Variable' is required but was missing", where)
    variable = rule["Variable"]
    if not _is_path(variable):
        raise _error("The value for the field 'Variable' must be a valid JSONPath", where)
    if len(comparisons) != 1:
        raise _error(f"A Choice Rule must have exactly one comparison operator, but has {len(comparisons)}", where)
    return _compile_comparison(variable, comparisons[0], rule[comparisons[0]], where)


def _compile_combinator(name: str, operand: Any, where: str) -> Rule:
    if name == "Not":
        return _Not(_compile(operand, f"{where}/Not", top_level=False))
    if not isinstance(operand, list) or not operand:
        raise _error(f"The value for the field '{name}' must be a non-empty ARRAY", where)
    rules = tuple(_compile(item, f"{where}/{name}[{index}]", top_level=False) for index, item in enumerate(operand))
    return _And(rules) if name == "And" else _Or(rules)


def _compile_comparison(variable: str, name: str, operand: Any, where: str) -> Rule:
    if name == _IS_PRESENT:
        _require(isinstance(operand, bool), name, "BOOLEAN", where)
        return _IsPresent(variable, operand)
    if name not in OPERATORS:
        _require(_is_path(operand), name, "valid JSONPath", where)
        return _ComparePath(variable, OPERATORS[name[: -len("Path")]], operand)
    comparison = OPERATORS[name]
    kind = comparison.operand
    if kind == "NUMBER":
        _require(_is_number(operand), name, "NUMBER", where)
    elif kind == "BOOLEAN":
        _require(isinstance(operand, bool), name, "BOOLEAN", where)
    elif kind == "TIMESTAMP":
        _require(parse_timestamp(operand) is not None, name, "valid RFC3339 timestamp", where)
    else:
        _require(isinstance(operand, str), name, "STRING", where)
    prepared = _wildcard(operand) if kind == "PATTERN" else comparison.prepare(operand)
    return _Compare(variable, comparison.test, prepared)


def _require(condition: bool, name: str, expected: str, where: str) -> None:
    if not condition:
        article = "an" if expected[0] in "AEIOU" else "a"
        raise _error(f"The value for the field '{name}' must be {article} {expected}", where)


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def _wildcard(pattern: str) -> re.Pattern[str]:
    """``*`` matches any run of characters; ``\\*`` is a literal star and ``\\\\`` a backslash."""
    parts: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern) and pattern[position + 1] in "*\\":
            parts.append(re.escape(pattern[position + 1]))
            position += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        position += 1
    return re.compile("".join(parts), re.DOTALL)
