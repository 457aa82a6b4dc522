"""What the deploy tests read: the stages' policy files, and the packaged template."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.api import ManualArgs, lint

from chalicelib import names
from localdev.project import PROJECT_DIR

STAGE = "dev"
# Chalice function name -> its policy file (names fixed for config.json; the API's is "api").
POLICY_FILES = {
    "api_handler": "policy-api.json",
    **{
        function: f"policy-{function}.json"
        for function in (
            names.GENERATE_TICKET_ID_FUNCTION,
            names.NOTIFY_ADMIN_FUNCTION,
            names.PROCESS_QUEUED_SUBMISSIONS_FUNCTION,
            names.PROCESS_SUBMISSION_EVENT_FUNCTION,
            names.SEND_DIGEST_FUNCTION,
        )
    },
}


def configured_policy_files(stage: str) -> dict[str, str]:
    """Chalice function name -> the policy file .chalice/config.json gives it in ``stage``."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    settings = config["stages"][stage]
    functions = settings.get("lambda_functions", {})
    default = settings.get("iam_policy_file") or config.get("iam_policy_file")
    configured = set(functions) | {"api_handler"}
    return {name: functions.get(name, {}).get("iam_policy_file") or default for name in configured}


def lint_problems(text: str) -> list[str]:
    """Everything cfn-lint reports for us-east-1, informational rules included."""
    config = ManualArgs(regions=["us-east-1"], include_checks=["I"])
    return [str(match) for match in lint(text, config=config)]


def actions_of(statement: dict[str, Any]) -> list[str]:
    """An IAM statement's Action, always as a list."""
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


@dataclass(frozen=True)
class Packaged:
    directory: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id]["Properties"]
