"""API calls AWS recorded (localstack's validated snapshots), replayed call by call against ``stepfunctions_local``.

Each ``aws_api_recordings/*.json`` is one snapshot key: ``source`` (localstack path and key), optional
``note`` (how the calls differ from the test's, where they do), ``values`` and ``calls``, the test's
API calls in order. A call is ``operation`` (boto3's snake name) with ``params`` and, when the
snapshot kept its answer, ``expected`` (the response without ``ResponseMetadata``, verbatim) or
``exception``: ``{"Code", "Message"}`` from ``error.response``, or ``{"exception_typename",
"exception_value"}`` (or just the text) of the raised exception itself. Where the test kept one field
of the answer, ``select`` names it. A call without ``expected`` or ``exception`` must just succeed.
``{"wait_for": arn}`` waits for a Standard execution to finish and ``{"await_event": arn, "type": …}``
for an event in its history, as the tests' await helpers do. A ``definition`` given as a JSON value
is sent as ``json.dumps`` of it, as the tests do.

Params may use ``${name}`` for an entry of ``values`` and ``${N.key.key}`` for a field of call N's
answer. ``values`` are the tests' ``RegexTransformer``s: the text the snapshot shows
(``snf_role_arn``) -> the real value we send for it (a role ARN). Answers are normalised the way the
snapshots are: those real values are replaced by their names, a date matches ``datetime``,
``timestamp`` or ``creation-date``, a JSON text matches the value it encodes, and each
``<placeholder>`` (``<ArnPart_0idx>``, ``<uuid:1>``, ``<region>``…) matches any text, consistently
across the whole file: a placeholder always stands for the same text and a text always for the same
placeholder.
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

import stepfunctions_local

RECORDINGS = Path(__file__).parent / "aws_api_recordings"
ACCOUNT = "111111111111"  # the account id the snapshots keep
PLACEHOLDER = re.compile(r"(<[^<>\s]+>)")
REFERENCE = re.compile(r"\$\{([^}]+)\}")


class _Bindings:
    """Placeholder <-> real text, one to one over a whole recording."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.placeholders: dict[str, str] = {}

    def match(self, expected: str, actual: str) -> bool:
        parts = PLACEHOLDER.split(expected)
        pattern, names = "", []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                pattern += re.escape(part)
            elif part in self.texts:
                pattern += re.escape(self.texts[part])
            elif part in names:
                pattern += f"(?P={_group(names.index(part))})"
            else:
                pattern += f"(?P<{_group(len(names))}>.+?)"
                names.append(part)
        found = re.fullmatch(pattern, actual, re.DOTALL)
        if found is None:
            return False
        new = {name: found.group(_group(index)) for index, name in enumerate(names)}
        if any(self.placeholders.get(text, name) != name for name, text in new.items()):
            return False
        if len(set(new.values())) != len(new):
            return False
        for name, text in new.items():
            self.texts[name], self.placeholders[text] = text, name
        return True


def _group(index: int) -> str:
    return f"p{index}"


def _abstracted(expected: Any, actual: Any, bindings: _Bindings) -> Any:
    """``actual`` with every part that matches ``expected`` replaced by it: equal to ``expected`` iff all match."""
    if isinstance(actual, datetime) and expected in ("datetime", "timestamp", "creation-date"):
        return expected
    if isinstance(expected, (dict, list)) and isinstance(actual, str):
        try:
            actual = json.loads(actual)
        except ValueError:
            return actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: _abstracted(expected[key], value, bindings) if key in expected else value
                for key, value in actual.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_abstracted(want, got, bindings) for want, got in zip(expected, actual, strict=True)]
    if isinstance(expected, str) and isinstance(actual, str) and bindings.match(expected, actual):
        return expected
    return actual


def _named(value: Any, values: dict[str, str]) -> Any:
    """``value`` with each real value of ``values`` replaced by the name the snapshot shows."""
    if isinstance(value, dict):
        return {key: _named(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_named(item, values) for item in value]
    if isinstance(value, str):
        for name, real in sorted(values.items(), key=lambda item: -len(item[1])):
            value = value.replace(real, name)
    return value


def _resolved(value: Any, values: dict[str, str], answers: list[Any]) -> Any:
    if isinstance(value, dict):
        return {key: _resolved(item, values, answers) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, values, answers) for item in value]
    if isinstance(value, str):
        return REFERENCE.sub(lambda found: _reference(found.group(1), values, answers), value)
    return value


def _reference(path: str, values: dict[str, str], answers: list[Any]) -> str:
    if path in values:
        return values[path]
    index, *keys = path.split(".")
    found = answers[int(index)]
    for key in keys:
        found = found[key]
    return found


def _params(call: dict, values: dict[str, str], answers: list[Any]) -> dict:
    params = _resolved(call.get("params", {}), values, answers)
    if isinstance(params.get("definition"), (dict, list)):
        params["definition"] = json.dumps(params["definition"])
    return params


def _raised(error: Exception, shape: dict | str) -> dict | str:
    if isinstance(shape, str):
        return str(error)
    if "exception_typename" in shape:
        return {"exception_typename": type(error).__name__, "exception_value": str(error)}
    return {key: error.response["Error"][key] for key in ("Code", "Message")}  # type: ignore[attr-defined]


def _await_event(client: Any, execution_arn: str, event_type: str) -> None:
    for _ in range(200):
        events = client.get_execution_history(executionArn=execution_arn)["events"]
        if any(event["type"] == event_type for event in events):
            return
        time.sleep(0.05)
    raise AssertionError(f"no {event_type} event in {execution_arn}")


def _recordings() -> list[Any]:
    return [pytest.param(json.loads(path.read_text()), id=path.stem) for path in sorted(RECORDINGS.glob("*.json"))]


@pytest.mark.parametrize("recording", _recordings())
def test_recorded_api_calls_match_aws(recording: dict) -> None:
    # GIVEN a fresh runtime in the snapshots' account
    runtime = stepfunctions_local.Runtime(account_id=ACCOUNT)
    client = runtime.client()
    values, bindings, answers = recording.get("values", {}), _Bindings(), []
    for number, call in enumerate(recording["calls"]):
        if "await_event" in call:
            _await_event(client, _resolved(call["await_event"], values, answers), call["type"])
            answers.append(None)
            continue
        if "wait_for" in call:
            assert runtime.wait_for(_resolved(call["wait_for"], values, answers), timeout=10)
            answers.append(None)
            continue
        # WHEN the recorded call is made
        params = _params(call, values, answers)
        try:
            answer = getattr(client, call["operation"])(**params)
        except (ClientError, ParamValidationError) as error:
            # THEN AWS refused it too, with the same error
            assert "exception" in call, f"call {number} ({call['operation']}) raised {error}"
            got = _named(_raised(error, call["exception"]), values)
            assert _abstracted(call["exception"], got, bindings) == call["exception"], f"call {number}"
            answers.append(None)
            continue
        assert "exception" not in call, f"call {number} ({call['operation']}) answered {answer}"
        answer.pop("ResponseMetadata", None)
        answers.append(answer)
        if "select" in call:
            answer = answer[call["select"]]
        if "expected" in call:
            # THEN the answer is the one AWS recorded, field for field
            got = _named(answer, values)
            assert _abstracted(call["expected"], got, bindings) == call["expected"], f"call {number}"
