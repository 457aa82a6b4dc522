"""pytest fixtures for testing Step Functions workflows offline with stepfunctions_local.

Installed with the package (entry point ``pytest11``), so a project only writes tests::

    def test_order_is_retried(sfn_local):
        sfn_local.register({"charge": charge_handler})
        arn = sfn_local.create("orders", "statemachine/orders.asl.json",
                               substitutions={"ChargeFunctionName": "charge"})
        sfn_local.mock({"StateMachines": {...}, "MockedResponses": {...}})
        report = sfn_local.run(arn, {"orderId": "1"}, test_case="ChargeThrottledTwice")
        report.assert_succeeded()
        assert report.retries("Charge") == 2

Fixtures: ``sfn_clock`` (a ManualClock: waits and retry back-offs cost no time), ``sfn_runtime``,
``sfn_client`` (boto3's Step Functions method names, arguments and errors) and ``sfn_local``
(:class:`stepfunctions_local.testing.LocalStepFunctions`). The ini option ``sfn_mock_config``
names a MockConfigFile (relative to the rootdir) that every ``sfn_local`` starts with.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from stepfunctions_local.client import Client
from stepfunctions_local.clock import ManualClock
from stepfunctions_local.service import Runtime
from stepfunctions_local.testing import LocalStepFunctions

_MOCK_CONFIG_OPTION = "sfn_mock_config"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(_MOCK_CONFIG_OPTION, "MockConfigFile (relative to the rootdir) that each sfn_local fixture uses",
                  default="")


@pytest.fixture
def sfn_clock() -> ManualClock:
    """Time that moves only when a workflow waits: Wait states and Retry intervals are instant."""
    return ManualClock()


@pytest.fixture
def sfn_runtime(sfn_clock: ManualClock) -> Runtime:
    """A fresh, empty runtime on ``sfn_clock``."""
    return Runtime(clock=sfn_clock)


@pytest.fixture
def sfn_client(sfn_runtime: Runtime) -> Client:
    """``boto3.client("stepfunctions")``'s interface, answered by ``sfn_runtime``."""
    return sfn_runtime.client()


@pytest.fixture
def sfn_local(sfn_runtime: Runtime, pytestconfig: pytest.Config) -> LocalStepFunctions:
    """Register handlers, create machines from ASL files, mock states, run executions, assert on them."""
    local = LocalStepFunctions(sfn_runtime)
    configured = pytestconfig.getini(_MOCK_CONFIG_OPTION)
    if configured:
        local.mock(Path(pytestconfig.rootpath) / configured)
    return local
