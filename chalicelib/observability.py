"""Structured logs, metrics and (only when enabled) X-Ray tracing.

Nothing here may log customer data: ids, sentiment and lengths only.
"""
from __future__ import annotations

import functools

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from chalicelib import settings

logger = Logger(service="contact-form")


def count(name: str, **dimensions: str) -> None:
    """Emit one count metric (EMF, flushed at once so it works from any handler).

    ``single_metric`` prints even when POWERTOOLS_METRICS_DISABLED is set (`make run` sets it to stay quiet).
    """
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
