"""`SFN_MOCK_CONFIG=... make run`: MockConfigFile test cases on the running stack, edits picked up live."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib import names
from localdev.harness import StackProcess, start_stack
from localdev.offline import state_machine_arn
from localdev.project import PROJECT_DIR
from tests.support.stack_helpers import client, marker, tickets_mentioning

EXAMPLE = PROJECT_DIR / "statemachine" / "mocks" / "contact_form.mock.json"
CASE = "RealServicesPositiveSentiment"


@pytest.fixture(scope="module")
def mock_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mocks") / "contact_form.mock.json"
    shutil.copyfile(EXAMPLE, path)
    return path


@pytest.fixture(scope="module")
def mocked_stack(mock_file: Path) -> Iterator[StackProcess]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SFN_MOCK_CONFIG", str(mock_file))
        stack = start_stack()
    try:
        yield stack
    finally:
        stack.stop()


def run_case(stack: StackProcess, case: str, message: str) -> dict:
    sfn = client(stack, "stepfunctions")
    arn = f"{state_machine_arn(names.EXPRESS_STATE_MACHINE)}#{case}"
    answer = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"message": message}))
    assert answer["status"] == "SUCCEEDED", answer
    return json.loads(answer["output"])


def test_test_case_mocks_its_states_and_the_rest_run_for_real(mocked_stack):
    # GIVEN make run with the example MockConfigFile, whose case mocks only sentiment as POSITIVE
    text = marker()
    # WHEN an unhappy message runs under that test case
    output = run_case(mocked_stack, CASE, f"This is bad service {text}")
    # THEN sentiment is the mocked one, and the real ticket Lambda and DynamoDB recorded the ticket
    assert output["sentiment"] == "POSITIVE"
    [ticket] = tickets_mentioning(mocked_stack, text)
    assert ticket["ticketId"] == output["ticketId"]


def test_an_edited_mock_file_is_used_by_the_next_execution(mocked_stack, mock_file):
    # GIVEN the test case now answers sentiment with the NEGATIVE mocked response
    config = json.loads(mock_file.read_text())
    config["StateMachines"][names.EXPRESS_STATE_MACHINE]["TestCases"][CASE]["Detect sentiment"] = "SentimentNegative"
    mock_file.write_text(json.dumps(config))
    # WHEN a happy message runs under it, without a restart
    output = run_case(mocked_stack, CASE, f"I love it {marker()}")
    # THEN the edit decided the sentiment
    assert output["sentiment"] == "NEGATIVE"
