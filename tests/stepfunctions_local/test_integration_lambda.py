"""Lambda tasks run registered Python handlers in-process, with Lambda's shapes and errors."""
from __future__ import annotations

import json

import pytest
from chalice import Chalice

from .service_support import create, definition, task

FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:echo"


def _run(sfn, text: str, payload: dict | None = None) -> dict:
    arn = create(sfn, "flow", text)
    return sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(payload or {}))


class TestInvoke:
    def test_optimised_invoke_returns_lambda_response_shape(self, runtime, sfn):
        # GIVEN a registered handler
        runtime.register_lambda("echo", lambda event, context: {"got": event})
        # WHEN a workflow invokes it through lambda:invoke
        response = _run(sfn, task("arn:aws:states:::lambda:invoke",
                                  {"FunctionName": "echo", "Payload": {"n.$": "$.n"}}), {"n": 3})
        # THEN the result is Invoke's response as Step Functions shows it
        output = json.loads(response["output"])
        assert output["Payload"] == {"got": {"n": 3}}
        assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
        assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
        assert output["SdkResponseMetadata"]["RequestId"] == output["SdkHttpMetadata"]["HttpHeaders"][
            "x-amzn-RequestId"]

    @pytest.mark.parametrize("name", ["echo", "echo:$LATEST", FUNCTION_ARN, f"{FUNCTION_ARN}:live",
                                      "000000000000:function:echo"])
    def test_function_name_forms_resolve(self, runtime, sfn, name):
        # GIVEN a registered handler
        runtime.register_lambda("echo", lambda event, context: "ok")
        # WHEN it is named by name, qualified name, ARN or partial ARN
        response = _run(sfn, task("arn:aws:states:::lambda:invoke", {"FunctionName": name}))
        # THEN it is found
        assert json.loads(response["output"])["Payload"] == "ok"

    def test_plain_function_arn_resource_returns_payload_only(self, runtime, sfn):
        # GIVEN a registered handler
        runtime.register_lambda(FUNCTION_ARN, lambda event, context: {"twice": event["n"] * 2})
        # WHEN the Task's Resource is the function ARN
        response = _run(sfn, task(FUNCTION_ARN), {"n": 4})
        # THEN the state's result is the payload itself
        assert json.loads(response["output"]) == {"twice": 8}

    def test_handler_sees_json_copy_and_realistic_context(self, runtime, sfn):
        # GIVEN a handler that reports its context
        seen = {}

        def handler(event, context):
            seen.update(event=event, name=context.function_name, arn=context.invoked_function_arn,
                        memory=context.memory_limit_in_mb, version=context.function_version,
                        remaining=context.get_remaining_time_in_millis(), group=context.log_group_name,
                        request=context.aws_request_id)
            return None

        runtime.register_lambda("echo", handler, timeout=30, memory_size=256)
        # WHEN it is invoked
        _run(sfn, task(FUNCTION_ARN), {"a": [1, 2]})
        # THEN it got Lambda's context values
        assert seen["event"] == {"a": [1, 2]}
        assert (seen["name"], seen["arn"], seen["memory"], seen["version"], seen["group"]) == (
            "echo", FUNCTION_ARN, "256", "$LATEST", "/aws/lambda/echo")
        assert 0 < seen["remaining"] <= 30_000
        assert len(seen["request"]) == 36


class TestErrors:
    def test_raising_handler_fails_with_exception_name_and_lambda_cause(self, runtime, sfn):
        # GIVEN a handler that raises
        def handler(event, context):
            raise KeyError("ticket")

        runtime.register_lambda("echo", handler)
        # WHEN a workflow calls it
        response = _run(sfn, task("arn:aws:states:::lambda:invoke", {"FunctionName": "echo"}))
        # THEN error is the exception type and cause is the Python runtime's JSON
        assert (response["status"], response["error"]) == ("FAILED", "KeyError")
        cause = json.loads(response["cause"])
        assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
        assert (cause["errorMessage"], cause["errorType"]) == ("'ticket'", "KeyError")
        assert any("in handler" in line for line in cause["stackTrace"])

    def test_raising_handler_error_can_be_caught_by_name(self, runtime, sfn):
        # GIVEN a handler that raises ValueError, and a Catch on that name
        def handler(event, context):
            raise ValueError("bad")

        runtime.register_lambda("echo", handler)
        text = definition({
            "Call": {"Type": "Task", "Resource": FUNCTION_ARN, "End": True,
                     "Catch": [{"ErrorEquals": ["ValueError"], "Next": "Caught"}]},
            "Caught": {"Type": "Pass", "End": True},
        })
        # WHEN it runs
        response = _run(sfn, text)
        # THEN the Catch routed it
        assert response["status"] == "SUCCEEDED"
        assert json.loads(response["output"])["Error"] == "ValueError"

    def test_unknown_function_is_resource_not_found(self, sfn):
        # GIVEN no function registered
        # WHEN a workflow invokes one
        response = _run(sfn, task("arn:aws:states:::lambda:invoke", {"FunctionName": "ghost"}))
        # THEN it fails like Lambda's 404
        assert response["error"] == "Lambda.ResourceNotFoundException"
        assert response["cause"].startswith(
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost (Service: AWSLambda; "
            "Status Code: 404; Error Code: ResourceNotFoundException;")

    def test_unserialisable_result_is_marshal_error(self, runtime, sfn):
        # GIVEN a handler returning something JSON cannot hold
        runtime.register_lambda("echo", lambda event, context: {1, 2})
        # WHEN it is invoked
        response = _run(sfn, task(FUNCTION_ARN))
        # THEN the runtime's marshal error comes back
        assert response["error"] == "Runtime.MarshalError"


class TestChaliceApp:
    def test_register_chalice_app_uses_deployed_names(self, runtime, sfn):
        # GIVEN a Chalice app with a pure Lambda function
        app = Chalice(app_name="demo")

        @app.lambda_function()
        def make_id(event, context):
            return {"id": f"T-{event['n']}"}

        # WHEN the app is registered for stage "dev"
        arns = runtime.register_chalice_app(app, stage="dev")
        # THEN its function answers under demo-dev-make_id, by ARN and by name
        assert arns == ["arn:aws:lambda:us-east-1:000000000000:function:demo-dev-make_id"]
        response = _run(sfn, task("arn:aws:states:::lambda:invoke",
                                  {"FunctionName": "demo-dev-make_id", "Payload": {"n": 7}}))
        assert json.loads(response["output"])["Payload"] == {"id": "T-7"}
