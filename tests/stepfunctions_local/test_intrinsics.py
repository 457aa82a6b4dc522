"""Behaviour of intrinsic functions beyond the compliance data: randomness, limits, exact messages."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepfunctions_local.exceptions import DefinitionError, StatesError
from stepfunctions_local.intrinsics import FUNCTIONS, compile_intrinsic, is_intrinsic

from .resolver import make_resolver

DOCUMENTED_FUNCTIONS = {
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
    "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
    "States.MathAdd", "States.StringSplit", "States.UUID",
}


def evaluate(expression: str, data: object = None, **kwargs: object) -> object:
    return compile_intrinsic(expression).evaluate(make_resolver(data, **kwargs))


def test_every_documented_function_is_registered():
    # GIVEN the function table / WHEN it is listed / THEN it holds exactly the documented intrinsics
    assert set(FUNCTIONS) == DOCUMENTED_FUNCTIONS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('{}', $.a)", True),
        ("  States.UUID()", True),
        ("$.States.Format", False),
        ("$.a", False),
        ("States.Format", False),
        ("$$.Execution.Id", False),
    ],
)
def test_is_intrinsic_tells_calls_from_paths(text, expected):
    # GIVEN a `.$` value / WHEN it is classified / THEN only a call counts as intrinsic
    assert is_intrinsic(text) is expected


def test_math_random_with_the_same_seed_returns_the_same_number():
    # GIVEN a seeded call
    call = compile_intrinsic("States.MathRandom($.start, $.end, $.seed)")
    resolve = make_resolver({"start": 1, "end": 999, "seed": 42})
    # WHEN it runs many times
    numbers = {call.evaluate(resolve) for _ in range(20)}
    # THEN it always gives one number, inside the range
    assert len(numbers) == 1
    assert 1 <= numbers.pop() <= 999


def test_math_random_without_seed_stays_in_range_and_varies():
    # GIVEN an unseeded call over a wide range
    call = compile_intrinsic("States.MathRandom(1, 1000000)")
    resolve = make_resolver({})
    # WHEN it runs many times
    numbers = [call.evaluate(resolve) for _ in range(50)]
    # THEN every number is an integer in range and they are not all equal
    assert all(isinstance(number, int) and 1 <= number <= 1000000 for number in numbers)
    assert len(set(numbers)) > 1


def test_uuid_returns_distinct_version_4_uuids():
    # GIVEN States.UUID() / WHEN called twice
    call = compile_intrinsic("States.UUID()")
    first, second = call.evaluate(make_resolver({})), call.evaluate(make_resolver({}))
    # THEN both are canonical v4 UUID strings and differ
    assert first != second
    for value in (first, second):
        assert str(uuid.UUID(value)) == value
        assert uuid.UUID(value).version == 4


@pytest.mark.parametrize("function", ["States.Base64Encode", "States.Base64Decode"])
def test_base64_accepts_10000_characters_and_rejects_more(function):
    # GIVEN a valid Base64 text of exactly the AWS limit, and one character more
    at_limit, over = "QUFB" * 2500, "QUFB" * 2500 + "Q"
    # WHEN each is passed / THEN the limit passes and one more fails as IntrinsicFailure
    evaluate(f"{function}($.text)", {"text": at_limit})
    with pytest.raises(StatesError) as raised:
        evaluate(f"{function}($.text)", {"text": over})
    assert raised.value.error == "States.IntrinsicFailure"
    assert "10000" in raised.value.cause


def test_hash_rejects_data_over_10000_characters():
    # GIVEN data one character over the limit / WHEN hashed / THEN IntrinsicFailure
    with pytest.raises(StatesError) as raised:
        evaluate("States.Hash($.data, 'SHA-256')", {"data": "x" * 10001})
    assert raised.value.error == "States.IntrinsicFailure"


def test_runtime_type_error_names_function_argument_and_types():
    # GIVEN an array function given a string / WHEN it runs
    with pytest.raises(StatesError) as raised:
        evaluate("States.ArrayLength($.text)", {"text": "abc"})
    # THEN the cause says which function, which argument, what was expected and what came
    assert raised.value.error == "States.IntrinsicFailure"
    assert raised.value.cause == ("Invalid arguments in States.ArrayLength: argument 1 must be an array, "
                                  "but was a string")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("States.ArrayGetItem($.a)", "States.ArrayGetItem expects 2 arguments, but got 1"),
        ("States.UUID(1)", "States.UUID expects 0 arguments, but got 1"),
        ("States.MathRandom(1, 2, 3, 4)", "States.MathRandom expects 2 to 3 arguments, but got 4"),
        ("States.Format()", "States.Format expects at least 1 argument, but got 0"),
        ("States.Frobnicate(1)", "Unknown intrinsic function States.Frobnicate in 'States.Frobnicate(1)'"),
        ("States.Array(1 2)", "Expected ',' or ')' in the arguments of States.Array at position 15 in intrinsic "
                              "'States.Array(1 2)', found '2'"),
    ],
)
def test_definition_errors_name_the_function_and_what_was_expected(expression, message):
    # GIVEN a malformed call / WHEN compiled / THEN a DefinitionError explains it
    with pytest.raises(DefinitionError) as raised:
        compile_intrinsic(expression)
    assert str(raised.value) == message


def test_compiled_call_is_reusable_across_inputs():
    # GIVEN one compiled call
    call = compile_intrinsic("States.Format('{} has {} items', $.name, States.ArrayLength($.items))")
    # WHEN it runs on two inputs / THEN each result reflects its own input
    assert call.evaluate(make_resolver({"name": "a", "items": [1]})) == "a has 1 items"
    assert call.evaluate(make_resolver({"name": "b", "items": []})) == "b has 0 items"


_json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(_json_scalars, max_size=30), size=st.integers(1, 8))
def test_array_partition_chunks_concatenate_back_to_the_input(items, size):
    # GIVEN any array and chunk size / WHEN partitioned
    chunks = evaluate("States.ArrayPartition($.items, $.size)", {"items": items, "size": size})
    # THEN every chunk but the last is full and together they are the input, in order
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert [item for chunk in chunks for item in chunk] == items


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_base64_decode_inverts_encode_for_any_text(text):
    # GIVEN any text / WHEN encoded then decoded / THEN it comes back unchanged
    assert evaluate("States.Base64Decode(States.Base64Encode($.text))", {"text": text}) == text
