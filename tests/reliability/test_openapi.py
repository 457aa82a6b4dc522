"""Schemathesis over docs/openapi.json: generated requests, every answer checked against the description."""
from __future__ import annotations

from pathlib import Path

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from chalicelib.idempotency import KEY_HEADER
from tests.support.fuzz import TALLY, property_settings
from tests.support.offline_stack import OfflineStack

KEYS_SEEN: set[str | None] = {None}
SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "docs" / "openapi.json")


@SCHEMA.parametrize()
@property_settings
def test_api_answers_as_its_openapi_description_says(case: schemathesis.Case, stack: OfflineStack):
    # GIVEN a request generated from the description (valid, and deliberately invalid)
    # WHEN it is sent to the app
    # (a key generated again for another case meets the first case's record: a 422 there is the
    # contract, not a valid request refused)
    key = (case.headers or {}).get(KEY_HEADER)
    reused = key in KEYS_SEEN
    KEYS_SEEN.add(key)
    response = case.call_and_validate(
        app=stack.wsgi, excluded_checks=[positive_data_acceptance] if reused else None
    )
    TALLY.record(f"schemathesis: {case.operation.label}", response.status_code)
    # THEN every schemathesis check passed (no 5xx, documented status, body and content type)
