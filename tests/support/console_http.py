"""GET requests against the local endpoint's console, for the console tests."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from stepfunctions_local import Server


def get(server: Server, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def get_json(server: Server, path: str) -> tuple[int, Any]:
    status, _, body = get(server, path)
    return status, json.loads(body)
