"""Generated bad input against the served Step Functions API, every operation in botocore's model.

Contract: never a 5xx, never a Python traceback; every refusal is AWS JSON 1.0's error shape
(``{"__type": ..., "message": ...}``) that botocore turns into a ClientError with a code; and the
server answers the next request afterwards. `make fuzz` runs it with ``--hypothesis-profile=fuzz``.
"""
from __future__ import annotations

import http.client
import json
import math
import socket
import urllib.parse
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape, StructureShape
from botocore.parsers import JSONParser
from hypothesis import given
from hypothesis import strategies as st

from stepfunctions_local import Runtime, serve
from tests.support import strategies
from tests.support.fuzz import TALLY, property_settings

_MODEL = botocore.session.get_session().get_service_model("stepfunctions")
OPERATIONS = tuple(_MODEL.operation_names)
_TARGET = "AWSStepFunctions."
_JSON_10 = "application/x-amz-json-1.0"
_SCALARS = ("string", "integer", "long", "float", "boolean")
# http.client refuses header values with CR/LF itself; the rest are sent as they are.
_CONTENT_TYPES = tuple(kind for kind in strategies.CONTENT_TYPES if "\r" not in kind) + (_JSON_10, "application/json")
# ARNs that pass the ARN checks, so generated requests reach the operations behind them. Their names
# are never generated as resource names: a GetActivityTask on an activity that exists would wait 60 s.
_ACCOUNT = "arn:aws:states:us-east-1:000000000000"
_ARNS = (
    "arn:aws:states:us-east-1:000000000000:stateMachine:fuzz-target",
    "arn:aws:states:us-east-1:000000000000:stateMachine:fuzz-express",
    "arn:aws:states:us-east-1:000000000000:execution:fuzz-express:fuzz-run",
    "arn:aws:states:us-east-1:000000000000:stateMachine:fuzz-target:1",
    "arn:aws:states:us-east-1:000000000000:stateMachine:fuzz-target:fuzz-alias",
    "arn:aws:states:us-east-1:000000000000:execution:fuzz-target:fuzz-run",
    "arn:aws:states:us-east-1:000000000000:activity:fuzz-target",
    "arn:aws:states:us-east-1:000000000000:mapRun:fuzz-target/fuzz-map:fuzz-run",
    "arn:aws:iam::000000000000:role/fuzz-role",
    "arn:aws:states:us-east-1:000000000000:stateMachine:",
    "arn:aws:states",
)
_HOSTILE_TEXTS = ("", " ", "NaN", "Infinity", "-Infinity", "null", "1e999", "\x00", "\x1b[31m", "\u202e", "😡",
                  "x" * 5000, "[" * 3000, "{}", "[]", '{"a":', "$.a", "States.Format('{}')")


_PASS = {"Type": "Pass", "End": True}
# Definitions that parse, so CreateStateMachine, UpdateStateMachine, ValidateStateMachineDefinition and
# TestState get past the parser. No Task or Wait: a test run must not call out or sleep.
_DEFINITIONS = tuple(json.dumps(definition) for definition in (
    {"StartAt": "P", "States": {"P": _PASS}},
    {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.a", "NumericGreaterThan": 1, "Next": "S"}], "Default": "F"},
        "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "E", "Cause": "c"}}},
    {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": _PASS}}}}},
    {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}",
                                                                  "End": True}}},
    _PASS,
    {"Type": "Choice", "Choices": [{"Variable": "$.a", "BooleanEquals": True, "Next": "X"}], "Default": "Y"},
    {"Type": "Fail", "Error": "E"},
))
_INPUTS = ("{}", '{"a": 2, "items": [1, 2]}', "[]", '"text"', "null", '{"a":', "{}" * 3)


def _text() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=40), st.sampled_from(_HOSTILE_TEXTS), st.sampled_from(strategies.EDGE_TEXTS))


def _numbers() -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 1, 100, 1000, 1001, 2**31, 2**63, -(2**63)]))


