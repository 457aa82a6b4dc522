"""Lambda cold start: `import app` against `import boto3`, and the first boto3 client with X-Ray on and off.

Each figure is timed inside a fresh interpreter (as a new Lambda execution environment starts),
runs alternate between the two sides, and the median is kept. The clock is the process's CPU
time: imports are CPU-bound, and on a shared 2-core machine wall time mostly measures the
neighbours (wall medians are printed beside it). Interpreter start-up itself is excluded:
Lambda pays it whatever the code does. The app is imported from a copy of app.py and chalicelib/
without bytecode caches, as from the zip `chalice package` builds (sources only; Lambda cannot
write caches), so its modules are compiled on every start as there; boto3 comes with its caches, as
the Lambda runtime's does. The environment is Lambda's as far as the code can tell
(``LAMBDA_TASK_ROOT`` makes the X-Ray SDK sample locally, as it does on Lambda); the tracing
figure outside Lambda (e.g. `chalice local` with tracing on) is printed too.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._targets import Target
from localdev.project import PROJECT_DIR

REPEATS = 9
_CLOCKS = "c, w = time.process_time() - c, time.perf_counter() - w; print(c, w)"
_IMPORT = "import time; c, w = time.process_time(), time.perf_counter(); import {module}; " + _CLOCKS
_FIRST_CLIENT = (
    "import time, app; from chalicelib import aws; c, w = time.process_time(), time.perf_counter(); "
    "aws.client('stepfunctions'); " + _CLOCKS
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
    "AWS_LAMBDA_FUNCTION_NAME": "contact-form-dev",
}


def _package(into: Path) -> Path:
    """app.py and chalicelib/ as the Lambda zip holds them: sources, no bytecode caches."""
    shutil.copy2(PROJECT_DIR / "app.py", into / "app.py")
    shutil.copytree(PROJECT_DIR / "chalicelib", into / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def _seconds(code: str, package: Path, **env: str) -> tuple[float, float]:
    """CPU and wall seconds the ``code`` printed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "TRACING_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=package,
        env={**clean, **_LAMBDA_ENV, "PYTHONDONTWRITEBYTECODE": "1", "LAMBDA_TASK_ROOT": str(package), **env},
        capture_output=True, text=True, check=True,
    )
    cpu, wall = result.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


def _alternating(package: Path, *sides: tuple[str, dict]) -> list[tuple[float, float]]:
    """(CPU, wall) median ms of each side over REPEATS fresh interpreters, run in turns."""
    runs: list[list[tuple[float, float]]] = [[] for _ in sides]
    for _ in range(REPEATS):
        for index, (code, env) in enumerate(sides):
            runs[index].append(_seconds(code, package, **env))
    return [(statistics.median(c for c, _ in side) * 1000, statistics.median(w for _, w in side) * 1000)
            for side in runs]


def main() -> list[Target]:
    with tempfile.TemporaryDirectory(prefix="lambda-package-") as directory:
        return _measure(_package(Path(directory)))


def _measure(package: Path) -> list[Target]:
    (app_ms, app_wall), (boto3_ms, boto3_wall) = _alternating(
        package, (_IMPORT.format(module="app"), {}), (_IMPORT.format(module="boto3"), {})
    )
    (traced_ms, traced_wall), (plain_ms, plain_wall), (outside_ms, outside_wall) = _alternating(
        package,
        (_FIRST_CLIENT, {"TRACING_ENABLED": "true"}),
        (_FIRST_CLIENT, {"TRACING_ENABLED": "false"}),
        (_FIRST_CLIENT, {"TRACING_ENABLED": "true", "LAMBDA_TASK_ROOT": ""}),
    )
    print(f"fresh interpreter each, median of {REPEATS}{'CPU ms':>14}{'wall ms':>10}")
    for label, cpu, wall in (
        ("import app", app_ms, app_wall),
        ("import boto3", boto3_ms, boto3_wall),
        ("first client, TRACING_ENABLED=true", traced_ms, traced_wall),
        ("first client, TRACING_ENABLED=false", plain_ms, plain_wall),
        ("first client, tracing on, outside Lambda", outside_ms, outside_wall),
    ):
        print(f"{label:<42}{cpu:>10.1f}{wall:>10.1f}")
    return [
        Target("Lambda cold start: import app / import boto3", f"{app_ms:.1f} ms / {boto3_ms:.1f} ms",
               app_ms / boto3_ms, "<= 1.15"),
        Target("first boto3 client: tracing on / off", f"{traced_ms:.1f} ms / {plain_ms:.1f} ms",
               traced_ms / plain_ms, "<= 1.5", f"outside Lambda: {outside_ms / plain_ms:.2f}x"),
    ]


if __name__ == "__main__":
    from bench._targets import print_targets

    print_targets(main())
