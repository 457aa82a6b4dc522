"""`serve` with SFN_MOCK_CONFIG: a broken file is reported, then fixed while serving; the AWS CLI
starts `arn#TestCase` unchanged."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from .service_support import ROLE_ARN, definition

ROOT = Path(__file__).resolve().parents[2]
MOCKS = {
    "StateMachines": {"cli-flow": {"TestCases": {"Mocked": {"Call": "Answer"}}}},
    "MockedResponses": {"Answer": {"0": {"Return": {"StatusCode": 200, "Payload": {"from": "mock"}}}}},
}


@pytest.fixture
def broken_mock_file(tmp_path: Path) -> Path:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps({**MOCKS, "MockedResponses": {"Answer": {"zero": {"Return": 1}}}}))
    return path


def test_a_broken_file_is_reported_then_fixed_without_a_restart(broken_mock_file: Path):
    # GIVEN serve started with SFN_MOCK_CONFIG naming a file with a bad invocation key
    process = subprocess.Popen([sys.executable, "-m", "stepfunctions_local", "serve", "--port", "0"], cwd=ROOT,
                               env={**os.environ, "SFN_MOCK_CONFIG": str(broken_mock_file)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        warning = process.stderr.readline()
        endpoint = re.search(r"listening on (\S+)", process.stdout.readline()).group(1)
        # THEN it says which key is wrong, and serves anyway
        assert "MockedResponses.Answer.zero: invocation key must be a zero-based number" in warning
        sfn = boto3.client("stepfunctions", endpoint_url=endpoint, config=Config(inject_host_prefix=False))
        text = definition({"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                    "Parameters": {"FunctionName": "nobody"}, "OutputPath": "$.Payload",
                                    "End": True}})
        arn = sfn.create_state_machine(name="cli-flow", definition=text, roleArn=ROLE_ARN,
                                       type="EXPRESS")["stateMachineArn"]
        # WHEN a test case starts while the file is broken THEN it is refused, naming the key
        with pytest.raises(ClientError) as refused:
            sfn.start_sync_execution(stateMachineArn=f"{arn}#Mocked")
        assert refused.value.response["Error"]["Code"] == "InvalidName"
        assert "MockedResponses.Answer.zero" in refused.value.response["Error"]["Message"]
        # WHEN the file is fixed, and the AWS CLI starts the test case
        broken_mock_file.write_text(json.dumps(MOCKS))
        done = subprocess.run(
            [str(Path(sys.executable).with_name("aws")), "stepfunctions", "start-sync-execution",
             "--state-machine-arn", f"{arn}#Mocked", "--endpoint-url", endpoint, "--output", "json"],
            env={**os.environ, "AWS_DISABLE_HOST_PREFIX_INJECTION": "true", "AWS_PAGER": ""},
            capture_output=True, text=True, timeout=60)
        # THEN the mock answers (no real Lambda "nobody" exists)
        assert done.returncode == 0, done.stderr
        assert json.loads(json.loads(done.stdout)["output"]) == {"from": "mock"}
    finally:
        process.terminate()
        process.wait(timeout=10)
