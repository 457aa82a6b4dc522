"""ISO-8601 timestamps the way Step Functions writes and reads them."""
from __future__ import annotations

import re
import time
from datetime import datetime

# RFC 3339 profile of ISO-8601 that ASL requires: a date, an uppercase T, a time, a zone.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# Every state entry writes EnteredTime; formatting each millisecond once keeps that cheap (a Map
# iteration of a Pass state takes a few microseconds, so hundreds of entries share one).
_last_millisecond: tuple[int, str] = (-1, "")


def parse_timestamp(text: str) -> float | None:
    """Seconds since the epoch, or None when ``text`` is not an RFC 3339 timestamp."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def format_timestamp(seconds: float) -> str:
    """``2024-01-31T12:00:00.123Z`` (milliseconds, UTC), as in the context object."""
    global _last_millisecond
    total = round(seconds * 1000)
    cached = _last_millisecond
    if cached[0] != total:
        whole, millis = divmod(total, 1000)
        cached = (total, f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(whole))}.{millis:03d}Z")
        _last_millisecond = cached
    return cached[1]
