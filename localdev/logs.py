"""One log format for every line `make run` prints, quiet unless ``LOG_LEVEL`` asks for more.

The app logs JSON through Powertools; localdev, the local Step Functions, moto and botocore log
through the same formatter, so every log line is one JSON object. Default WARNING: no per-request
lines, no botocore "Found credentials", no metrics (EMF) lines. ``LOG_LEVEL=INFO`` shows requests
and deliveries; ``LOG_LEVEL=DEBUG`` shows everything, botocore's and the metrics included.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

DEFAULT_LEVEL = "WARNING"
# Libraries that log at INFO on every call; they speak only at DEBUG.
_CHATTY = ("botocore", "boto3", "urllib3", "werkzeug", "moto")


def level_name(env: Mapping[str, str] = os.environ) -> str:
    """LOG_LEVEL as a logging level name; an unknown value falls back to the default."""
    name = env.get("LOG_LEVEL", "").strip().upper() or DEFAULT_LEVEL
    return name if isinstance(logging.getLevelName(name), int) else DEFAULT_LEVEL


def child_environment(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """What the app needs in its environment for the same level (Powertools reads LOG_LEVEL)."""
    name = level_name(env)
    return {"LOG_LEVEL": name, "POWERTOOLS_METRICS_DISABLED": "false" if name == "DEBUG" else "true"}


def configure(env: Mapping[str, str] = os.environ) -> None:
    """Root logger to stdout in Powertools' JSON shape at LOG_LEVEL."""
    level = logging.getLevelName(level_name(env))
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LambdaPowertoolsFormatter(service="localdev"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
