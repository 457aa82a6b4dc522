"""Suite-wide fixtures. Sub-suites keep their own fixtures in their own conftest.py."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# The runtime's own pytest plugin (installed packages get it through its pytest11 entry point).
pytest_plugins = ["stepfunctions_local.pytest_plugin"]

# `make fuzz`'s profile. Registered suite-wide, so any generated-input module run alone with
# ``--hypothesis-profile=fuzz`` finds it at start-up (tests/reliability, tests/stepfunctions_local).
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the cores. Much of the suite waits rather than computes
    (stacks starting, the browser, the real-time timeouts of AWS-recorded executions), so a third
    worker on two cores finished the suite in 1 min 53 s against 2 min 19 s with two."""
    return (os.cpu_count() or 1) + 1


_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@pytest.fixture(autouse=True)
def isolated_aws_environment(monkeypatch, tmp_path):
    """No test may reach a real account: dummy credentials, one region, no endpoints from outside."""
    for name in list(os.environ):
        if name in _AWS_VARIABLES or name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


@pytest.fixture
def app_clients() -> Iterator[None]:
    """The app's cached boto3 clients are made afresh for the test (with the endpoints of its time), and after it."""
    from chalicelib import aws

    aws.client.cache_clear()
    yield
    aws.client.cache_clear()
