"""Validation of a contact-form submission: raw input -> a typed ``Submission`` or a field error.

The same rules apply to every way in: the REST API body, an SQS message body and the detail of
an EventBridge event. Error reasons never repeat what the customer typed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, TypedDict

MAX_MESSAGE_LENGTH = 5000
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
# Large enough for 5,000 characters that are all \\uXXXX escaped surrogate pairs.
MAX_BODY_BYTES = 128 * 1024

# The page's honeypot: a field people never see or reach, so only a bot fills it in.
HONEYPOT_FIELD = "website"
_FIELDS = ("message", "name", "email", HONEYPOT_FIELD)
# Controls a person cannot type; tab, line feed and carriage return are ordinary text.
_NOT_TYPEABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SAFE_FIELD_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class InvalidSubmissionError(ValueError):
    """A submission broke a rule; ``field`` names the offending field (or ``body``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class SubmissionTooLargeError(InvalidSubmissionError):
    """The raw body is larger than any valid submission can be."""


class WorkflowInput(TypedDict, total=False):
    message: str
    name: str
    email: str
    source: str


@dataclass(frozen=True)
class Submission:
    message: str
    name: str | None = None
    email: str | None = None

    def to_workflow_input(self, source: str) -> WorkflowInput:
        document: WorkflowInput = {"message": self.message, "source": source}
        if self.name is not None:
            document["name"] = self.name
        if self.email is not None:
            document["email"] = self.email
        return document


def parse_body(raw: bytes | str | None) -> Submission:
    """Validate a raw JSON document (HTTP body, SQS message body)."""
    if raw is None or len(raw) == 0:
        raise InvalidSubmissionError("body", "a JSON object is required")
    if len(raw) > MAX_BODY_BYTES:
        raise SubmissionTooLargeError("body", f"larger than {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(raw, object_pairs_hook=_reject_duplicate_keys)
    except InvalidSubmissionError:
        raise
    except RecursionError:
        raise InvalidSubmissionError("body", "nested too deeply") from None
    except (ValueError, TypeError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidSubmissionError("body", "not valid JSON") from None
    return parse_submission(document)


def parse_submission(document: Any) -> Submission:
    """Validate an already decoded document (EventBridge detail, tests)."""
    if not isinstance(document, Mapping):
        raise InvalidSubmissionError("body", "must be a JSON object")
    for key in document:
        if key not in _FIELDS:
            field = key if isinstance(key, str) and _SAFE_FIELD_NAME.fullmatch(key) else "body"
            raise InvalidSubmissionError(field, "unknown field")
    if document.get(HONEYPOT_FIELD) not in (None, ""):
        raise InvalidSubmissionError(HONEYPOT_FIELD, "must be left empty")
    message = _text(document, "message")
    if not message:
        raise InvalidSubmissionError("message", "is required")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise InvalidSubmissionError("message", f"must be at most {MAX_MESSAGE_LENGTH} characters")
    name = _text(document, "name") or None
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise InvalidSubmissionError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    email = _text(document, "email") or None
    if email is not None and len(email) > MAX_EMAIL_LENGTH:
        raise InvalidSubmissionError("email", f"must be at most {MAX_EMAIL_LENGTH} characters")
    if email is not None and not is_valid_email(email):
        raise InvalidSubmissionError("email", "not a valid email address")
    return Submission(message=message, name=name, email=email)


def is_valid_email(value: str) -> bool:
    """A plain ``local@domain.tld`` address: no spaces, quotes or line breaks (safe in a header)."""
    return len(value) <= MAX_EMAIL_LENGTH and _EMAIL.fullmatch(value) is not None


def _text(document: Mapping[str, Any], field: str) -> str | None:
    """The trimmed text of an optional string field; JSON null means absent."""
    value = document.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidSubmissionError(field, "must be a string")
    if _NOT_TYPEABLE.search(value):
        raise InvalidSubmissionError(field, "contains characters that are not text")
    return value.strip()


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise InvalidSubmissionError("body", "a field appears more than once")
    return document
