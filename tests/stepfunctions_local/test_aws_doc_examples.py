"""Examples from the AWS Step Functions developer guide, run end to end with the outputs the docs give.

Each ``doc_examples/*.json`` entry holds a definition, an input (or several ``cases``) and the
documented output or error; Task states call the small Lambda handlers below.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

import stepfunctions_local
from stepfunctions_local.clock import ManualClock

EXAMPLES = Path(__file__).parent / "doc_examples"
ROLE = "arn:aws:iam::000000000000:role/doc-examples"


class CustomError(Exception):
    """The custom error the guide's Retry and Catch examples raise from Lambda."""


def _hello(event: dict, context: Any) -> str:
    return f"Hello, {event['who']}!"


def _add(event: dict, context: Any) -> int:
    return event["val1"] + event["val2"]


def _echo(event: Any, context: Any) -> Any:
    return event


def _custom_error(event: Any, context: Any) -> None:
    raise CustomError("This is a custom error!")


def _flaky() -> Callable[[Any, Any], str]:
    attempts = []

    def handler(event: Any, context: Any) -> str:
        attempts.append(event)
        if len(attempts) < 3:
            raise CustomError("This is a custom error!")
        return f"Hello from flaky after {len(attempts)} attempts"

    return handler


LAMBDAS: dict[str, Callable[[], Callable[[Any, Any], Any]]] = {
    "hello": lambda: _hello,
    "HelloFunction": lambda: _hello,
    "add": lambda: _add,
    "ship-val": lambda: _echo,
    "custom-error": lambda: _custom_error,
    "flaky": _flaky,
}


def _examples() -> list[Any]:
    params = []
    for path in sorted(EXAMPLES.glob("*.json")):
        for example in json.loads(path.read_text()):
            cases = example.get("cases") or [example]
            for number, case in enumerate(cases):
                case_id = example["name"] if len(cases) == 1 else f"{example['name']}-{number}"
                params.append(pytest.param(example, case, id=case_id))
    return params


@pytest.mark.parametrize(("example", "case"), _examples())
def test_documented_example_gives_documented_result(example: dict, case: dict) -> None:
    # GIVEN the documented state machine, as an Express workflow, with its Lambda functions
    runtime = stepfunctions_local.Runtime(clock=ManualClock())
    for name in example.get("lambdas", []):
        runtime.register_lambda(name, LAMBDAS[name]())
    client = stepfunctions_local.client(runtime=runtime)
    arn = client.create_state_machine(
        name=example["name"], definition=json.dumps(example["definition"]), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    # WHEN it runs synchronously on the documented input
    response = client.start_sync_execution(stateMachineArn=arn, input=json.dumps(case["input"]))
    # THEN the output (or the error) is the one the guide shows
    if "error" in case:
        assert (response["status"], response.get("error")) == ("FAILED", case["error"])
        if "cause" in case:
            assert response.get("cause") == case["cause"]
    else:
        assert response["status"] == "SUCCEEDED", response
        assert json.loads(response["output"]) == case["output"]
