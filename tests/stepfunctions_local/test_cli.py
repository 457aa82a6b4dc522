"""`python -m stepfunctions_local serve` and the AWS CLI against it, in subprocesses."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .service_support import ROLE_ARN, definition

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def endpoint(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "stepfunctions_local", "serve", "--host", "127.0.0.1",
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    yield line.strip().rsplit(" ", 1)[-1]
    process.terminate()
    process.wait(timeout=10)


def _aws(endpoint: str, *args: str) -> dict:
    env = {**os.environ, "AWS_DISABLE_HOST_PREFIX_INJECTION": "true", "AWS_PAGER": ""}
    aws = Path(sys.executable).with_name("aws")
    done = subprocess.run([str(aws), "stepfunctions", *args, "--endpoint-url", endpoint, "--output", "json"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_serve_prints_url_and_aws_cli_runs_sync_execution(endpoint):
    # GIVEN the server started from the command line, and an Express machine created with the CLI
    assert endpoint.startswith("http://127.0.0.1:")
    text = definition({"Hello": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
                                 "End": True}})
    arn = _aws(endpoint, "create-state-machine", "--name", "cli-flow", "--definition", text,
               "--role-arn", ROLE_ARN, "--type", "EXPRESS")["stateMachineArn"]
    # WHEN `aws stepfunctions start-sync-execution` runs it
    result = _aws(endpoint, "start-sync-execution", "--state-machine-arn", arn, "--input", '{"who": "CLI"}')
    # THEN the CLI prints AWS's response
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"greeting": "hi CLI"}
