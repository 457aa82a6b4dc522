"""Lambda cold start: `import app` against `import boto3`, and the first boto3 client with X-Ray on and off.

Each figure is timed inside a fresh interpreter (as a new Lambda execution environment starts),
runs alternate between the two sides so both see the same machine load, and the median is kept.
Interpreter start-up itself is excluded: Lambda pays it whatever the code does.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys

from bench._targets import Target
from localdev.project import PROJECT_DIR

REPEATS = 9
_IMPORT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
_FIRST_CLIENT = (
    "import time, app; from chalicelib import aws; t = time.perf_counter(); aws.client('stepfunctions'); "
    "print(time.perf_counter() - t)"
)
# What the Lambda runtime provides (region, credentials) and what the app's stage sets.
_LAMBDA_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_SERVICE_NAME": "contact-form",
    "POWERTOOLS_METRICS_NAMESPACE": "ContactForm",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
}


def _seconds(code: str, **env: str) -> float:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "TRACING_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env={**clean, **_LAMBDA_ENV, **env},
        capture_output=True, text=True, check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def _alternating(first: tuple[str, dict], second: tuple[str, dict]) -> tuple[float, float]:
    """Median ms of each side over REPEATS fresh interpreters, run in turns."""
    left, right = [], []
    for _ in range(REPEATS):
        left.append(_seconds(first[0], **first[1]) * 1000)
        right.append(_seconds(second[0], **second[1]) * 1000)
    return statistics.median(left), statistics.median(right)


def main() -> list[Target]:
    app_ms, boto3_ms = _alternating((_IMPORT.format(module="app"), {}), (_IMPORT.format(module="boto3"), {}))
    traced_ms, plain_ms = _alternating(
        (_FIRST_CLIENT, {"TRACING_ENABLED": "true"}), (_FIRST_CLIENT, {"TRACING_ENABLED": "false"})
    )
    print(f"fresh interpreter each, median of {REPEATS}")
    print(f"{'import app':<40}{app_ms:>10.1f} ms")
    print(f"{'import boto3':<40}{boto3_ms:>10.1f} ms")
    print(f"{'first client, TRACING_ENABLED=true':<40}{traced_ms:>10.1f} ms")
    print(f"{'first client, TRACING_ENABLED=false':<40}{plain_ms:>10.1f} ms")
    return [
        Target("Lambda cold start: import app / import boto3", f"{app_ms:.1f} ms / {boto3_ms:.1f} ms",
               app_ms / boto3_ms, "<= 1.15"),
        Target("first boto3 client: tracing on / off", f"{traced_ms:.1f} ms / {plain_ms:.1f} ms",
               traced_ms / plain_ms, "<= 1.5"),
    ]


if __name__ == "__main__":
    from bench._targets import print_targets

    print_targets(main())
