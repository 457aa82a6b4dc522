"""An in-process client with boto3's method names, arguments, response shapes and errors."""
from __future__ import annotations

import uuid
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

import botocore.session
from botocore import xform_name
from botocore.errorfactory import ClientExceptionsFactory
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidator

from stepfunctions_local.api_errors import OPERATIONS, ApiError

if TYPE_CHECKING:
    from botocore.model import ServiceModel

    from stepfunctions_local.service import Runtime


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """botocore's Step Functions model: the source of truth for argument shapes."""
    return botocore.session.get_session().get_service_model("stepfunctions")


@lru_cache(maxsize=1)
def _exceptions() -> Any:
    return ClientExceptionsFactory().create_client_exceptions(service_model())


def validate(operation: str, params: dict) -> None:
    """Check arguments against the model exactly as boto3 does before sending a request."""
    report = ParamValidator().validate(params, service_model().operation_model(operation).input_shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


class Client:
    """``stepfunctions_local.client()``: call it like ``boto3.client("stepfunctions")``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.exceptions = _exceptions()

    if TYPE_CHECKING:
        # The operations (create_state_machine, start_execution, ...) are set below from botocore's model.
        def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]: ...

    def _call(self, operation: str, params: dict) -> dict:
        validate(operation, params)
        request_id = str(uuid.uuid4())
        try:
            response = self.runtime.invoke(operation, params)
        except ApiError as error:
            raise self.exceptions.from_code(error.code)({
                "Error": {"Code": error.code, "Message": error.message},
                "message": error.message,
                "ResponseMetadata": _metadata(request_id, 400),
            }, operation) from None
        response["ResponseMetadata"] = _metadata(request_id, 200)
        return response


def _metadata(request_id: str, status: int) -> dict:
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.0"},
        "RetryAttempts": 0,
    }


def _method(operation: str) -> Any:
    def call(self: Client, **kwargs: Any) -> dict:
        return self._call(operation, kwargs)

    call.__name__ = xform_name(operation)
    call.__doc__ = f"Step Functions ``{operation}`` (see boto3's ``SFN.Client.{call.__name__}``)."
    return call


for _operation in OPERATIONS:
    setattr(Client, xform_name(_operation), _method(_operation))
