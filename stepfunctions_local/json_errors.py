"""Bad JSON worded as AWS's JSON parser (Jackson) words it, for the mistakes the recordings show."""
from __future__ import annotations

import json
import re
from typing import Any

_TOKEN = re.compile(r"[A-Za-z0-9_$]+")


def jackson_problem(error: json.JSONDecodeError) -> tuple[str, int] | None:
    """Jackson's message for ``error`` and the offset it reports it at, or None for a mistake not worded yet."""
    text, pos = error.doc, error.pos
    if error.msg.startswith("Expecting property name") and pos < len(text):
        found = text[pos]
        return (f"Unexpected character ('{found}' (code {ord(found)})): was expecting double-quote to start "
                "field name"), pos + 1
    token = _TOKEN.match(text, pos)
    if error.msg == "Expecting value" and token is not None:
        return (f"Unrecognized token '{token.group()}': was expecting (JSON String, Number, Array, Object or "
                "token 'null', 'true' or 'false')"), token.end()
    return None


def jackson_location(text: str, offset: int) -> str:
    """Where Jackson says it stopped: ``[Source: (String)"..."; line: L, column: C]`` (both from 1)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f'[Source: (String)"{text}"; line: {line}, column: {column}]'


def loads(text: str | bytes) -> Any:
    """``json.loads`` for text a caller sent: nesting deeper than Python's stack is bad JSON too
    (``json.JSONDecodeError``, a ValueError), as Jackson refuses nesting past its own depth limit,
    rather than a RecursionError that would end the request as a server error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("Document nesting depth exceeds the maximum allowed", str(text), 0) from None
