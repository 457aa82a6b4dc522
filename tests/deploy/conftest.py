"""The dev stage packaged once per test session, exactly as `make package` does it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

PROJECT_DIR = Path(__file__).resolve().parents[2]
STAGE = "dev"
# Chalice function name -> its policy file (names fixed for config.json; the API's is "api").
POLICY_FILES = {
    "api_handler": "policy-api.json",
    "generate_ticket_id": "policy-generate_ticket_id.json",
    "notify_admin": "policy-notify_admin.json",
    "process_queued_submissions": "policy-process_queued_submissions.json",
    "process_submission_event": "policy-process_submission_event.json",
    "send_digest": "policy-send_digest.json",
}


def configured_policy_files(stage: str) -> dict[str, str]:
    """Chalice function name -> the policy file .chalice/config.json gives it in ``stage``."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    settings = config["stages"][stage]
    functions = settings.get("lambda_functions", {})
    default = settings.get("iam_policy_file") or config.get("iam_policy_file")
    names = set(functions) | {"api_handler"}
    return {name: functions.get(name, {}).get("iam_policy_file") or default for name in names}


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


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    out = tmp_path_factory.mktemp("out")
    # No AWS variables at all: packaging must need no account and pick its own region.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-m", "deploy.package", "--stage", STAGE, "--out", str(out)],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert result.returncode == 0, result.stderr
    directory = out / STAGE
    return Packaged(directory, json.loads((directory / "sam.json").read_text(encoding="utf-8")))
