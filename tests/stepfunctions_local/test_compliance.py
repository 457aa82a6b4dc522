"""Compliance data (``compliance/*.json``) for intrinsic functions and Choice rules.

Each file holds suites of ``given`` data (plus optional ``context`` and ``variables``) and
``cases``: an ``expression`` (intrinsic) or a ``rule`` (Choice), with the ``result`` expected or
the ``error`` (ASL error name, ``DefinitionError`` or ``PathNotFound``), as jmespath.py does.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepfunctions_local.choice import compile_rule
from stepfunctions_local.exceptions import DefinitionError, PathNotFound, StatesError
from stepfunctions_local.intrinsics import compile_intrinsic

from .resolver import make_resolver

COMPLIANCE = Path(__file__).parent / "compliance"
RULE_LOCATION = "/States/Check/Choices[0]"


def _cases() -> list[Any]:
    params = []
    for path in sorted(COMPLIANCE.glob("*.json")):
        for suite_number, suite in enumerate(json.loads(path.read_text())):
            for case_number, case in enumerate(suite["cases"]):
                case_id = f"{path.stem}-{suite_number}-{case_number}"
                params.append(pytest.param(suite, case, id=case_id))
    return params


def _compile_and_run(case: dict, resolve) -> Any:
    if "expression" in case:
        return compile_intrinsic(case["expression"]).evaluate(resolve)
    return compile_rule(case["rule"], RULE_LOCATION).evaluate(resolve)


@pytest.mark.parametrize(("suite", "case"), _cases())
def test_compliance(suite: dict, case: dict) -> None:
    # GIVEN the suite's input, context object and variables
    resolve = make_resolver(suite["given"], suite.get("context"), suite.get("variables"))
    expected_error = case.get("error")
    if expected_error is None:
        # WHEN the expression or rule is compiled and evaluated
        result = _compile_and_run(case, resolve)
        # THEN it gives the documented result, with JSON types intact (true is not 1)
        if "result_length" in case:
            assert len(result) == case["result_length"]
        else:
            assert json.dumps(result, sort_keys=True) == json.dumps(case["result"], sort_keys=True)
        return
    if expected_error in ("DefinitionError", "PathNotFound"):
        exception_type = DefinitionError if expected_error == "DefinitionError" else PathNotFound
        with pytest.raises(exception_type) as raised:
            _compile_and_run(case, resolve)
        if "message" in case:
            assert str(raised.value) == case["message"]
        return
    with pytest.raises(StatesError) as raised:
        _compile_and_run(case, resolve)
    assert raised.value.error == expected_error
    if "cause" in case:
        assert raised.value.cause == case["cause"]
