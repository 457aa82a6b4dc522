"""Comprehend DetectSentiment offline: a pluggable provider, VADER by default."""
from __future__ import annotations

import functools
import uuid
from typing import TYPE_CHECKING, Callable, NoReturn, TypedDict

from stepfunctions_local.exceptions import StatesError


class SentimentScore(TypedDict):
    Positive: float
    Negative: float
    Neutral: float
    Mixed: float


class DetectSentimentResponse(TypedDict):
    Sentiment: str
    SentimentScore: SentimentScore


SentimentProvider = Callable[[str, str], DetectSentimentResponse]

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

MAX_TEXT_BYTES = 5000
LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"})
# Wider than VADER's suggested +-0.05 so mild wording stays NEUTRAL, as it does in Comprehend.
_POSITIVE, _NEGATIVE = 0.1, -0.1
# Both tones clearly present and neither winning outright.
_MIXED_SHARE, _MIXED_COMPOUND = 0.15, 0.5


@functools.lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # an optional extra: say how to get it, instead of a bare ModuleNotFoundError
        raise StatesError("States.Runtime", "Offline DetectSentiment needs VADER: pip install "
                          "'stepfunctions-local[sentiment]', or pass Runtime(sentiment=...)") from None
    return SentimentIntensityAnalyzer()


def vader_sentiment(text: str, language_code: str) -> DetectSentimentResponse:
    """VADER's scores mapped onto Comprehend's shape; the named sentiment has the highest score."""
    scores = _analyzer().polarity_scores(text)
    positive, negative, neutral, compound = scores["pos"], scores["neg"], scores["neu"], scores["compound"]
    raw = {"Positive": positive, "Negative": negative, "Neutral": neutral, "Mixed": min(positive, negative)}
    if positive >= _MIXED_SHARE and negative >= _MIXED_SHARE and abs(compound) < _MIXED_COMPOUND:
        label = "Mixed"
    elif compound >= _POSITIVE:
        label = "Positive"
    elif compound <= _NEGATIVE:
        label = "Negative"
    else:
        label = "Neutral"
    raw[label] += max(raw.values()) + abs(compound)
    total = sum(raw.values())
    normalised: SentimentScore = {"Positive": raw["Positive"] / total, "Negative": raw["Negative"] / total,
                                  "Neutral": raw["Neutral"] / total, "Mixed": raw["Mixed"] / total}
    return {"Sentiment": label.upper(), "SentimentScore": normalised}


def detect_sentiment(provider: SentimentProvider, parameters: dict) -> DetectSentimentResponse:
    """``aws-sdk:comprehend:detectSentiment`` with Comprehend's request validation."""
    text = parameters.get("Text")
    language = parameters.get("LanguageCode")
    if not isinstance(text, str) or not text:
        _fail("InvalidRequestException", "Text is required and must be a non-empty string")
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        _fail("TextSizeLimitExceededException",
              f"Input text size exceeds limit. Max length of request text allowed is {MAX_TEXT_BYTES} bytes "
              f"while in this request the text size is {size} bytes")
    if language not in LANGUAGES:
        _fail("UnsupportedLanguageException", f"Language code '{language}' is not supported")
    return provider(text, language)


def _fail(code: str, message: str) -> NoReturn:
    raise StatesError(f"Comprehend.{code}",
                      f"{message} (Service: Comprehend, Status Code: 400, Request ID: {uuid.uuid4()})")
