"""Editing while `make run` runs (DESIGN.md): live in the API and the workflow's Lambdas, data kept.

The stack serves a copy of the project in a temporary folder (``--project-dir``), so the tests
edit the copy, never the repository's files.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from chalicelib import names
from localdev import report
from localdev.harness import StackProcess, start_stack
from localdev.project import PROJECT_DIR
from tests.support.stack_helpers import eventually

PROJECT_FILES = ("app.py", "chalicelib", "statemachine", ".chalice")
GENERATE_TICKET_ID = 'return {"ticketId": tickets.new_ticket_id()}'


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


@pytest.fixture(scope="module")
def stack(project: Path) -> Iterator[StackProcess]:
    running = start_stack(project_dir=project)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def edit(project: Path) -> Iterator[Callable[[str, str, str], None]]:
    """Replace text in a file of the copy; every edited file is put back after the test."""
    originals: dict[Path, str] = {}

    def replace(relative: str, old: str, new: str) -> None:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        originals.setdefault(path, text)
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    yield replace
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")


def post(stack: StackProcess, message: str) -> requests.Response:
    return requests.post(f"{stack.api_url}/contact", json={"message": message}, timeout=30)


def ticket_ids(stack: StackProcess) -> set[str]:
    return {item["ticketId"] for item in report.tickets(stack.ports.aws)}


def test_lambda_edit_is_live_in_the_workflow_and_keeps_the_tickets(stack: StackProcess, edit) -> None:
    # GIVEN a ticket recorded before the edit
    before = post(stack, "Before the edit").json()["ticketId"]
    # WHEN the Lambda the workflow calls is edited and saved
    edit("app.py", GENERATE_TICKET_ID, 'return {"ticketId": "EDITED-" + tickets.new_ticket_id()}')
    # THEN new submissions get the edited Lambda's ids, without a restart
    reply = eventually(lambda: post(stack, "After the edit").json()["ticketId"].startswith("EDITED-"), timeout=10)
    assert reply, stack.output
    stack.wait_for_output("Reloaded app.py and chalicelib/")
    # AND the ticket from before is still there
    assert before in ticket_ids(stack)


def test_page_edit_is_live_in_the_api(stack: StackProcess, edit) -> None:
    edit("chalicelib/web/index.html", "</title>", " (edited)</title>")
    assert eventually(lambda: " (edited)</title>" in requests.get(f"{stack.api_url}/", timeout=30).text, timeout=10)


def test_workflow_edit_updates_the_local_machine(stack: StackProcess, edit) -> None:
    # WHEN the ASL is edited to record another notification status
    edit("statemachine/contact_form.asl.json", '"S": "NOT_REQUIRED"', '"S": "NOT_NEEDED"')
    stack.wait_for_output(f"Updated state machine {names.EXPRESS_STATE_MACHINE}")

    # THEN a new happy ticket carries the edited value
    def edited_status() -> bool:
        ticket_id = post(stack, "I love this, great work!").json()["ticketId"]
        [ticket] = [item for item in report.tickets(stack.ports.aws) if item["ticketId"] == ticket_id]
        return ticket["notificationStatus"] == "NOT_NEEDED"

    assert eventually(edited_status, timeout=10)


def test_broken_edit_is_reported_and_the_last_good_version_keeps_serving(stack: StackProcess, edit) -> None:
    # WHEN app.py is saved with a syntax error
    edit("app.py", GENERATE_TICKET_ID, GENERATE_TICKET_ID + "\n\ndef broken(:")
    # THEN the stack says so, naming the file and the error
    stack.wait_for_output("Edit not applied: app.py failed to import")
    stack.wait_for_output("SyntaxError")
    assert 'app.py", line' in stack.output
    # AND the API and the workflow still answer with the last good version
    assert post(stack, "Still there?").status_code == 200


def test_broken_workflow_edit_is_reported_and_the_machine_keeps_running(stack: StackProcess, edit) -> None:
    edit("statemachine/contact_form.asl.json", '"StartAt": "Normalise input"', '"StartAt": "Nowhere"')
    stack.wait_for_output("Edit not applied: statemachine/contact_form.asl.json was refused")
    assert post(stack, "Still running?").status_code == 200