def _right_type(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of the member's own JSON type, within or beyond the model's constraints."""
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum) | _text()
        return _text()
    if kind in ("integer", "long"):
        return _numbers()
    if kind == "float":
        return st.floats(allow_nan=False, allow_infinity=False) | _numbers()
    if kind == "boolean":
        return st.booleans()
    if depth > 2:  # deep enough: an empty list or structure keeps every value of the right type
        return st.just([] if kind == "list" else {})
    if kind == "list":
        return st.lists(_right_type(shape.member, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(_text(), _right_type(shape.value, depth + 1), max_size=3)
    assert isinstance(shape, StructureShape), kind
    return st.fixed_dictionaries({}, optional={name: _member(name, member, depth + 1)
                                               for name, member in shape.members.items()})


def _member(name: str, shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    if shape.type_name != "string":
        return _right_type(shape, depth)
    if name.endswith("Arn"):
        return st.sampled_from(_ARNS) | _text()
    if name == "definition":
        return st.sampled_from(_DEFINITIONS) | _text()
    if name in ("input", "output", "variables", "context"):
        return st.sampled_from(_INPUTS) | _text()
    return _right_type(shape, depth)


def _fits(shape: Shape, value: Any) -> bool:
    kind = shape.type_name
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, list if kind == "list" else dict)


def _wrong_type(shape: Shape) -> st.SearchStrategy[Any]:
    """Any JSON value but the member's type: null, numbers as text, nested objects, lists, huge numbers."""
    return st.one_of(st.none(), st.booleans(), _numbers(), st.floats(allow_nan=False, allow_infinity=False),
                     _text(), strategies.json_values()).filter(lambda value: value is None or not _fits(shape, value))


def _params(operation: OperationModel) -> st.SearchStrategy[tuple[str, str | None, dict[str, Any]]]:
    """(fault, member at fault, params): the operation's members with right-typed values, then at most
    one fault: a member of the wrong type, a required member left out, or a member the model lacks."""
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    required = set(shape.required_members) if shape is not None else set()
    base = st.fixed_dictionaries({name: _member(name, members[name]) for name in required},
                                 optional={name: _member(name, member) for name, member in members.items()
                                           if name not in required})
    faults = [base.map(lambda params: ("none", None, params))]
    if members:
        faults.append(st.sampled_from(sorted(members)).flatmap(lambda name: st.builds(
            lambda params, value: ("wrong type", name, {**params, name: value}), base, _wrong_type(members[name]))))
    if required:
        faults.append(st.sampled_from(sorted(required)).flatmap(lambda name: base.map(
            lambda params: ("missing", name, {key: value for key, value in params.items() if key != name}))))
    faults.append(st.builds(lambda params, key, value: ("unknown", key, {**params, key: value}),
                            base, st.text(min_size=1, max_size=20).filter(lambda key: key not in members),
                            strategies.json_values()))
    return st.one_of(faults)


def requests_for_every_operation() -> st.SearchStrategy[tuple[str, tuple[str, str | None, dict[str, Any]]]]:
    return st.sampled_from(OPERATIONS).flatmap(
        lambda name: st.tuples(st.just(name), _params(_MODEL.operation_model(name))))


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    running = serve(Runtime(), host="127.0.0.1", port=0)
    _fuzz_targets(running.runtime)
    yield running
    running.shutdown()


def _fuzz_targets(runtime: Runtime) -> None:
    """The resources _ARNS name, so requests reach past "does not exist" (the fuzz may delete them)."""
    sfn = runtime.client()
    role = "arn:aws:iam::000000000000:role/fuzz-role"
    standard = sfn.create_state_machine(name="fuzz-target", definition=_DEFINITIONS[0], roleArn=role, publish=True)
    sfn.create_state_machine_alias(name="fuzz-alias", routingConfiguration=[
        {"stateMachineVersionArn": standard["stateMachineVersionArn"], "weight": 100}])
    sfn.start_execution(stateMachineArn=standard["stateMachineArn"], name="fuzz-run")
    express = sfn.create_state_machine(name="fuzz-express", definition=_DEFINITIONS[0], roleArn=role, type="EXPRESS")
    sfn.start_execution(stateMachineArn=express["stateMachineArn"], name="fuzz-run")
    assert standard["stateMachineArn"] == f"{_ACCOUNT}:stateMachine:fuzz-target", standard


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")


def post(server: Any, target: str | None, body: bytes, content_type: str | None = _JSON_10,
         headers: dict[str, str] | None = None) -> Answer:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    sent = {"Content-Type": content_type} if content_type is not None else {}
    if target is not None:
        sent["X-Amz-Target"] = target
    sent.update(headers or {})
    try:
        connection.request("POST", "/", body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, {name.lower(): value for name, value in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def assert_aws_answer(answer: Answer, operation: str | None = None) -> dict[str, Any]:
    """No 5xx, no traceback; a refusal in AWS JSON 1.0's error shape, read by botocore as a code."""
    assert answer.status < 500, (answer.status, answer.text[:500])
    assert "Traceback" not in answer.text and 'File "' not in answer.text, answer.text[:500]
    body = json.loads(answer.body)
    assert isinstance(body, dict), body
    if answer.status >= 400:
        assert answer.status == 400, answer.status  # AWS JSON 1.0 answers every client error 400
        assert isinstance(body.get("__type"), str) and body["__type"], body
        assert isinstance(body.get("message", body.get("Message")), str), body
        output = _MODEL.operation_model(operation).output_shape if operation in OPERATIONS else None
        parsed = JSONParser().parse({"status_code": answer.status, "headers": answer.headers, "body": answer.body},
                                    output)
        assert parsed["Error"]["Code"] == body["__type"].rpartition("#")[2], parsed
    return body


def assert_still_serving(server: Any) -> None:
    answer = post(server, _TARGET + "ListActivities", b"{}")
    assert answer.status == 200, answer.text[:500]


@property_settings
@given(request=requests_for_every_operation())
def test_generated_members_for_every_operation_get_an_aws_answer(server, request):
    # GIVEN any operation and members of the wrong type, missing, unknown, huge, NaN-like or non-ASCII
    operation, (fault, member, params) = request
    # WHEN they are posted as AWS JSON 1.0
    answer = post(server, _TARGET + operation, json.dumps(params).encode())
    TALLY.record("sfn http: generated members", answer.status)
    # THEN the answer is a success or AWS's error shape, and the server serves on
    body = assert_aws_answer(answer, operation)
    assert_still_serving(server)
    # AND the fault is answered as AWS's front end answers it (null reads as absent, so it may not be one)
    if fault == "wrong type" and params[member] is not None:
        assert body["__type"] == "SerializationException" and f"'{member}'" in body["message"], body
    elif fault == "missing":
        assert body["__type"] == "ValidationException", body
        assert f"Value null at '{member}' failed to satisfy constraint: Member must not be null" in body["message"]


@property_settings
@given(operation=st.sampled_from(OPERATIONS), raw=strategies.raw_bodies(),
       content_type=st.sampled_from(_CONTENT_TYPES + (None,)))
def test_any_bytes_with_any_content_type_get_an_aws_answer(server, operation, raw, content_type):
    # GIVEN bytes that are not JSON, JSON that is not an object, deep nesting or a huge string, mislabelled
    # WHEN they are posted to any operation
    answer = post(server, _TARGET + operation, raw, content_type)
    TALLY.record("sfn http: any bytes, any content type", answer.status)
    # THEN the answer is well formed, and the server serves on
    assert_aws_answer(answer, operation)
    assert_still_serving(server)


@property_settings
@given(target=st.one_of(st.none(), st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=40),
                        st.sampled_from(OPERATIONS).map(lambda name: name.lower()),
                        st.sampled_from(OPERATIONS).map(lambda name: "AWSStepFunctions" + name),
                        st.sampled_from(["AWSStepFunctions.", "AWSStepFunctions.__init__", "AWSStepFunctions.invoke",
                                         "AmazonSQS.ListQueues", "AWSStepFunctions.ListActivities.x"])))
def test_unknown_or_missing_target_is_unknown_operation(server, target):
    # GIVEN an X-Amz-Target naming no Step Functions operation, or none at all
    # WHEN a request is posted with it
    answer = post(server, target, b"{}")
    TALLY.record("sfn http: unknown target", answer.status)
    # THEN AWS's UnknownOperationException answers it
    body = assert_aws_answer(answer)
    assert answer.status == 400 and body["__type"] == "UnknownOperationException", body
    assert_still_serving(server)


@pytest.fixture(scope="module")
def unvalidated_client(server):
    """boto3 with its own parameter checks off, so the server is what refuses bad arguments."""
    return boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",  # module-wide: before the
                        # suite's per-test credentials exist
                        config=Config(parameter_validation=False, inject_host_prefix=False,
                                      retries={"max_attempts": 1}))


def _scalar_wrong_type(shape: Shape) -> st.SearchStrategy[Any]:
    if shape.type_name == "float":  # botocore writes only numbers there (NaN as the string "NaN")
        return st.one_of(st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf]))
    return st.one_of(st.none(), st.booleans(), _numbers(), _text(), st.floats(allow_nan=False)).filter(
        lambda value: value is None or not _fits(shape, value))


