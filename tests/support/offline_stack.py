"""The whole product in one process, with switches that inject faults where AWS would fail.

The real ``app.py`` answers through ``chalice.test.Client``; its Step Functions client is a
``stepfunctions_local`` client running the real ASL file on a ``ManualClock`` (retries wait for
nothing); the real Lambda handlers run inside it; moto holds DynamoDB, SES, SQS and EventBridge.
Faults are injected at the edge of each service, never inside the code under test:

- Comprehend: the sentiment provider raises Comprehend's error, or lets time pass;
- Lambda: the function registry answers with a service error, or a handler raises;
- DynamoDB: a botocore ``before-call`` hook answers the runtime's DynamoDB client with an
  error response, as ``botocore.stub.Stubber`` does, but only N times;
- SES: the sender's verification is withdrawn, so moto rejects the email as SES would;
- Step Functions: the API's client raises ``ThrottlingException`` N times.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from unittest import mock

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException
from chalice.test import Client
from moto import mock_aws
from werkzeug.wrappers import Request, Response

import app as app_module
from chalicelib import aws, names, settings
from localdev.aws import DUMMY_CREDENTIALS, REGION
from localdev.delivery import lambda_context
from localdev.offline import OfflineWorkflows, function_arn
from localdev.project import function_name
from stepfunctions_local import ManualClock, Runtime
from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.integrations.sentiment import DetectSentimentResponse, vader_sentiment
from tests.support.aws_resources import PROJECT_DIR, create_app_resources, sent_emails, stage_environment

JSON = {"Content-Type": "application/json"}
TICKET_FUNCTION = function_arn(names.GENERATE_TICKET_ID_FUNCTION)
NOTIFY_FUNCTION = function_arn(names.NOTIFY_ADMIN_FUNCTION)
# The app's cached client factory, kept before any stack replaces it.
_APP_CLIENT = aws.client


class Countdown:
    """Fires on the next ``times`` calls, then never again (thread-safe)."""

    def __init__(self) -> None:
        self._left = 0
        self._lock = threading.Lock()
        self.fired = 0

    def arm(self, times: int) -> None:
        with self._lock:
            self._left = times

    def fire(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            self.fired += 1
            return True


class FaultySentiment:
    """Comprehend offline (VADER) that can throttle or stall before answering.

    ``before``, when set, is called first with the text: a test can hold an execution there, before
    its record step, while something else happens.
    """

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.throttle = Countdown()
        self.stall_seconds = 0.0
        self.calls = 0
        self.before: Callable[[str], None] | None = None

    def __call__(self, text: str, language_code: str) -> DetectSentimentResponse:
        self.calls += 1
        if self.before is not None:
            self.before(text)
        if self.throttle.fire():
            raise StatesError("Comprehend.ThrottlingException",
                              "Rate exceeded (Service: Comprehend, Status Code: 400, Request ID: fault)")
        self.clock.advance(self.stall_seconds)
        return vader_sentiment(text, language_code)


class FaultyStepFunctions:
    """The API's Step Functions client: the local runtime's, refusing N calls with throttling."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.throttle = Countdown()
        self.calls = 0

    def start_sync_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.throttle.fire():
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "StartSyncExecution")
        return self._client.start_sync_execution(**kwargs)


class FaultyDynamoDB:
    """Answers the next N calls of one DynamoDB operation with an error, before any request is sent."""

    def __init__(self, client: Any) -> None:
        self._faults: dict[str, tuple[Countdown, str]] = {}
        client.meta.events.register("before-call.dynamodb.*", self._answer)

    def fail(self, operation: str, code: str, times: int) -> Countdown:
        countdown = Countdown()
        countdown.arm(times)
        self._faults[operation] = (countdown, code)
        return countdown

    def _answer(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        countdown, code = self._faults.get(model.name, (None, ""))
        if countdown is None or not countdown.fire():
            return None
        status = 500 if code in {"InternalServerError", "ServiceUnavailable"} else 400
        return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, {}, None), {
            "Error": {"Code": code, "Message": "injected fault"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "fault"},
        }


