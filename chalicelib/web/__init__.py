"""The browser side: the contact form page and the CORS policy of the API."""
from __future__ import annotations

import functools
from pathlib import Path

from chalice import CORSConfig

from chalicelib import settings

_INDEX = Path(__file__).with_name("index.html")
# The page loads nothing from elsewhere; only same-origin fetches are allowed.
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def index_html() -> str:
    return _INDEX.read_text(encoding="utf-8")


class StageCORSConfig(CORSConfig):
    """CORS for the stage's ALLOWED_ORIGIN only, read per response (settings are per stage)."""

    def get_access_control_headers(self) -> dict[str, str]:
        headers = super().get_access_control_headers()
        headers["Access-Control-Allow-Origin"] = settings.allowed_origin()
        return headers
