"""contact-form: a Chalice app around a Synchronous Express Workflow.

Each handler parses its input, calls chalicelib and shapes the answer; nothing more.
"""
from __future__ import annotations

from typing import Any

# boto3 first and from here, not four imports down through chalicelib: there its module-level
# regexes straddle a CPython 3.11 frame-stack chunk boundary (~2,000 mmap/munmap pairs, ~20 ms of
# every cold start; docs/performance.md).
import boto3  # noqa: F401
from chalice import Chalice, Response
from chalice.app import CloudWatchEvent, SQSEvent

from chalicelib import consumers, forms, notifications, settings, tickets, workflow
from chalicelib.errors import answers_errors
from chalicelib.observability import logger
from chalicelib.web import StageCORSConfig, index_page

# Powertools owns the "contact-form" logger (JSON, INFO); Chalice's own set-up would switch it
# to ERROR without propagation whenever stdout is not the stream it expects.
app = Chalice(app_name=settings.APP_NAME, configure_logs=False)


@app.route("/", methods=["GET"])
def index() -> Response:
    html, headers = index_page()
    return Response(body=html, headers=headers)


@app.route("/contact", methods=["POST"], cors=StageCORSConfig())
@answers_errors
def contact() -> workflow.WorkflowOutput:
    request = app.current_request
    # API Gateway's request id; under `chalice local` the Lambda context's id.
    request_id = request.context.get("requestId") or getattr(app.lambda_context, "aws_request_id", None)
    logger.set_correlation_id(request_id)
    submission = forms.parse_body(request.raw_body)
    return workflow.run(
        submission.to_workflow_input("api"), name=workflow.execution_name(request_id, prefix="api-")
    )


@app.lambda_function(name="generate_ticket_id")
def generate_ticket_id(event: Any, context: Any) -> tickets.TicketIdResult:
    return {"ticketId": tickets.new_ticket_id()}


@app.lambda_function(name="notify_admin")
def notify_admin(event: dict[str, Any], context: Any) -> dict[str, str]:
    notification = notifications.AdminNotification.from_event(event)
    return {"messageId": notifications.notify_admin(notification)}


@app.on_sqs_message(queue=settings.SUBMISSIONS_QUEUE, batch_size=10, name="process_queued_submissions")
def process_queued_submissions(event: SQSEvent) -> dict[str, Any]:
    return consumers.process_queue_batch(event.to_dict(), event.context)


@app.on_cw_event(
    {"source": [settings.EVENT_SOURCE], "detail-type": [settings.SUBMITTED_DETAIL_TYPE]},
    name="process_submission_event",
)
def process_submission_event(event: CloudWatchEvent) -> None:
    consumers.process_submitted_event(event.to_dict(), event.context)
