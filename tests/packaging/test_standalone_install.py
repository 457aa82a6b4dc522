"""stepfunctions_local installed alone into a clean virtualenv, and used there as another project would.

Builds the package from ``packaging/stepfunctions-local`` (a copy, so the checkout stays clean),
installs it into a new venv without this project's packages (from the wheelhouse `make install`
fills: no network),
then runs the README's quick start, a pytest file using the plugin, and ``serve`` with plain
handlers and a MockConfigFile that is edited while it runs.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
import venv
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.support.aws_resources import PROJECT_DIR

WHEELHOUSE = PROJECT_DIR / ".venv" / "wheelhouse"

HANDLERS = '''
def make_id(event, context):
    return {"id": "T-" + event["name"].upper()}
'''
FLOW = {
    "StartAt": "Make id",
    "States": {"Make id": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${MakeIdName}", "Payload.$": "$"},
        "ResultSelector": {"id.$": "$.Payload.id"},
        "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
        "End": True,
    }},
}
MOCKS = {
    "StateMachines": {"flow": {"TestCases": {"Throttled": {"Make id": "ThrottledOnce"}}}},
    "MockedResponses": {"ThrottledOnce": {
        "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
        "1": {"Return": {"StatusCode": 200, "Payload": {"id": "T-MOCK"}}},
    }},
}
PLUGIN_TEST = '''
from handlers import make_id


def test_retry_then_mocked_answer(sfn_local):
    sfn_local.register({"make-id": make_id})
    arn = sfn_local.create("flow", "flow.asl.json", substitutions={"MakeIdName": "make-id"})
    sfn_local.mock("mock.json")
    report = sfn_local.run(arn, {"name": "ada"}, test_case="Throttled")
    report.assert_succeeded({"id": "T-MOCK"})
    assert report.retries("Make id") == 1
    assert report.states_entered == ["Make id"]


def test_real_handler_without_a_test_case(sfn_local, sfn_clock):
    sfn_local.register({"make-id": make_id})
    arn = sfn_local.create("flow", "flow.asl.json", substitutions={"MakeIdName": "make-id"}, type="STANDARD")
    sfn_local.run(arn, {"name": "bob"}).assert_succeeded({"id": "T-BOB"})
'''


def run(command: list[str], cwd: Path, timeout: float = 120) -> str:
    finished = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert finished.returncode == 0, f"{command}\n{finished.stdout}\n{finished.stderr}"
    return finished.stdout


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # GIVEN the package built from a copy of the repository's layout, in a venv without our packages
    root = tmp_path_factory.mktemp("standalone")
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    shutil.copytree(PROJECT_DIR / "stepfunctions_local", root / "src" / "stepfunctions_local", ignore=ignore)
    shutil.copytree(PROJECT_DIR / "packaging", root / "src" / "packaging", ignore=ignore)
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    assert WHEELHOUSE.is_dir(), f"{WHEELHOUSE} is missing: run `make install`"
    run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(WHEELHOUSE),
         str(root / "src" / "packaging" / "stepfunctions-local"), "pytest"], cwd=root, timeout=300)
    return root


@pytest.fixture(scope="module")
def project(clean_venv: Path) -> Path:
    """A project that is not this one: plain handlers, an ASL file with ${...}, a MockConfigFile."""
    directory = clean_venv / "project"
    directory.mkdir()
    (directory / "handlers.py").write_text(HANDLERS)
    (directory / "flow.asl.json").write_text(json.dumps(FLOW))
    (directory / "mock.json").write_text(json.dumps(MOCKS))
    (directory / "test_flow.py").write_text(PLUGIN_TEST)
    return directory


def python_of(clean_venv: Path) -> str:
    return str(clean_venv / "venv" / "bin" / "python")


def test_the_package_stands_alone(clean_venv: Path, project: Path):
    # WHEN the venv's Python looks for this project's modules THEN only the runtime is there
    found = run([python_of(clean_venv), "-c", "import importlib.util as u; "
                 "print([m for m in ('stepfunctions_local', 'chalice', 'moto', 'chalicelib') if u.find_spec(m)])"],
                cwd=project)
    assert found.strip() == "['stepfunctions_local']"
    assert "serve" in run([str(clean_venv / "venv" / "bin" / "stepfunctions-local"), "--help"], cwd=project)


def test_the_readme_quick_start_runs_as_written(clean_venv: Path, project: Path):
    # GIVEN the first Python block of the README's quick start
    readme = (PROJECT_DIR / "stepfunctions_local" / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", quick_start, re.DOTALL).group(1)
    (project / "quick_start.py").write_text(code)
    # WHEN it runs in the clean venv THEN its own assertion holds
    run([python_of(clean_venv), "quick_start.py"], cwd=project)


def test_the_pytest_plugin_is_found_through_its_entry_point(clean_venv: Path, project: Path):
    # WHEN pytest runs a test file that only names the fixtures
    output = run([python_of(clean_venv), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_flow.py"],
                 cwd=project)
    # THEN both tests pass (the mocked retry and the real handler)
    assert "2 passed" in output, output


def test_serve_with_plain_handlers_and_an_edited_mock_file(clean_venv: Path, project: Path):
    # GIVEN the endpoint serving a plain handler, with the mock file
    server = subprocess.Popen(
        [python_of(clean_venv), "-m", "stepfunctions_local", "serve", "--port", "0",
         "--lambda", "make-id=handlers:make_id", "--mock-config", "mock.json"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert "listening on" in line, line + server.stderr.read()
        endpoint = re.search(r"listening on (\S+)", line).group(1)
        # The console's page and script ship with the package.
        with urllib.request.urlopen(f"{endpoint}/") as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                           config=Config(inject_host_prefix=False))
        definition = (project / "flow.asl.json").read_text().replace("${MakeIdName}", "make-id")
        arn = sfn.create_state_machine(name="flow", definition=definition, type="EXPRESS",
                                       roleArn="arn:aws:iam::000000000000:role/flow")["stateMachineArn"]
        # WHEN it runs without, then with, the test case
        real = sfn.start_sync_execution(stateMachineArn=arn, input='{"name": "ada"}')
        mocked = sfn.start_sync_execution(stateMachineArn=f"{arn}#Throttled", input='{"name": "ada"}')
        # THEN the handler answers the first, the mock the second
        assert json.loads(real["output"]) == {"id": "T-ADA"}
        assert json.loads(mocked["output"]) == {"id": "T-MOCK"}
        # WHEN the file is edited while the server runs
        edited = json.loads(json.dumps(MOCKS))
        edited["MockedResponses"]["ThrottledOnce"]["1"]["Return"]["Payload"]["id"] = "T-EDITED"
        (project / "mock.json").write_text(json.dumps(edited, indent=1))
        again = sfn.start_sync_execution(stateMachineArn=f"{arn}#Throttled", input='{"name": "ada"}')
        # THEN the next execution uses the edit
        assert json.loads(again["output"]) == {"id": "T-EDITED"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        (project / "mock.json").write_text(json.dumps(MOCKS))