def _scalar_faults(name: str) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """Arguments botocore's serializer sends as given: a scalar member with another scalar type, or
    a required member left out."""
    shape = _MODEL.operation_model(name).input_shape
    members = shape.members if shape is not None else {}
    scalars = sorted(member for member, kind in members.items() if kind.type_name in _SCALARS)
    faults: list[st.SearchStrategy[dict[str, Any]]] = [
        st.sampled_from(scalars).flatmap(lambda member: _scalar_wrong_type(members[member]).map(
            lambda value: {member: value}))
    ] if scalars else []
    if shape is not None and shape.required_members:
        faults.append(st.just({}))
    return st.tuples(st.just(name), st.one_of(faults)) if faults else st.nothing()


@property_settings
@given(request=st.sampled_from(OPERATIONS).flatmap(_scalar_faults))
def test_boto3_without_its_checks_gets_client_errors_with_codes(server, unvalidated_client, request):
    # GIVEN arguments boto3 would refuse itself: wrong scalar types, NaN, required members left out
    operation, params = request
    # WHEN boto3 sends them anyway
    # THEN boto3 reads a ClientError with a code and a message (or a success), never a server error
    try:
        getattr(unvalidated_client, botocore.xform_name(operation))(**params)
        status = 200
    except ClientError as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert status == 400, error.response
        assert error.response["Error"]["Code"] and isinstance(error.response["Error"]["Message"], str)
    TALLY.record("sfn boto3: unvalidated arguments", status)
    assert_still_serving(server)


