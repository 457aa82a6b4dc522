"""Structured logs, metrics and (only when enabled) X-Ray tracing.

Nothing here may log customer data: ids, sentiment and lengths only.

Powertools is imported on first use, not with the app: it costs ~10 ms of every Lambda cold
start, also of the functions that never log (generate_ticket_id).
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalicelib import settings

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger


class _FirstUseLogger:
    """Stands for powertools' Logger and builds it on the first attribute asked for."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_powertools_logger(), name)


@functools.cache
def _powertools_logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger(service="contact-form")


logger: Logger = _FirstUseLogger()  # type: ignore[assignment]


def count(name: str, **dimensions: str) -> None:
    """Emit one count metric (EMF, flushed at once so it works from any handler).

    ``single_metric`` prints even when POWERTOOLS_METRICS_DISABLED is set (`make run` sets it to stay quiet).
    """
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        return
    with single_metric(
        name=name, unit=MetricUnit.Count, value=1, namespace=settings.metrics_namespace()
    ) as metric:
        for dimension, value in dimensions.items():
            metric.add_dimension(name=dimension, value=value)


def enable_tracing_if_configured() -> None:
    """Patch boto3 for X-Ray when TRACING_ENABLED is true; otherwise import nothing X-Ray."""
    if settings.tracing_enabled():
        _patch_boto3()


@functools.cache
def _patch_boto3() -> None:
    from aws_xray_sdk.core import patch

    patch(["boto3"])
