"""The embedded AWS services reached in-process by the clients of localdev's own process.

The workflow's tasks and the app's Lambdas run in the process that also hosts the moto server.
Over HTTP each of their calls paid a new TCP connection (werkzeug's server closes every one), a
server thread and werkzeug's request parsing: about two thirds of a submission's time. Here a
botocore ``before-call`` handler answers the call from moto in this process instead, as
botocore's own Stubber answers a call: nothing is signed, sent or wrapped in a WSGI round trip.
The request goes to the moto response handler the moto server's routing picks for it, with the
service, region and access key moto reads from an ``Authorization`` header; the answer is parsed
by botocore's parser for the operation and judged by the client's retry handlers, so results,
errors (``ClientError``, its code, message and HTTP status) and retries are those of a call over
HTTP (``tests/e2e/test_inprocess_aws.py`` compares the two). moto keeps its backends in module
globals, so this process and the server share one set of data: the AWS CLI, `make tickets`,
`make emails` and the console still read it over HTTP.

Three of moto's per-request computations are cached here, for this process's server too: the
listing of its own package directory (``os.listdir`` and a ``stat`` per service, ~0.3 ms under a
global lock), the method names of a response class (``inspect.getmembers``, ~0.2 ms), and the
syntax tree of a DynamoDB UpdateExpression (parsed twice per UpdateItem, ~0.3 ms; moto deep-copies
the tree before it resolves names and values into it). None of them changes while the process runs.
"""
from __future__ import annotations

import functools
import time
from typing import Any, Callable, cast
from urllib.parse import urlencode

import botocore
from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.compress import maybe_compress_request
from botocore.endpoint import convert_to_response_dict
from botocore.exceptions import ClientError
from botocore.hooks import BaseEventHooks, first_non_none_response
from botocore.httpchecksum import apply_request_checksum, handle_checksum_body
from botocore.model import OperationModel
from botocore.parsers import ResponseParserFactory
from botocore.session import Session as BotocoreSession
from botocore.signers import RequestSigner
from flask import Response
from moto import backends
from moto.core import responses
from moto.core.botocore_stubber import MockRawResponse
from moto.core.exceptions import HTTPException
from moto.core.request import Request
from moto.core.utils import convert_to_flask_response
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # moto: untyped
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

# moto reads the region, the service and the access key from SigV4's credential scope; the
# signature itself it never checks, so none is computed.
_AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential={access_key}/20200101/{region}/{service}/aws4_request, "
                  "SignedHeaders=host, Signature=0")