@pytest.mark.parametrize("body", [
    b"",
    b"{}" + b" " * 3_000_000,
    b'{"input": "' + b"x" * 3_000_000 + b'"}',
    b"[" * 200_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"stateMachineArn": "' + b"\\u0000" * 10_000 + b'"}',
], ids=["empty", "huge-blank", "huge-string", "deep-list", "deep-object", "control-characters"])
def test_empty_huge_and_deep_bodies_get_an_aws_answer(server, body):
    # GIVEN a body that is empty, megabytes long or nested far deeper than any request
    # WHEN it is posted to an operation
    answer = post(server, _TARGET + "StartExecution", body)
    # THEN it is answered in AWS's shape, and the server serves on
    assert_aws_answer(answer, "StartExecution")
    assert_still_serving(server)


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "+5", "0x10"])
def test_unreadable_content_length_is_refused_and_the_server_serves_on(server, length):
    # GIVEN a request whose Content-Length is not a length
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {_TARGET}ListActivities\r\n"
                           f"Content-Type: {_JSON_10}\r\nContent-Length: {length}\r\n\r\n{{}}".encode())
        # WHEN the server reads it
        reply = connection.makefile("rb").read()
    # THEN it is refused with a 400 in AWS's shape, the connection closed, and the server serves on
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), reply[:300]
    assert json.loads(body)["__type"] == "SerializationException"
    assert_still_serving(server)


