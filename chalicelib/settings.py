"""Configuration read from the environment when used, never at import.

Chalice sets the environment per stage (and the test client patches it per call), so every
value is looked up at the moment it is needed.
"""
from __future__ import annotations

import os

from chalicelib import names

# Names fixed when the app is declared (decorators run at import); chalicelib/names.py holds them all.
APP_NAME = names.APP_NAME
SUBMISSIONS_QUEUE = names.SUBMISSIONS_QUEUE
EVENT_SOURCE = names.EVENT_SOURCE
SUBMITTED_DETAIL_TYPE = names.SUBMITTED_DETAIL_TYPE
PROCESSED_DETAIL_TYPE = names.PROCESSED_DETAIL_TYPE
# `chalice local` on its default port. `make run` sets ALLOWED_ORIGIN for the port it uses, and
# each deployed stage from its AllowedOrigin stack parameter (the local stage sets none: Chalice
# would apply it over the environment `make run` passes).
LOCAL_ALLOWED_ORIGIN = "http://localhost:8000"
# The tickets table's sparse index of tickets waiting for the digest (deploy/resources.yaml).
DIGEST_INDEX = names.DIGEST_INDEX
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
    return os.environ.get("TICKETS_TABLE") or names.TICKETS_TABLE


def idempotency_table() -> str:
    return os.environ.get("IDEMPOTENCY_TABLE") or names.IDEMPOTENCY_TABLE


def counters_table() -> str:
    return os.environ.get("COUNTERS_TABLE") or names.COUNTERS_TABLE


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
    return os.environ.get("EVENT_BUS_NAME") or names.EVENT_BUS


def allowed_origin() -> str:
    """The one origin CORS allows: a stack parameter on AWS, `make run`'s own API_PORT locally."""
    return os.environ.get("ALLOWED_ORIGIN") or LOCAL_ALLOWED_ORIGIN


def tracing_enabled() -> bool:
    return os.environ.get("TRACING_ENABLED", "false").strip().lower() == "true"


def trace_header() -> str | None:
    """The X-Ray trace header of the current Lambda invocation, if any."""
    return os.environ.get("_X_AMZN_TRACE_ID") or None


def metrics_namespace() -> str:
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "ContactForm"


def in_lambda() -> bool:
    """True in a Lambda execution environment (the runtime sets the function's name before importing)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
