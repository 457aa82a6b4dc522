"""The ASL files themselves: valid per statelint, and within the API's time budget."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chalicelib import names
from localdev.offline import definition, substitutions
from localdev.project import PROJECT_DIR

EXAMPLE_SUBSTITUTIONS = substitutions(names.TICKETS_TABLE)
API_GATEWAY_LIMIT_SECONDS = 29


def tasks(states: dict) -> list[tuple[str, dict]]:
    found = []
    for name, state in states.items():
        if state["Type"] == "Task":
            found.append((name, state))
        for branch in state.get("Branches", []):
            found.extend(tasks(branch["States"]))
    return found


@pytest.mark.parametrize("file_name", ["contact_form.asl.json", "parent.asl.json"])
def test_definition_passes_statelint(tmp_path, file_name):
    # GIVEN the definition with example ARNs substituted
    path = tmp_path / file_name
    path.write_text(definition(file_name, EXAMPLE_SUBSTITUTIONS))
    # WHEN statelint checks it
    result = subprocess.run([sys.executable, "-m", "statelint", str(path)], capture_output=True, text=True,
                            cwd=PROJECT_DIR, timeout=60)
    # THEN it reports no problem
    assert result.returncode == 0, result.stdout + result.stderr


def test_express_workflow_ends_before_api_gateway_gives_up():
    # GIVEN the Express definition
    asl = json.loads(definition("contact_form.asl.json", EXAMPLE_SUBSTITUTIONS))
    # THEN its timeout is under API Gateway's 29 s, and every task has its own timeout
    assert asl["TimeoutSeconds"] < API_GATEWAY_LIMIT_SECONDS
    assert all(state.get("TimeoutSeconds", 0) > 0 for _, state in tasks(asl["States"]))
