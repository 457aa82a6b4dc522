"""Step Functions Local's MockConfigFile, parsed and checked once into typed values.

The format is Step Functions Local's, unchanged::

    {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<state name>": "<response name>"}}}},
     "MockedResponses": {"<response name>": {"0": {"Return": ...}, "1-3": {"Throw": {"Error": ..., "Cause": ...}}}}}

Invocation keys are zero-based numbers or inclusive ranges. What Step Functions Local accepts and
only trips over at run time stays a run-time failure here too (a response name no state uses, an
empty response, a gap in the numbering: the execution fails with ``States.Runtime`` when a state
needs the missing answer). What can never work is refused at load, naming the key and why.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn, Union

from stepfunctions_local.exceptions import StepFunctionsLocalError

_INVOCATIONS = re.compile(r"^(\d+)(?:-(\d+))?$")
_TOP_LEVEL = ("StateMachines", "MockedResponses")


class MockConfigError(StepFunctionsLocalError):
    """The mock configuration cannot be used; ``location`` is the key path, ``reason`` says why."""

    def __init__(self, source: str, location: tuple[str, ...], reason: str) -> None:
        where = ".".join(_key(part) for part in location) or "(top level)"
        super().__init__(f"{source}: {where}: {reason}")
        self.source = source
        self.location = location
        self.reason = reason


@dataclass(frozen=True)
class MockedReturn:
    """``Return``: the integration's raw response (e.g. Lambda Invoke's ``{StatusCode, Payload}``)."""

    value: Any


@dataclass(frozen=True)
class MockedThrow:
    """``Throw``: the task fails with this error and cause, which Retry and Catch match on."""

    error: str
    cause: str


MockedOutcome = Union[MockedReturn, MockedThrow]


@dataclass(frozen=True)
class InvocationRange:
    first: int
    last: int
    outcome: MockedOutcome


@dataclass(frozen=True)
class MockedResponse:
    """One entry of ``MockedResponses``: an answer per zero-based invocation number."""

    name: str
    ranges: tuple[InvocationRange, ...]

    def at(self, invocation: int) -> MockedOutcome | None:
        for entry in self.ranges:
            if entry.first <= invocation <= entry.last:
                return entry.outcome
        return None


@dataclass(frozen=True)
class MockConfig:
    """A whole mock configuration: test cases by state machine name, and the responses they name."""

    test_cases: dict[str, dict[str, dict[str, str]]]  # machine -> test case -> state name -> response name
    responses: dict[str, MockedResponse]
    source: str = "mock configuration"

    def test_case(self, machine_name: str, case_name: str) -> dict[str, str] | None:
        """The state -> response-name table of a test case, or None if the file does not define it."""
        return self.test_cases.get(machine_name, {}).get(case_name)


def parse_mock_config(document: Any, source: str = "mock configuration") -> MockConfig:
    """Check a decoded MockConfigFile and build its typed form; MockConfigError names the first problem."""
    checker = _Checker(source)
    top = checker.object(document, ())
    for key in top:
        if key not in _TOP_LEVEL:
            # Step Functions Local's files have exactly these two fields; anything else is a typo
            # (the AWS guide itself once wrote "MockedResponse") that would silently mock nothing.
            checker.fail((key,), f"unknown field; a mock configuration has only {' and '.join(_TOP_LEVEL)}")
    for key in _TOP_LEVEL:
        if key not in top:
            checker.fail((key,), "required field is missing")
    machines = {name: checker.test_cases(name, value)
                for name, value in checker.object(top["StateMachines"], ("StateMachines",)).items()}
    responses = {name: checker.response(name, value)
                 for name, value in checker.object(top["MockedResponses"], ("MockedResponses",)).items()}
    return MockConfig(machines, responses, source)


def load_mock_config_text(text: str, source: str) -> MockConfig:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise MockConfigError(source, (), f"not valid JSON ({error})") from None
    return parse_mock_config(document, source)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, location: tuple[str, ...], reason: str) -> NoReturn:
        raise MockConfigError(self.source, location, reason)

    def object(self, value: Any, location: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(location, f"must be a JSON object, not {_kind(value)}")
        return value

    def string(self, value: Any, location: tuple[str, ...]) -> str:
        if not isinstance(value, str) or not value:
            self.fail(location, f"must be a non-empty string, not {_kind(value)}")
        return value

    def test_cases(self, machine: str, value: Any) -> dict[str, dict[str, str]]:
        where = ("StateMachines", machine)
        body = self.object(value, where)
        extra = sorted(set(body) - {"TestCases"})
        if extra:
            self.fail((*where, extra[0]), "unknown field; a state machine entry has only TestCases")
        if "TestCases" not in body:
            self.fail((*where, "TestCases"), "required field is missing")
        cases = self.object(body["TestCases"], (*where, "TestCases"))
        return {
            case: {state: self.string(response, (*where, "TestCases", case, state))
                   for state, response in self.object(states, (*where, "TestCases", case)).items()}
            for case, states in cases.items()
        }

    def response(self, name: str, value: Any) -> MockedResponse:
        where = ("MockedResponses", name)
        ranges: list[InvocationRange] = []
        for key, answer in self.object(value, where).items():
            found = _INVOCATIONS.match(key)
            if found is None:
                self.fail((*where, key), "invocation key must be a zero-based number (\"0\") "
                                         "or an inclusive range (\"1-3\")")
            first = int(found.group(1))
            last = int(found.group(2)) if found.group(2) is not None else first
            if last < first:
                self.fail((*where, key), f"range ends ({last}) before it starts ({first})")
            clash = next((r for r in ranges if r.first <= last and first <= r.last), None)
            if clash is not None:
                self.fail((*where, key), f"invocations overlap with \"{_range_key(clash)}\": "
                                         "each invocation must have one answer")
            ranges.append(InvocationRange(first, last, self.outcome(answer, (*where, key))))
        return MockedResponse(name, tuple(sorted(ranges, key=lambda r: r.first)))

    def outcome(self, value: Any, location: tuple[str, ...]) -> MockedOutcome:
        body = self.object(value, location)
        fields = sorted(body)
        if fields not in (["Return"], ["Throw"]):
            self.fail(location, f"must hold exactly one field, Return or Throw (found {fields or 'none'})")
        if "Return" in body:
            return MockedReturn(body["Return"])
        throw = self.object(body["Throw"], (*location, "Throw"))
        for field in ("Error", "Cause"):
            if not isinstance(throw.get(field), str):
                self.fail((*location, "Throw", field), f"must be a string, not {_kind(throw.get(field))}"
                          if field in throw else "required field is missing")
        extra = sorted(set(throw) - {"Error", "Cause"})
        if extra:
            self.fail((*location, "Throw", extra[0]), "unknown field; Throw has only Error and Cause")
        return MockedThrow(throw["Error"], throw["Cause"])


def _range_key(entry: InvocationRange) -> str:
    return str(entry.first) if entry.first == entry.last else f"{entry.first}-{entry.last}"


def _key(part: str) -> str:
    # Names may hold dots and spaces ("Record ticket"): quote those so the path stays readable.
    return part if re.fullmatch(r"[A-Za-z0-9_]+", part) else json.dumps(part)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if value == "":
        return "an empty string"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)
