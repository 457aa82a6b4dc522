"""The local web console: GET / and /console/... on the Step Functions endpoint.

Pages are files in ``static/`` (the workflow picture is laid out by dagre, vendored in
``static/vendor/`` with its licence); data comes from the JSON API in ``api.py``.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from stepfunctions_local.console.api import PREFIX, ConsoleApi
from stepfunctions_local.console.links import LinkProvider, Links, Related
from stepfunctions_local.observability.records import ExecutionStore

if TYPE_CHECKING:
    from stepfunctions_local.service import Runtime

__all__ = ["Console", "LinkProvider", "Related"]

STATIC = Path(__file__).parent / "static"
_STATIC_PREFIX = "/console/static/"
_PAGES = ("/", "/console", "/console/")


class Console:
    def __init__(self, runtime: Runtime, store: ExecutionStore) -> None:
        self.store = store
        self.links = Links()
        self.api = ConsoleApi(runtime, store, self.links)

    def add_links(self, provider: LinkProvider) -> None:
        """Show what ``provider(record)`` names (an app's tickets, emails...) with each execution."""
        self.links.add(provider)

    def get(self, path: str, query: str) -> tuple[int, str, bytes]:
        """(status, Content-Type, body) for a GET."""
        if path in _PAGES:
            return 200, "text/html; charset=utf-8", (STATIC / "index.html").read_bytes()
        if path.startswith(PREFIX):
            status, payload = self.api.handle(path, query)
            return status, "application/json", json.dumps(payload, default=str, ensure_ascii=False).encode()
        if path.startswith(_STATIC_PREFIX):
            found = _static_file(path[len(_STATIC_PREFIX):])
            if found is not None:
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind.endswith("javascript"):
                    kind += "; charset=utf-8"
                return 200, kind, found.read_bytes()
        return 404, "application/json", json.dumps({"error": f"nothing at {path}"}).encode()


def _static_file(relative: str) -> Path | None:
    """A file inside ``static/`` only: no way out through ``..`` or absolute paths."""
    try:
        candidate = (STATIC / relative).resolve()
        if candidate.is_file() and STATIC.resolve() in candidate.parents:
            return candidate
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte: no such file
        pass
    return None
