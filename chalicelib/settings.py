"""Configuration read from the environment when used, never at import.

Chalice sets the environment per stage (and the test client patches it per call), so every
value is looked up at the moment it is needed.
"""
from __future__ import annotations

import os

# Names fixed when the app is declared (decorators run at import); one source of truth.
APP_NAME = "contact-form"
SUBMISSIONS_QUEUE = "contact-form-submissions"
EVENT_SOURCE = "contact-form"
SUBMITTED_DETAIL_TYPE = "Contact Form Submitted"
PROCESSED_DETAIL_TYPE = "Contact Form Processed"
# The tickets table's sparse index of tickets waiting for the digest (deploy/resources.yaml).
DIGEST_INDEX = "digest"
# The digest schedule Chalice declares; deploy/resources.yaml replaces it with the stack parameter.
DEFAULT_DIGEST_INTERVAL_SECONDS = 300
DEFAULT_ADMIN_EMAILS_PER_MINUTE = 10

class MissingSettingError(RuntimeError):
    """A required environment variable is not set."""


class InvalidSettingError(RuntimeError):
    """An environment variable is set to a value the app cannot use."""


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise MissingSettingError(f"environment variable {name} is not set")
    return value


def state_machine_arn() -> str:
    return _required("STATE_MACHINE_ARN")


def tickets_table() -> str:
    return os.environ.get("TICKETS_TABLE") or "contact-form-tickets"


def idempotency_table() -> str:
    return os.environ.get("IDEMPOTENCY_TABLE") or "contact-form-idempotency"


def counters_table() -> str:
    return os.environ.get("COUNTERS_TABLE") or "contact-form-counters"


def admin_emails_per_minute() -> int:
    """Immediate admin emails allowed per minute; the rest wait for the digest (0: all do)."""
    return _whole_number("ADMIN_EMAILS_PER_MINUTE", DEFAULT_ADMIN_EMAILS_PER_MINUTE, minimum=0)


def digest_interval_seconds() -> int:
    """How often the digest runs (it decides when an unfinished digest's claim is stale)."""
    return _whole_number("DIGEST_INTERVAL_SECONDS", DEFAULT_DIGEST_INTERVAL_SECONDS, minimum=1)


def _whole_number(name: str, default: int, *, minimum: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise InvalidSettingError(f"environment variable {name} must be a whole number >= {minimum}")
    return int(value)


def admin_email() -> str:
    return _required("ADMIN_EMAIL")


def sender_email() -> str:
    return _required("SENDER_EMAIL")


def event_bus_name() -> str:
    return os.environ.get("EVENT_BUS_NAME") or "default"


def allowed_origin() -> str:
    return _required("ALLOWED_ORIGIN")


def tracing_enabled() -> bool:
    return os.environ.get("TRACING_ENABLED", "false").strip().lower() == "true"


def trace_header() -> str | None:
    """The X-Ray trace header of the current Lambda invocation, if any."""
    return os.environ.get("_X_AMZN_TRACE_ID") or None


def metrics_namespace() -> str:
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "ContactForm"
