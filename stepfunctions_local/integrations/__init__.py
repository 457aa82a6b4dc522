"""Task resources: which integration answers a Task state's ``Resource``.

Anything not listed here fails the execution with ``States.Runtime`` naming the resource,
never a silent no-op.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepfunctions_local.activity_tasks import ActivityBoard
from stepfunctions_local.callbacks import TaskTokens
from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.integrations import aws_sdk, lambda_, nested, optimized, sentiment

if TYPE_CHECKING:
    from stepfunctions_local.interception import TaskInterceptor
    from stepfunctions_local.service import Runtime

_SERVICE_PREFIX = "arn:aws:states:::"
_PATTERNS = (".waitForTaskToken", ".sync:2", ".sync")
_CALLBACK_TARGETS = {("lambda", "invoke"), ("sqs", "sendMessage"), ("sns", "publish"), ("events", "putEvents"),
                     ("states", "startExecution")}


class TaskDispatcher:
    """The interpreter's TaskRunner: routes a resource ARN to its integration."""

    def __init__(self, runtime: Runtime, sentiment_provider: sentiment.SentimentProvider | None = None) -> None:
        self._runtime = runtime
        self.tokens = TaskTokens()
        self.activities = ActivityBoard()
        self.interceptor: TaskInterceptor | None = None  # Runtime.set_task_interceptor
        self._sentiment = sentiment_provider or sentiment.vader_sentiment
        self.clients = aws_sdk.Boto3Clients(runtime.region)

    def run_task(self, resource: str, parameters: Any, *, context: dict, timeout: float | None) -> Any:
        # The interpreter enforces TimeoutSeconds/HeartbeatSeconds around this call.
        if resource.startswith("arn:aws:lambda:"):
            return self._runtime.lambdas.invoke(resource, parameters).payload
        if not resource.startswith(_SERVICE_PREFIX):
            raise _unsupported(resource)
        service, _, action = resource[len(_SERVICE_PREFIX):].partition(":")
        pattern = next((p for p in _PATTERNS if action.endswith(p)), "")
        action = action[: len(action) - len(pattern)]
        if pattern == ".waitForTaskToken":
            # The interpreter waits for the token; here the integration only delivers it.
            if (service, action) not in _CALLBACK_TARGETS:
                raise _unsupported(resource)
            pattern = ""
        if service == "aws-sdk":
            return self._aws_sdk(resource, action, pattern, parameters)
        if pattern and not (service == "states" and action == "startExecution"):
            raise _unsupported(resource)
        if service == "lambda" and action == "invoke":
            return lambda_.invoke_optimised(self._runtime.lambdas, parameters)
        if service == "states" and action == "startExecution":
            return nested.start_execution(self._runtime, parameters, pattern)
        if optimized.supports(service, action):
            origin = (context.get("StateMachine", {}).get("Id"), context.get("Execution", {}).get("Id"))
            return optimized.call_optimised(self.clients, service, action, parameters,
                                            origin=tuple(arn for arn in origin if arn))
        raise _unsupported(resource)

    def _aws_sdk(self, resource: str, target: str, pattern: str, parameters: Any) -> Any:
        service, _, action = target.partition(":")
        if pattern or not action:
            raise _unsupported(resource)
        if service == "sfn":
            return nested.call_sfn_sdk(self._runtime, action, parameters)
        if service == "comprehend" and action.lower() == "detectsentiment":
            return sentiment.detect_sentiment(self._sentiment, parameters or {})
        return aws_sdk.call_sdk(self.clients, service, action, parameters)


def _unsupported(resource: str) -> StatesError:
    return StatesError("States.Runtime", f"The resource '{resource}' is not supported by stepfunctions_local")

