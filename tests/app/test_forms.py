"""chalicelib.forms on its own: the rules every way in shares."""
from __future__ import annotations

import pytest

from chalicelib import forms


class TestEmailAddress:
    @pytest.mark.parametrize("address", [
        "ada@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie", "x@a-b.io",
    ])
    def test_ordinary_addresses_are_valid(self, address):
        assert forms.is_valid_email(address)

    @pytest.mark.parametrize("address", [
        "plainaddress", "@example.com", "a@", "a b@example.com", "a@b", "a@@b.com", "a.@example.com",
        "a@-example.com", "a@example.com\r\nBcc: b@example.com", '"a b"@example.com', "a@[127.0.0.1]",
        "Ada <ada@example.com>", "a" * 250 + "@example.com",
    ])
    def test_anything_that_could_break_a_header_is_invalid(self, address):
        assert not forms.is_valid_email(address)


class TestSubmission:
    def test_workflow_input_leaves_out_absent_fields(self):
        # GIVEN a submission with only a message
        submission = forms.parse_submission({"message": " hi ", "name": "  ", "email": None})
        # WHEN it becomes the workflow's input
        document = submission.to_workflow_input("sqs")
        # THEN blank and null optional fields are absent, and the way in is named
        assert document == {"message": "hi", "source": "sqs"}

    def test_raw_body_may_be_bytes_or_text(self):
        assert forms.parse_body(b'{"message": "hi"}') == forms.parse_body('{"message": "hi"}')

    def test_oversized_body_is_its_own_error(self):
        with pytest.raises(forms.SubmissionTooLargeError):
            forms.parse_body(b" " * (forms.MAX_BODY_BYTES + 1))

    def test_field_error_says_which_field_and_why(self):
        with pytest.raises(forms.InvalidSubmissionError) as refusal:
            forms.parse_submission({"message": "hi", "name": "n" * 201})
        assert (refusal.value.field, str(refusal.value)) == ("name", "name: must be at most 200 characters")