class FaultyLambdas:
    """The runtime's Lambda service: can refuse N invocations of a function with a service error."""

    def __init__(self, runtime: Runtime) -> None:
        self._invoke = runtime.lambdas.invoke
        self._faults: dict[str, tuple[Countdown, str]] = {}
        self.invocations: list[str] = []
        runtime.lambdas.invoke = self._invoke_with_faults  # type: ignore[method-assign]

    def fail(self, function_arn: str, error: str, times: int) -> Countdown:
        countdown = Countdown()
        countdown.arm(times)
        self._faults[function_arn] = (countdown, error)
        return countdown

    def _invoke_with_faults(self, function_name: str, payload: Any) -> Any:
        self.invocations.append(function_name)
        countdown, error = self._faults.get(function_name, (None, ""))
        if countdown is not None and countdown.fire():
            raise StatesError(error, f"{error.split('.')[-1]}: injected fault (Service: AWSLambda; Status Code: 500)")
        return self._invoke(function_name, payload)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class OfflineStack:
    runtime: Runtime
    clock: ManualClock
    api: Client
    sentiment: FaultySentiment
    sfn: FaultyStepFunctions
    dynamodb: FaultyDynamoDB
    lambdas: FaultyLambdas
    express_arn: str
    environment: dict[str, str] = field(default_factory=dict)
    gateway: LocalGateway = field(
        default_factory=lambda: LocalGateway(app_module.app, Config.create(chalice_stage="local"))
    )

    def post(self, body: Any, headers: dict[str, str] | None = None, path: str = "/contact") -> Reply:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        raw = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        response = self.api.http.post(path, headers=JSON if headers is None else headers, body=raw)
        return Reply(response.status_code, dict(response.headers), response.body.decode("utf-8", "replace"))

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        response = self.api.http.request(method, path, headers=headers, body=body)
        return Reply(response.status_code, dict(response.headers), response.body.decode("utf-8", "replace"))

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """The API as a WSGI app (what schemathesis calls in-process), answered by Chalice's local gateway.

        The gateway itself, not ``chalice.test.Client``, which cannot read an answer without a body.
        """
        request = Request(environ)
        try:
            answer = self.gateway.handle_request(request.method, request.full_path.removesuffix("?"),
                                                 dict(request.headers), request.get_data())
        except LocalGatewayException as error:
            answer = {"statusCode": error.CODE, "headers": dict(error.headers), "body": error.body}
        headers = answer["headers"]
        # API Gateway's proxy integration labels an answer without a Content-Type as JSON.
        headers.setdefault("Content-Type", "application/json")
        response = Response(answer["body"] or b"", status=answer["statusCode"], headers=headers)
        return response(environ, start_response)

    def tickets(self) -> list[dict[str, Any]]:
        pages = boto3.client("dynamodb").get_paginator("scan").paginate(
            TableName=settings.tickets_table(), ConsistentRead=True
        )
        deserialize = TypeDeserializer().deserialize
        return [{key: deserialize(value) for key, value in item.items()} for page in pages for item in page["Items"]]

    def ticket_count(self) -> int:
        # moto counts live (AWS refreshes ItemCount every few hours); a scan grows slow as tickets pile up.
        return boto3.client("dynamodb").describe_table(TableName=settings.tickets_table())["Table"]["ItemCount"]

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        table = boto3.resource("dynamodb").Table(settings.tickets_table())
        return table.get_item(Key={"ticketId": ticket_id}, ConsistentRead=True).get("Item")

    def tickets_with_message(self, message: str) -> list[dict[str, Any]]:
        return [item for item in self.tickets() if item.get("message") == message]

    def emails(self) -> list[Any]:
        return sent_emails()

    def reject_emails(self) -> None:
        """Withdraw the sender's verification: SES (moto) then refuses every email."""
        boto3.client("ses").delete_identity(Identity=self.environment["SENDER_EMAIL"])

    def accept_emails(self) -> None:
        """Verify the sender again after ``reject_emails``."""
        boto3.client("ses").verify_email_identity(EmailAddress=self.environment["SENDER_EMAIL"])

    def handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        """A Lambda handler of app.py, called as Lambda calls it (event, context)."""
        return lambda event, context=None: app_module.app.handler_map[name](
            event, context or lambda_context(function_name(app_module.app, name))
        )


@contextlib.contextmanager
def offline_stack() -> Iterator[OfflineStack]:
    """The product in this process; every fault switch off."""
    environment = stage_environment()
    # Module-scoped users start before the suite's per-test isolation, so isolate here too.
    isolation = {**DUMMY_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                 "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    with mock.patch.dict(os.environ, {**isolation, **environment}), mock_aws():
        _APP_CLIENT.cache_clear()
        create_app_resources(environment["SENDER_EMAIL"])
        clock = ManualClock()
        sentiment = FaultySentiment(clock)
        runtime = Runtime(clock=clock, sentiment=sentiment)
        express_arn = OfflineWorkflows(runtime, app_module.app, settings.tickets_table()).express_arn
        lambdas = FaultyLambdas(runtime)
        sfn = FaultyStepFunctions(runtime.client())
        dynamodb = FaultyDynamoDB(runtime.tasks.clients.get("dynamodb"))

        def client(service: str) -> Any:
            return sfn if service == "stepfunctions" else _APP_CLIENT(service)

        with mock.patch.object(aws, "client", client), Client(
            app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)
        ) as api:
            yield OfflineStack(runtime, clock, api, sentiment, sfn, dynamodb, lambdas, express_arn, environment)
        _APP_CLIENT.cache_clear()
