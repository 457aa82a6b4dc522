"""The app's AWS resources in moto, and what the app's stage configuration says."""
from __future__ import annotations

from typing import Any

import boto3

from chalicelib import settings
from localdev.aws import ACCOUNT_ID
from localdev.project import PROJECT_DIR, stage_environment
from localdev.tables import create_tables

__all__ = ["ACCOUNT_ID", "PROJECT_DIR", "create_app_resources", "sent_emails", "stage_environment"]


def create_app_resources(sender: str) -> None:
    """The app's tables and a verified sender identity, in the active moto mock."""
    create_tables(
        boto3.client("dynamodb"), tickets=settings.tickets_table(), idempotency=settings.idempotency_table(),
        counters=settings.counters_table(),
    )
    boto3.client("ses").verify_email_identity(EmailAddress=sender)


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted so far (in-process mocks answer for moto's default account)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
