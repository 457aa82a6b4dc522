"""The browser side: the contact form page and the CORS policy of the API."""
from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path

from chalice import CORSConfig

from chalicelib import settings

_INDEX = Path(__file__).with_name("index.html")
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


@functools.cache
def index_page() -> tuple[str, dict[str, str]]:
    """The page and its headers; the CSP allows exactly its own inline script and style."""
    html = _INDEX.read_text(encoding="utf-8")
    allowed: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        allowed[tag].append(f"'sha256-{digest}'")
    policy = (
        f"default-src 'none'; script-src {' '.join(allowed['script'])}; "
        f"style-src {' '.join(allowed['style'])}; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return html, headers


class StageCORSConfig(CORSConfig):
    """CORS for the stage's ALLOWED_ORIGIN only, read per response (settings are per stage)."""

    def get_access_control_headers(self) -> dict[str, str]:
        headers = super().get_access_control_headers()
        headers["Access-Control-Allow-Origin"] = settings.allowed_origin()
        return headers
