"""`make tickets` / `make emails`: what the running stack recorded, read from the embedded services."""
from __future__ import annotations

import json
import urllib.request
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from localdev import aws
from localdev.project import LocalSettings, stage_environment


def tickets(aws_port: int) -> list[dict[str, Any]]:
    """Every item of the tickets table, as plain JSON values."""
    table = LocalSettings.from_environment(stage_environment()).tickets_table
    paginator = aws.client("dynamodb", aws_port).get_paginator("scan")
    deserialize = TypeDeserializer().deserialize
    return [
        {name: deserialize(value) for name, value in item.items()}
        for page in paginator.paginate(TableName=table)
        for item in page["Items"]
    ]


def emails(aws_port: int) -> list[dict[str, Any]]:
    """Every message sent through SES (v1 and v2), as moto keeps them."""
    with urllib.request.urlopen(f"{aws.endpoint(aws_port)}/moto-api/data.json", timeout=10) as response:
        ses = json.load(response).get("ses", {})
    return [*ses.get("Message", []), *ses.get("RawMessage", []), *ses.get("TemplateMessage", [])]


def format_tickets(items: list[dict[str, Any]]) -> str:
    """One JSON line a ticket, oldest first."""
    ordered = sorted(items, key=lambda item: str(item.get("createdAt", "")))
    lines = [json.dumps(item, default=_number, ensure_ascii=False, sort_keys=True) for item in ordered]
    return "\n".join([*lines, f"{len(items)} ticket(s)"])


def _number(value: Any) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def format_emails(messages: list[dict[str, Any]]) -> str:
    blocks = []
    for message in messages:
        to = ", ".join(_recipients(message.get("destinations") or []))
        if "raw_data" in message:
            blocks.append(f"From: {message.get('source')}\nTo: {to}\n\n{message['raw_data']}")
        else:
            blocks.append(
                f"From: {message.get('source')}\nTo: {to}\nSubject: {message.get('subject', '')}\n\n"
                f"{message.get('body', message.get('template_data', ''))}"
            )
    return "\n\n".join([*(f"{block}\n----" for block in blocks), f"{len(messages)} email(s) sent"])


def _recipients(destinations: dict[str, list[str]] | list[str]) -> list[str]:
    # moto keeps {"ToAddresses": [...], ...} for formatted messages and a plain list for raw ones.
    if isinstance(destinations, dict):
        return [address for addresses in destinations.values() for address in addresses]
    return list(destinations)
