"""Chalice view errors for the API, and the one place domain errors become HTTP answers.

Bodies follow Chalice's ``{"Code", "Message"}`` plus what a client needs (the field, the ASL
error, the execution ARN) and never any customer data.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from chalice import ChaliceViewError, Response

from chalicelib.forms import InvalidSubmissionError, SubmissionTooLargeError
from chalicelib.idempotency import IdempotencyError, KeyInUseError, KeyReusedError
from chalicelib.observability import logger
from chalicelib.workflow import (
    WorkflowError,
    WorkflowFailedError,
    WorkflowThrottledError,
    WorkflowTimedOutError,
)

# Chalice sends no Content-Type for a dict body (API Gateway would default it); say it always.
JSON_HEADERS = {"Content-Type": "application/json"}


class ApiError(ChaliceViewError):
    """A view error whose body carries details beside Code and Message."""

    CODE = "InternalServerError"

    def __init__(self, message: str, headers: dict[str, str] | None = None, **details: str | None) -> None:
        super().__init__(message)
        self.headers = headers or {}
        self.details = {key: value for key, value in details.items() if value is not None}

    def to_response(self) -> Response:
        body = {"Code": self.CODE, "Message": str(self), **self.details}
        return Response(body=body, status_code=self.STATUS_CODE, headers={**JSON_HEADERS, **self.headers})


class BadRequestError(ApiError):
    STATUS_CODE = 400
    CODE = "BadRequestError"


class ConflictError(ApiError):
    STATUS_CODE = 409
    CODE = "ConflictError"


class UnprocessableEntityError(ApiError):
    STATUS_CODE = 422
    CODE = "UnprocessableEntityError"


class ServiceUnavailableError(ApiError):
    STATUS_CODE = 503
    CODE = "ServiceUnavailableError"


class RequestEntityTooLargeError(ApiError):
    STATUS_CODE = 413
    CODE = "RequestEntityTooLargeError"


class WorkflowFailed(ApiError):
    STATUS_CODE = 502
    CODE = "WorkflowFailed"


class WorkflowUnavailable(ApiError):
    STATUS_CODE = 502
    CODE = "WorkflowUnavailable"


class WorkflowThrottled(ApiError):
    STATUS_CODE = 503
    CODE = "WorkflowThrottled"


class WorkflowTimedOut(ApiError):
    STATUS_CODE = 504
    CODE = "WorkflowTimedOut"


def to_api_error(error: Exception) -> ApiError:
    """Translate a domain error into the view error that answers it."""
    if isinstance(error, SubmissionTooLargeError):
        return RequestEntityTooLargeError(str(error), Field=error.field)
    if isinstance(error, InvalidSubmissionError):
        return BadRequestError(str(error), Field=error.field)
    if isinstance(error, KeyInUseError):
        return ConflictError(str(error), headers={"Retry-After": str(error.retry_after)}, Field=error.field)
    if isinstance(error, KeyReusedError):
        return UnprocessableEntityError(str(error), Field=error.field)
    if isinstance(error, IdempotencyError):
        return ServiceUnavailableError(str(error), headers={"Retry-After": "1"}, Field=error.field)
    if isinstance(error, WorkflowError):
        view_error = {
            WorkflowFailedError: WorkflowFailed,
            WorkflowTimedOutError: WorkflowTimedOut,
            WorkflowThrottledError: WorkflowThrottled,
        }.get(type(error), WorkflowUnavailable)
        return view_error(str(error), Error=error.error, ExecutionArn=error.execution_arn)
    raise TypeError(f"no HTTP answer for {type(error).__name__}")


def answers_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a view so it answers JSON, and submission, key and workflow errors become their HTTP answers."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            body = view(*args, **kwargs)
        except (InvalidSubmissionError, IdempotencyError, WorkflowError) as error:
            api_error = to_api_error(error)
            logger.warning(
                "request refused",
                extra={"code": api_error.CODE, "status": api_error.STATUS_CODE, **api_error.details},
            )
            return api_error.to_response()
        return Response(body=body, headers=dict(JSON_HEADERS))

    return wrapper
