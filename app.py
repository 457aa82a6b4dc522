"""contact-form: a Chalice app around a Synchronous Express Workflow.

Each handler parses its input, calls chalicelib and shapes the answer; nothing more.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

# boto3 first and from here, not four imports down through chalicelib: there its module-level
# regexes straddle a CPython 3.11 frame-stack chunk boundary (~2,000 mmap/munmap pairs, ~20 ms of
# every cold start; docs/performance.md).
import boto3  # noqa: F401
from chalice import Chalice, Rate, Response
from chalice.app import CloudWatchEvent, SQSEvent

from chalicelib import forms, idempotency, names, settings, tickets, workflow
from chalicelib.errors import answers_errors
from chalicelib.observability import logger
from chalicelib.web import StageCORSConfig, index_page

if TYPE_CHECKING:  # powertools' batch utilities cost ~30 ms of every cold start; consumers load them when used
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

    from chalicelib import digest, notifications

# Powertools owns the "contact-form" logger (JSON, INFO); Chalice's own set-up would switch it
# to ERROR without propagation whenever stdout is not the stream it expects.
app = Chalice(app_name=settings.APP_NAME, configure_logs=False)


@app.route("/", methods=["GET"])
def index() -> Response:
    html, headers = index_page()
    return Response(body=html, headers=dict(headers.items()))


@app.route(
    "/contact",
    methods=["POST"],
    cors=StageCORSConfig(allow_headers=[idempotency.KEY_HEADER], expose_headers=["Retry-After"]),
)
@answers_errors
def contact() -> workflow.WorkflowOutput:
    request = app.current_request
    assert request is not None  # Chalice sets it before calling a route
    # API Gateway's request id; under `chalice local` the Lambda context's id.
    request_id = request.context.get("requestId") or getattr(app.lambda_context, "aws_request_id", None)
    logger.set_correlation_id(request_id)
    key = idempotency.parse_key(request.headers.get(idempotency.KEY_HEADER), request.raw_body)
    submission = forms.parse_body(request.raw_body)
    name = workflow.execution_name(request_id, prefix="api-")
    return idempotency.submit(
        key, submission.to_workflow_input("api"), lambda document: workflow.run(document, name=name)
    )


@app.lambda_function(name=names.GENERATE_TICKET_ID_FUNCTION)
def generate_ticket_id(event: Any, context: Any) -> tickets.TicketIdResult:
    return {"ticketId": tickets.new_ticket_id()}


@app.lambda_function(name=names.NOTIFY_ADMIN_FUNCTION)
def notify_admin(event: dict[str, Any], context: Any) -> notifications.NotifierResult:
    from chalicelib import notifications  # each function's own modules on first use: every Lambda imports app.py

    notification = notifications.AdminNotification.from_event(event)
    return notifications.notify_or_defer(notification)


# Every DIGEST_INTERVAL_SECONDS: deploy/resources.yaml sets the rate from a stack parameter,
# `make run` calls the handler on its own timer.
@app.schedule(Rate(settings.DEFAULT_DIGEST_INTERVAL_SECONDS // 60, unit=Rate.MINUTES), name=names.SEND_DIGEST_FUNCTION)
def send_digest(event: CloudWatchEvent) -> digest.DigestResult:
    from chalicelib import digest

    return digest.send_digest()


@app.on_sqs_message(queue=settings.SUBMISSIONS_QUEUE, batch_size=10, name=names.PROCESS_QUEUED_SUBMISSIONS_FUNCTION)
def process_queued_submissions(event: SQSEvent) -> PartialItemFailureResponse:
    from chalicelib import consumers

    return consumers.process_queue_batch(event.to_dict(), event.context)


@app.on_cw_event(
    {"source": [settings.EVENT_SOURCE], "detail-type": [settings.SUBMITTED_DETAIL_TYPE]},
    name=names.PROCESS_SUBMISSION_EVENT_FUNCTION,
)
def process_submission_event(event: CloudWatchEvent) -> None:
    from chalicelib import consumers

    consumers.process_submitted_event(event.to_dict())