def test_null_member_reads_as_absent(server):
    # GIVEN optional members sent as JSON null (AWS reads null as the member being absent)
    # WHEN ListActivities is posted with them
    answer = post(server, _TARGET + "ListActivities", b'{"maxResults": null, "nextToken": null}')
    # THEN it is answered as if they were left out
    assert answer.status == 200 and json.loads(answer.body) == json.loads(post(server, _TARGET + "ListActivities",
                                                                               b"{}").body)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(server, constant):
    # GIVEN a number member written as NaN or Infinity (Python's json reads them; JSON has no such values)
    # WHEN it is posted
    answer = post(server, _TARGET + "ListStateMachines", b'{"maxResults": ' + constant + b"}")
    # THEN the body is refused as malformed
    assert assert_aws_answer(answer)["__type"] == "SerializationException"


def test_missing_required_members_are_all_named_in_aws_words(server):
    # GIVEN a CreateStateMachine with none of its three required members
    # WHEN it is posted
    body = assert_aws_answer(post(server, _TARGET + "CreateStateMachine", b"{}"), "CreateStateMachine")
    # THEN one ValidationException names each, in AWS's constraint wording
    assert body == {"__type": "ValidationException", "message": "3 validation errors detected: " + "; ".join(
        f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
        for name in ("name", "definition", "roleArn"))}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"])
def test_other_methods_are_unknown_operations_not_server_errors(server, method):
    # GIVEN a request with a method the API does not speak
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    # WHEN it is sent
    connection.request(method, "/", body=b"{}", headers={"X-Amz-Target": _TARGET + "ListActivities"})
    response = connection.getresponse()
    answer = Answer(response.status, dict(response.getheaders()), response.read())
    connection.close()
    # THEN it is AWS's UnknownOperationException, not http.server's 501 page, and the server serves on
    assert assert_aws_answer(answer)["__type"] == "UnknownOperationException"
    assert_still_serving(server)


@pytest.mark.parametrize("request_head", [
    b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % index for index in range(150)) + b"\r\n",
    b"NOT A REQUEST LINE AT ALL\r\n\r\n",
], ids=["huge-request-line", "too-many-headers", "garbage-request-line"])
def test_broken_http_is_refused_in_aws_shape(server, request_head):
    # GIVEN bytes that are not a request http.server can read
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request_head)
        # WHEN the server reads them
        reply = connection.makefile("rb").read()
    # THEN it answers a 4xx JSON error, not an HTML page, and serves on
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head[9:12].startswith(b"4"), reply[:300]
    assert isinstance(json.loads(body)["__type"], str)
    assert_still_serving(server)