class InProcessAws:
    """botocore's ``before-call`` hook: calls to ``endpoint`` are answered by moto in this process."""

    def __init__(self, endpoint: str) -> None:
        self._prefix = endpoint.rstrip("/") + "/"
        # The moto server's own routing (service from the credential scope, then the URL rules).
        self._apps = DomainDispatcherApplication(create_backend_app)

    def answer(self, model: OperationModel, params: dict[str, Any], request_signer: RequestSigner,
               context: dict[str, Any], parsers: ResponseParserFactory) -> tuple[AWSResponse, dict] | None:
        """(HTTP response, parsed response) for a call to this endpoint; None for any other endpoint."""
        url = params["url"]
        if not url.startswith(self._prefix):
            return None  # the local Step Functions, a real endpoint: over the network as usual
        # What botocore does to a request before signing it, so moto stores the same bytes.
        maybe_compress_request(context["client_config"], params, model)
        apply_request_checksum(params)
        headers, body = _headers(params, request_signer, context), _body(params["body"])
        emitter = request_signer._event_emitter  # the client's own (botocore keeps it private)
        retry_event = f"needs-retry.{model.service_model.service_id.hyphenize()}.{model.name}"
        attempts = 1
        while True:
            status, response_headers, content = self._dispatch(
                Request.from_primitives(params["method"], url, headers, body))
            http_response = AWSResponse(url, status, response_headers, MockRawResponse(content))
            parsed = _parse(http_response, model, context, emitter, parsers)
            # The client's retry handlers judge the answer as they judge one over HTTP (a 5xx, throttling).
            delay = first_non_none_response(emitter.emit(
                retry_event, response=(http_response, parsed), endpoint=None, operation=model, attempts=attempts,
                caught_exception=None, request_dict=params))
            if delay is None or delay is False:
                parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = attempts - 1
                return http_response, parsed
            time.sleep(delay)
            attempts += 1

    def _dispatch(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        # What moto's Flask app does for the server: the route's handler, its errors as answers.
        app = self._apps.get_application(request.environ)
        try:
            endpoint, _ = app.url_map.bind_to_environ(request.environ).match()  # NotFound: a 404, as served
            recorder._record_request(request)
            handler = cast(convert_to_flask_response, app.view_functions[endpoint]).callback
            result = handler(request, request.raw_url, dict(request.headers))
        except ClientError as error:
            result = 400, {}, error.response["Error"]["Message"]
        except HTTPException as error:
            result = error.code, error.get_headers(), error.get_body()
        status, headers, body = result if len(result) == 3 else (200, {}, result)
        # The headers the server sends (a default Content-Type, Content-Length), as Flask adds them.
        response = Response(response=body, status=status, headers=headers)
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
        return response.status_code, dict(response.headers), response.get_data()


def _headers(params: dict[str, Any], request_signer: RequestSigner, context: dict[str, Any]) -> dict[str, str | bytes]:
    headers = dict(params["headers"])
    credentials = request_signer._credentials  # botocore keeps the signer's credentials private
    unsigned = request_signer.signature_version is UNSIGNED or context.get("auth_type") == "none"
    if credentials is not None and not unsigned:
        # The scope SigV4 would sign with: the endpoint rules' signing region and name, else the client's.
        signing = context.get("signing", {})
        headers["Authorization"] = _AUTHORIZATION.format(
            access_key=credentials.get_frozen_credentials().access_key,
            region=signing.get("region", request_signer.region_name),
            service=signing.get("signing_name", request_signer.signing_name),
        )
    return headers


def _body(body: Any) -> Any:
    if isinstance(body, dict):  # the query protocol's form, encoded as botocore sends it
        return urlencode([(key, value.encode() if isinstance(value, str) else value)
                          for key, value in body.items()], doseq=True)
    return body.read() if hasattr(body, "read") else body


def _parse(http_response: AWSResponse, model: OperationModel, context: dict[str, Any],
           emitter: BaseEventHooks, parsers: ResponseParserFactory) -> dict:
    """The parsed response as botocore's Endpoint makes it from an HTTP response."""
    response_dict = convert_to_response_dict(http_response, model)
    handle_checksum_body(http_response, response_dict, context, model)
    service_id = model.service_model.service_id.hyphenize()
    customized: dict = {}
    # On the client's own emitter: handlers registered on it (S3's 200-with-error check) still run.
    emitter.emit(f"before-parse.{service_id}.{model.name}", operation_model=model,
                 response_dict=response_dict, customized_response_dict=customized)
    parser = parsers.create_parser(model.service_model.resolved_protocol)
    parsed = parser.parse(response_dict, model.output_shape)
    parsed.update(customized)
    if http_response.status_code >= 300:  # the modelled fields of an error, as the Endpoint adds them
        shape = model.service_model.shape_for_error_code(parsed.get("Error", {}).get("Code"))
        if shape is not None:
            parsed.update(parser.parse(response_dict, shape))
    return parsed


def route_in_process(endpoint: str) -> Callable[[], None]:
    """Every botocore session made from now on answers ``endpoint``'s calls in-process.

    Returns what stops that for sessions made afterwards (the stack never does; tests do).
    """
    in_process = InProcessAws(endpoint)
    _cache_moto_lookups()

    def register(session: BotocoreSession) -> None:
        parsers = session.get_component("response_parser_factory")

        def before_call(model: OperationModel, params: dict[str, Any], request_signer: RequestSigner,
                        context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict] | None:
            return in_process.answer(model, params, request_signer, context, parsers)

        # Last: botocore's own before-call handlers (S3's Expect header, ...) shape the request first.
        session.get_component("event_emitter").register_last("before-call", before_call)

    botocore.register_initializer(register)
    return lambda: botocore.unregister_initializer(register)


def _cache_moto_lookups() -> None:
    # Each is read through its module's or class's attribute at each request, by the server as by us.
    listing = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listing
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    if not hasattr(UpdateExpressionParser.make, "cache_info"):  # once, however many routes are made
        # A bounded cache: the stack's expressions are a handful, a script's could be many.
        UpdateExpressionParser.make = functools.lru_cache(maxsize=256)(UpdateExpressionParser.make)
