"""Sample events as JSON files, loaded by name (powertools style)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent


def load_event(name: str) -> Any:
    """The parsed content of ``tests/events/<name>.json`` (a fresh copy each call)."""
    return json.loads((_HERE / f"{name}.json").read_text(encoding="utf-8"))
