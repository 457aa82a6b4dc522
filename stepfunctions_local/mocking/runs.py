"""An execution started as ``stateMachineArn#TestCase``: which states answer from the mock file.

Counting is Step Functions Local's: one counter per state per execution, advanced by every
invocation of that state, retries included, and shared by every Map iteration and Parallel
branch that runs the state (with ``MaxConcurrency`` above 1 iterations take numbers in the order
they happen to call). States the test case does not name call their real resource.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from stepfunctions_local.exceptions import StatesError, StepFunctionsLocalError
from stepfunctions_local.mocking.config import MockConfig, MockConfigError, MockedOutcome
from stepfunctions_local.mocking.source import ENVIRONMENT_VARIABLE, MockConfigSource

_RUNTIME_ERROR = "States.Runtime"  # never retried nor caught: a broken test case stops the execution


class UnknownTestCase(StepFunctionsLocalError):
    """``#TestCase`` names nothing usable; the API refuses the start (``InvalidName``), as LocalStack does."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class MockedExecution:
    """The test case one execution runs, and how often each of its states has been invoked."""

    machine_name: str
    case_name: str
    states: dict[str, str]  # state name -> mocked response name
    config: MockConfig
    invocations: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answer(self, state_name: str) -> MockedOutcome | None:
        """This invocation's mocked outcome, or None when the state calls its real resource."""
        response_name = self.states.get(state_name)
        if response_name is None:
            return None
        with self._lock:
            number = self.invocations.get(state_name, 0)
            self.invocations[state_name] = number + 1
        response = self.config.responses.get(response_name)
        if response is None:
            raise StatesError(_RUNTIME_ERROR, f"Test case '{self.case_name}' maps state '{state_name}' to the "
                                              f"mocked response '{response_name}', which MockedResponses does "
                                              f"not define ({self.config.source})")
        outcome = response.at(number)
        if outcome is None:
            raise StatesError(_RUNTIME_ERROR, f"The mocked response '{response_name}' has no answer for "
                                              f"invocation {number} of state '{state_name}' (test case "
                                              f"'{self.case_name}'; invocations count from 0, retries included; "
                                              f"{self.config.source})")
        return outcome


def start_test_case(source: MockConfigSource | None, machine_name: str, case_name: str) -> MockedExecution:
    """The test case for a new execution, from the configuration as it is now; UnknownTestCase if unusable."""
    if source is None:
        raise UnknownTestCase(f"Invalid mock test case name '{case_name}' for state machine '{machine_name}': "
                              f"no mock configuration is loaded (set {ENVIRONMENT_VARIABLE} or --mock-config)")
    try:
        config = source.load()
    except MockConfigError as error:
        raise UnknownTestCase(f"Invalid mock test case name '{case_name}' for state machine '{machine_name}': "
                              f"the mock configuration cannot be used: {error}") from None
    states = config.test_case(machine_name, case_name)
    if states is None:
        missing = (f"TestCases has no '{case_name}'" if machine_name in config.test_cases
                   else f"StateMachines has no '{machine_name}'")
        raise UnknownTestCase(f"Invalid mock test case name '{case_name}' for state machine '{machine_name}': "
                              f"{missing} in {config.source}")
    return MockedExecution(machine_name, case_name, dict(states), config)
