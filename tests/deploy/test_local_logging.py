"""`make run` creates the state machines with the deploy template's logging configuration."""
from __future__ import annotations

import pytest
import yaml

from chalicelib.names import EXPRESS_STATE_MACHINE, PARENT_STATE_MACHINE
from localdev.observability import logging_configuration
from localdev.project import PROJECT_DIR


@pytest.mark.parametrize("machine", [EXPRESS_STATE_MACHINE, PARENT_STATE_MACHINE])
def test_local_machines_log_as_the_template_says(machine):
    # GIVEN the deploy template's state machine and its log group
    resources = yaml.safe_load((PROJECT_DIR / "deploy" / "resources.yaml").read_text())["Resources"]
    [deployed] = [r["Properties"] for r in resources.values()
                  if r.get("Type") == "AWS::StepFunctions::StateMachine"
                  and r["Properties"]["StateMachineName"] == machine]
    template = deployed["LoggingConfiguration"]
    group = template["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    # WHEN localdev builds its logging configuration
    local = logging_configuration(machine)
    # THEN level, execution data and the log group's name are the same
    assert (local["level"], local["includeExecutionData"]) == (template["Level"], template["IncludeExecutionData"])
    arn = local["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
    assert arn.endswith(f":log-group:{resources[group]['Properties']['LogGroupName']}:*")
