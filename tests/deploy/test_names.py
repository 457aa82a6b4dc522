"""chalicelib/names.py is the one source of names: the Chalice config, the template and the app agree."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from app import app
from chalicelib import names
from deploy.package import MERGE_TEMPLATE, STATE_MACHINE_DEFINITIONS
from localdev.offline import MACHINES, substitutions
from localdev.project import PROJECT_DIR

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
STAGES = ("local", "dev", "prod")


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return yaml.safe_load(MERGE_TEMPLATE.read_text(encoding="utf-8"))["Resources"]


def test_chalice_config_uses_the_names(config: dict[str, Any]) -> None:
    assert config["app_name"] == names.APP_NAME
    environment = config["environment_variables"]
    assert (environment["TICKETS_TABLE"], environment["IDEMPOTENCY_TABLE"], environment["EVENT_BUS_NAME"]) == (
        names.TICKETS_TABLE, names.IDEMPOTENCY_TABLE, names.EVENT_BUS,
    )
    for stage in STAGES:
        arn = config["stages"][stage]["environment_variables"]["STATE_MACHINE_ARN"]
        assert arn.endswith(f":stateMachine:{names.EXPRESS_STATE_MACHINE}"), stage


def test_chalice_config_configures_every_function_of_the_app(config: dict[str, Any]) -> None:
    functions = {names.GENERATE_TICKET_ID_FUNCTION, names.NOTIFY_ADMIN_FUNCTION,
                 names.PROCESS_QUEUED_SUBMISSIONS_FUNCTION, names.PROCESS_SUBMISSION_EVENT_FUNCTION}
    declared = {item.name for item in [*app.pure_lambda_functions, *app.event_sources]}
    assert functions <= declared
    for stage in STAGES:
        assert functions <= set(config["stages"][stage]["lambda_functions"]), stage


def test_template_names_its_resources_as_names_does(resources: dict[str, Any]) -> None:
    def name(logical_id: str, key: str) -> str:
        return resources[logical_id]["Properties"][key]

    assert name("TicketsTable", "TableName") == names.TICKETS_TABLE
    assert name("IdempotencyTable", "TableName") == names.IDEMPOTENCY_TABLE
    assert name("SubmissionsQueue", "QueueName") == names.SUBMISSIONS_QUEUE
    assert name("SubmissionsDeadLetterQueue", "QueueName") == names.SUBMISSIONS_DLQ
    assert name("ContactFormStateMachine", "StateMachineName") == names.EXPRESS_STATE_MACHINE
    assert name("ParentStateMachine", "StateMachineName") == names.PARENT_STATE_MACHINE


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_substitution_keys_are_the_same_in_the_asl_the_template_and_localdev(
    machine: Any, resources: dict[str, Any]
) -> None:
    # GIVEN the machine's ASL file and the template resource deploying it
    [logical_id] = [key for key, path in STATE_MACHINE_DEFINITIONS.items() if path.endswith(machine.file_name)]
    text = (PROJECT_DIR / "statemachine" / machine.file_name).read_text(encoding="utf-8")
    used = set(_PLACEHOLDER.findall(text))
    # THEN the template substitutes exactly the keys the file uses, and localdev knows each of them
    assert set(resources[logical_id]["Properties"]["DefinitionSubstitutions"]) == used
    assert used <= set(substitutions(names.TICKETS_TABLE))
