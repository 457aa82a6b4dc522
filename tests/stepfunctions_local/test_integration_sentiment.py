"""Comprehend DetectSentiment answered offline: VADER by default, or any provider given."""
from __future__ import annotations

import json

import pytest

from stepfunctions_local import Runtime
from stepfunctions_local.integrations.sentiment import vader_sentiment

from .service_support import create, task

DETECT = "arn:aws:states:::aws-sdk:comprehend:detectSentiment"


def _detect(runtime: Runtime, text: str, language: str = "en") -> dict:
    sfn = runtime.client()
    arn = create(sfn, "flow", task(DETECT, {"Text.$": "$.message", "LanguageCode": language}))
    return sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"message": text}))


@pytest.mark.parametrize("text, expected", [
    ("This is bad service", "NEGATIVE"),
    (" This is bad service", "NEGATIVE"),
    ("I love this, great work", "POSITIVE"),
    ("My order number is 12345", "NEUTRAL"),
    ("The package arrived on Tuesday", "NEUTRAL"),
])
def test_vader_labels_match_comprehend_expectations(text, expected):
    # GIVEN the default provider
    # WHEN a message runs through a detectSentiment task
    response = _detect(Runtime(), text)
    # THEN Comprehend's shape comes back with the expected label as the top score
    output = json.loads(response["output"])
    assert output["Sentiment"] == expected
    scores = output["SentimentScore"]
    assert set(scores) == {"Positive", "Negative", "Neutral", "Mixed"}
    assert sum(scores.values()) == pytest.approx(1.0)
    assert max(scores, key=scores.get).upper() == expected


def test_mixed_message_is_mixed():
    # GIVEN a message with strong praise and strong complaint
    # WHEN VADER scores it
    result = vader_sentiment("The food was great but the service was terrible", "en")
    # THEN it is MIXED
    assert result["Sentiment"] == "MIXED"


def test_custom_provider_is_used():
    # GIVEN a provider that always says POSITIVE
    def provider(text, language):
        return {"Sentiment": "POSITIVE",
                "SentimentScore": {"Positive": 1.0, "Negative": 0.0, "Neutral": 0.0, "Mixed": 0.0}}

    # WHEN a negative text is detected
    response = _detect(Runtime(sentiment=provider), "This is bad service")
    # THEN the provider's answer is the task's result
    assert json.loads(response["output"])["Sentiment"] == "POSITIVE"


@pytest.mark.parametrize("text, language, error", [
    ("", "en", "Comprehend.InvalidRequestException"),
    ("é" * 2501, "en", "Comprehend.TextSizeLimitExceededException"),
    ("hello", "xx", "Comprehend.UnsupportedLanguageException"),
])
def test_invalid_requests_fail_like_comprehend(text, language, error):
    # GIVEN a request Comprehend would refuse
    # WHEN it runs
    response = _detect(Runtime(), text, language)
    # THEN the workflow fails with Comprehend's error name
    assert (response["status"], response["error"]) == ("FAILED", error)
    assert "(Service: Comprehend, Status Code: 400, Request ID: " in response["cause"]


def test_text_of_exactly_5000_bytes_is_accepted():
    # GIVEN 5,000 bytes of UTF-8 (2,500 two-byte characters)
    # WHEN it is detected
    response = _detect(Runtime(), "é" * 2500)
    # THEN it is within Comprehend's limit
    assert response["status"] == "SUCCEEDED"
