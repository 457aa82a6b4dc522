"""The app's AWS resources in moto, and what the app's stage configuration says."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from chalicelib import settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "000000000000"


def stage_environment(stage: str = "local") -> dict[str, str]:
    """The environment Chalice gives the app's Lambdas in ``stage`` (.chalice/config.json)."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    return {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}


def create_app_resources(sender: str) -> None:
    """Both tables and a verified sender identity, in the active moto mock."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=settings.tickets_table(),
        KeySchema=[{"AttributeName": "ticketId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "ticketId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName=settings.idempotency_table(),
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("ses").verify_email_identity(EmailAddress=sender)


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted so far."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
