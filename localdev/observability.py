"""What `make run` adds to the local Step Functions for issue 11's console and CloudWatch offline.

The machines log as the deploy template says (ERROR, no execution data, to
``/aws/vendedlogs/states/<name>``); metrics and logs go to the embedded AWS; each finished
execution prints one line; the console links an execution to the ticket and email it produced.
"""
from __future__ import annotations

import json
import logging
import os
import re
from typing import Any
from urllib.parse import urlsplit

from localdev import aws, report
from localdev.project import LocalSettings

logger = logging.getLogger("localdev")

_TICKET_ID = re.compile(r'"ticketId"\s*:\s*"([^"\\]{1,100})"')
_TICKET_FIELDS = ("ticketId", "sentiment", "sentimentSource", "status", "notificationStatus", "source", "createdAt")


def log_group_name(machine_name: str) -> str:
    return f"/aws/vendedlogs/states/{machine_name}"


def logging_configuration(machine_name: str) -> dict[str, Any]:
    """The deploy template's LoggingConfiguration (deploy/resources.yaml) for a machine."""
    group_arn = f"arn:aws:logs:{aws.REGION}:{aws.ACCOUNT_ID}:log-group:{log_group_name(machine_name)}:*"
    return {"level": "ERROR", "includeExecutionData": False,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]}


def attach(server: Any, settings: LocalSettings, machine_names: list[str]) -> None:
    """Log groups in the embedded AWS, metrics and logs published there, terminal lines, console links."""
    from stepfunctions_local.observability import TerminalSummary, exporters_from_environment

    aws_port = _aws_port()
    logs = aws.client("logs", aws_port)
    for name in machine_names:
        try:
            logs.create_log_group(logGroupName=log_group_name(name))
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
    server.recorder.add(TerminalSummary(), *exporters_from_environment(aws.REGION))
    server.console.add_links(lambda record: related(record, settings, aws_port))


def related(record: Any, settings: LocalSettings, aws_port: int) -> list[dict[str, str]]:
    """The ticket an execution recorded and the emails that name it, read from the embedded AWS."""
    found = _TICKET_ID.search(" ".join([record.output or "", *(_outputs(record.events))]))
    if found is None:
        return []
    ticket_id = found.group(1)
    dashboard = f"{aws.endpoint(aws_port, host='localhost')}/moto-api/"
    item = aws.client("dynamodb", aws_port).get_item(
        TableName=settings.tickets_table, Key={"ticketId": {"S": ticket_id}}).get("Item")
    if item is None:
        items = [{"title": f"Ticket {ticket_id}: not in {settings.tickets_table}"}]
    else:
        # The ticket's state, not what the customer wrote.
        shown = {key: next(iter(item[key].values())) for key in _TICKET_FIELDS if key in item}
        items = [{"title": f"Ticket {ticket_id}", "href": dashboard, "text": json.dumps(shown, indent=2)}]
    for email in report.emails(aws_port):
        text = report.format_emails([email])
        if ticket_id in text:
            subject = str(email.get("subject") or "raw message")
            items.append({"title": f"Email: {subject}", "href": dashboard, "text": text.rsplit("\n----", 1)[0]})
    return items


def _outputs(events: list[dict]) -> list[str]:
    return [event["stateExitedEventDetails"].get("output", "") for event in events
            if "stateExitedEventDetails" in event]


def _aws_port() -> int:
    port = urlsplit(os.environ.get("AWS_ENDPOINT_URL", "")).port
    if port is None:
        raise RuntimeError("AWS_ENDPOINT_URL names no port; localdev sets it before starting Step Functions")
    return port
