"""Schemathesis over docs/openapi.json: generated requests, every answer checked against the description."""
from __future__ import annotations

from pathlib import Path

import schemathesis

from tests.support.fuzz import TALLY, property_settings
from tests.support.offline_stack import OfflineStack

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "docs" / "openapi.json")


@SCHEMA.parametrize()
@property_settings
def test_api_answers_as_its_openapi_description_says(case: schemathesis.Case, stack: OfflineStack):
    # GIVEN a request generated from the description (valid, and deliberately invalid)
    # WHEN it is sent to the app
    response = case.call_and_validate(app=stack.wsgi)
    TALLY.record(f"schemathesis: {case.operation.label}", response.status_code)
    # THEN every schemathesis check passed (no 5xx, documented status, body and content type)