@pytest.mark.parametrize(("operation", "body", "problem"), [
    ("ListActivities", b'{"maxResults": -1}',
     "Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"),
    ("DescribeActivity", b'{"activityArn": ""}',
     "Value '' at 'activityArn' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    ("CreateStateMachineAlias", b'{"name": "a", "routingConfiguration": []}', "Value '[]' at 'routingConfiguration' "
     "failed to satisfy constraint: Member must have length greater than or equal to 1"),
    ("TagResource", b'{"resourceArn": "arn:aws:states:us-east-1:000000000000:activity:a", "tags": [{"key": ""}]}',
     "Value '' at 'tags.1.member.key' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
])
def test_values_under_the_model_minimum_are_refused_in_aws_words(server, operation, body, problem):
    # GIVEN a member under its model minimum (boto3 itself would refuse it before sending)
    # WHEN it is posted
    answer = assert_aws_answer(post(server, _TARGET + operation, body), operation)
    # THEN AWS's ValidationException words it, with the member's path
    assert answer == {"__type": "ValidationException", "message": f"1 validation error detected: {problem}"}


@property_settings
@given(prefix=st.sampled_from(["/", "/console", "/console/", "/console/api/", "/console/static/", "/console/static//"]),
       tail=st.one_of(st.text(max_size=30), st.sampled_from(["..", "../../etc/passwd", "a" * 5000, "%00", "%zz"])),
       query=st.text(max_size=30))
def test_console_gets_any_path_answered_never_a_server_error(server, prefix, tail, query):
    # GET reaches the console that server.py also serves: any path and query, including file names
    # longer than the file system allows
    host, port = server.url.removeprefix("http://").split(":")
    target = urllib.parse.quote(prefix + tail, safe="/%") + "?" + urllib.parse.quote(query, safe="=&")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    # WHEN it is fetched
    connection.request("GET", target)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    TALLY.record("sfn http: console GET", response.status)
    # THEN it is answered (a page, data or a 4xx), never a 5xx or a traceback, and the server serves on
    assert response.status < 500 and b"Traceback" not in body, (response.status, body[:300])
    assert_still_serving(server)


@pytest.mark.parametrize(("operation", "body"), [
    ("TagResource", {"resourceArn": f"{_ACCOUNT}:stateMachine:fuzz-target", "tags": [{"value": "v"}]}),
    ("TagResource", {"resourceArn": f"{_ACCOUNT}:stateMachine:fuzz-target", "tags": [{"key": None}]}),
    ("CreateActivity", {"name": "keyless", "tags": [{"key": "k"}, {"value": "v"}]}),
    ("CreateStateMachine", {"name": "keyless", "definition": _DEFINITIONS[0], "tags": [{}],
                            "roleArn": "arn:aws:iam::000000000000:role/r"}),
])
def test_tag_without_a_key_is_refused(server, operation, body):
    # GIVEN a tag with no key (the model does not require one)
    # WHEN it is sent
    answer = assert_aws_answer(post(server, _TARGET + operation, json.dumps(body).encode()), operation)
    # THEN it is refused naming the tag, not a server error
    assert answer["__type"] == "ValidationException" and ".member.key'" in answer["message"], answer


_DEEP = "[" * 100_000


@pytest.mark.parametrize(("operation", "body"), [
    ("StartExecution", {"stateMachineArn": f"{_ACCOUNT}:stateMachine:fuzz-target", "input": _DEEP}),
    ("StartSyncExecution", {"stateMachineArn": f"{_ACCOUNT}:stateMachine:fuzz-express", "input": _DEEP}),
    ("CreateStateMachine", {"name": "deep", "definition": _DEEP, "roleArn": "arn:aws:iam::000000000000:role/r"}),
    ("UpdateStateMachine", {"stateMachineArn": f"{_ACCOUNT}:stateMachine:fuzz-target", "definition": _DEEP}),
    ("ValidateStateMachineDefinition", {"definition": _DEEP}),
    ("TestState", {"definition": _DEEP}),
    ("TestState", {"definition": json.dumps(_PASS), "input": _DEEP}),
    ("TestState", {"definition": json.dumps(_PASS), "variables": _DEEP}),
    ("TestState", {"definition": json.dumps(_PASS), "context": _DEEP}),
    ("TestState", {"definition": json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                             "End": True}), "mock": {"result": _DEEP}}),
    ("SendTaskSuccess", {"taskToken": "t", "output": _DEEP}),
])
def test_json_text_nested_deeper_than_the_stack_is_refused(server, operation, body):
    # GIVEN a member holding JSON text nested 100,000 deep (input, definition, variables, mock result...)
    # WHEN it is sent
    answer = post(server, _TARGET + operation, json.dumps(body).encode())
    # THEN it is refused (or reported, by ValidateStateMachineDefinition) as bad JSON, not a server error
    assert_aws_answer(answer, operation)
    assert_still_serving(server)
