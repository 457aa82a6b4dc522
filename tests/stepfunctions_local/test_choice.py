"""Behaviour of compiled Choice rules beyond the compliance data."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepfunctions_local.choice import OPERATORS, compile_rule, parse_timestamp
from stepfunctions_local.exceptions import DefinitionError, StatesError

from .resolver import make_resolver


def test_every_operator_has_a_path_variant_except_matches_and_type_tests():
    # GIVEN the operator table / WHEN the Path variants are listed / THEN they match the ASL spec
    with_path = {name for name, operator in OPERATORS.items() if operator.has_path_variant}
    assert with_path == {
        "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals",
        "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals",
        "NumericGreaterThanEquals", "BooleanEquals", "TimestampEquals", "TimestampLessThan",
        "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
    }


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_a_missing_variable_fails_with_states_runtime_for_every_operator(operator):
    # GIVEN a rule on a path absent from the input
    operand = {"NUMBER": 1, "BOOLEAN": True, "TIMESTAMP": "2016-08-18T17:33:00Z"}.get(OPERATORS[operator].operand, "a")
    rule = compile_rule({"Variable": "$.absent", operator: operand, "Next": "X"}, "/States/C/Choices[0]")
    # WHEN it is evaluated / THEN AWS's States.Runtime error and cause are raised
    with pytest.raises(StatesError) as raised:
        rule.evaluate(make_resolver({}))
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == ("Invalid path '$.absent': The choice state's condition path references an "
                                  "invalid value.")


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2016-03-14T01:59:00Z", ("2016-03-14 01:59:00", 0)),
        ("2016-03-14T01:59:00.123456789Z", ("2016-03-14 01:59:00", 123456789)),
        ("2016-03-14T03:59:00+02:00", ("2016-03-14 01:59:00", 0)),
        ("2016-03-13T23:29:00-02:30", ("2016-03-14 01:59:00", 0)),
    ],
)
def test_timestamps_are_normalised_to_utc_with_nanoseconds(value, moment):
    # GIVEN an RFC 3339 timestamp / WHEN parsed / THEN it is the same instant in UTC
    parsed = parse_timestamp(value)
    assert (str(parsed[0]), parsed[1]) == moment


@pytest.mark.parametrize(
    "value",
    ["2016-03-14 01:59:00Z", "2016-03-14T01:59:00", "2016-03-14T01:59Z", "2016-13-14T01:59:00Z", "20160314T015900Z", 7],
)
def test_values_that_are_not_asl_timestamps_are_rejected(value):
    # GIVEN a value off the ASL timestamp profile / WHEN parsed / THEN it is no timestamp
    assert parse_timestamp(value) is None


def test_compiled_rule_is_reusable_across_inputs():
    # GIVEN one compiled rule
    rule = compile_rule(
        {"And": [{"Variable": "$.n", "IsNumeric": True}, {"Variable": "$.n", "NumericGreaterThanPath": "$.limit"}],
         "Next": "X"},
        "/States/C/Choices[0]",
    )
    # WHEN it runs on different inputs / THEN each answer reflects its own input
    assert rule.evaluate(make_resolver({"n": 5, "limit": 3})) is True
    assert rule.evaluate(make_resolver({"n": 2, "limit": 3})) is False
    assert rule.evaluate(make_resolver({"n": "5", "limit": 3})) is False


def test_top_level_fields_next_assign_and_comment_are_left_to_the_state():
    # GIVEN a top-level rule carrying Next, Assign and Comment
    rule = {"Variable": "$.a", "IsNull": False, "Next": "X", "Assign": {"seen": True}, "Comment": "why"}
    # WHEN compiled / THEN those fields are accepted and the rule still evaluates
    assert compile_rule(rule, "/States/C/Choices[0]").evaluate(make_resolver({"a": 1})) is True


def test_definition_error_points_at_the_nested_rule():
    # GIVEN a bad operand three levels down
    rule = {"Not": {"And": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.a", "BooleanEquals": 1}]}, "Next": "X"}
    # WHEN compiled / THEN the error names the exact nested location
    with pytest.raises(DefinitionError) as raised:
        compile_rule(rule, "/States/Check/Choices[2]")
    assert str(raised.value) == (
        "SCHEMA_VALIDATION_FAILED: The value for the field 'BooleanEquals' must be a BOOLEAN "
        "at /States/Check/Choices[2]/Not/And[1]"
    )


@settings(max_examples=80, deadline=None)
@given(value=st.text(max_size=12), pattern=st.text(alphabet="ab*\\", max_size=6))
def test_string_matches_without_wildcards_is_string_equals(value, pattern):
    # GIVEN a pattern with its stars and backslashes escaped, i.e. a plain string
    escaped = pattern.replace("\\", "\\\\").replace("*", "\\*")
    rule = compile_rule({"Variable": "$.v", "StringMatches": escaped, "Next": "X"}, "/States/C/Choices[0]")
    # WHEN it is matched / THEN it matches exactly the equal string
    assert rule.evaluate(make_resolver({"v": value})) is (value == pattern)
    assert rule.evaluate(make_resolver({"v": pattern})) is True
