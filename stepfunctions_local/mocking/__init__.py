"""Mocked service integrations: Step Functions Local's MockConfigFile, unchanged.

Start an execution as ``stateMachineArn#TestCase`` (StartExecution or StartSyncExecution) and the
states its test case names answer from the file instead of calling their resource.
"""
from __future__ import annotations

from stepfunctions_local.mocking.config import (
    MockConfig,
    MockConfigError,
    MockedResponse,
    MockedReturn,
    MockedThrow,
    parse_mock_config,
)
from stepfunctions_local.mocking.interceptor import MockInterceptor, require_test_case, use_mock_config
from stepfunctions_local.mocking.runs import MockedExecution, UnknownTestCase, start_test_case
from stepfunctions_local.mocking.source import (
    ENVIRONMENT_VARIABLE,
    MockConfigFile,
    MockConfigLike,
    MockConfigSource,
    StaticMockConfig,
    environment_source,
    mock_config_source,
)

__all__ = [
    "ENVIRONMENT_VARIABLE", "MockConfig", "MockConfigError", "MockConfigFile", "MockConfigLike", "MockConfigSource",
    "MockInterceptor", "MockedExecution",
    "MockedResponse", "MockedReturn", "MockedThrow", "StaticMockConfig", "UnknownTestCase", "environment_source",
    "mock_config_source", "parse_mock_config", "require_test_case", "start_test_case",
    "use_mock_config",
]
