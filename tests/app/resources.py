"""The app's AWS resources in moto, and what the app's stage configuration says."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from chalicelib import settings
from localdev.tables import create_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "000000000000"


def stage_environment(stage: str = "local") -> dict[str, str]:
    """The environment Chalice gives the app's Lambdas in ``stage`` (.chalice/config.json)."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    return {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}


def create_app_resources(sender: str) -> None:
    """The app's tables and a verified sender identity, in the active moto mock."""
    create_tables(
        boto3.client("dynamodb"), tickets=settings.tickets_table(), idempotency=settings.idempotency_table(),
        counters=settings.counters_table(),
    )
    boto3.client("ses").verify_email_identity(EmailAddress=sender)


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted so far."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
