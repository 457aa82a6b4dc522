"""The pytest plugin as another project meets it: fixtures by name, and the ``sfn_mock_config`` ini option."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROJECT_TEST = '''
import json


def test_the_ini_mock_file_answers_and_the_clock_is_manual(sfn_local, sfn_clock, sfn_client):
    arn = sfn_local.create("flow", {"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:absent", "End": True}}})
    report = sfn_local.run(arn, {}, test_case="FromIni")
    report.assert_succeeded({"from": "ini"})
    report.assert_states_entered("Pause", "Call")
    assert sfn_clock.sleeps == [60]
    assert sfn_client.list_state_machines()["stateMachines"][0]["name"] == "flow"
'''


def test_a_project_gets_the_fixtures_and_its_ini_mock_file(tmp_path: Path):
    # GIVEN a project naming a MockConfigFile in its pytest ini, and a test using only the fixtures
    (tmp_path / "pytest.ini").write_text("[pytest]\nsfn_mock_config = mocks/MockConfigFile.json\n")
    (tmp_path / "mocks").mkdir()
    (tmp_path / "mocks" / "MockConfigFile.json").write_text(json.dumps({
        "StateMachines": {"flow": {"TestCases": {"FromIni": {"Call": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"StatusCode": 200, "Payload": {"from": "ini"}}}}},
    }))
    (tmp_path / "test_flow.py").write_text(PROJECT_TEST)
    # WHEN pytest runs there with the plugin (an installed package loads it by its entry point)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "stepfunctions_local.pytest_plugin",
                           "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "test_flow.py"],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    # THEN the test passes: the Wait cost no time and the Lambda (which does not exist) was mocked
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
