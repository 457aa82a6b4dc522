"""The local Step Functions console in a real browser, after real submissions through the API."""
from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib.names import EXPRESS_STATE_MACHINE, PARENT_STATE_MACHINE
from localdev import aws
from localdev.offline import state_machine_arn

TRACE_HEADER = "Root=1-67a2b3c4-d5e6f7a8b9c0d1e2f3a4b5c6;Sampled=1"
# CONSOLE_TOUR_DIR=docs also keeps the screenshots there (the README's console tour).
TOUR_DIR = os.environ.get("CONSOLE_TOUR_DIR")


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def console_api(stack, path: str, **params: Any) -> dict[str, Any]:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{stack.sfn_url}/console/api/{path}?{query}", timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def runs(stack) -> dict[str, Any]:
    """An unhappy and a happy customer through POST /contact, and a run without a message."""
    unhappy = post_json(f"{stack.api_url}/contact", {"message": "This is bad service", "name": "Ada"})
    happy = post_json(f"{stack.api_url}/contact", {"message": "I love it, great and helpful service!"})
    failed = _start_sync(stack, {"name": "Ada"})
    parent = _run_parent(stack, {"message": "Hello from the parent workflow"})
    express_arn = state_machine_arn(EXPRESS_STATE_MACHINE)
    executions = console_api(stack, "executions", stateMachineArn=express_arn)["executions"]
    by_ticket = {}
    for execution in executions:
        output = console_api(stack, "execution", arn=execution["arn"]).get("output") or "{}"
        by_ticket[json.loads(output).get("ticketId")] = execution["arn"]
    return {"unhappy": by_ticket[unhappy["ticketId"]], "happy": by_ticket[happy["ticketId"]],
            "failed": failed["executionArn"], "ticket": unhappy["ticketId"], "count": len(executions),
            "parent": parent}


def _client(stack):
    import boto3
    from botocore.config import Config

    return boto3.client("stepfunctions", endpoint_url=stack.sfn_url, region_name=aws.REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(inject_host_prefix=False))


def _run_parent(stack, document: dict[str, Any]) -> str:
    """The Standard parent, which runs the Express workflow nested; waits for its end."""
    client = _client(stack)
    arn = client.start_execution(stateMachineArn=state_machine_arn(PARENT_STATE_MACHINE), input=json.dumps(document))
    assert eventually(lambda: client.describe_execution(executionArn=arn["executionArn"])["status"] != "RUNNING", 60)
    return arn["executionArn"]


def _start_sync(stack, document: dict[str, Any]) -> dict[str, Any]:
    return _client(stack).start_sync_execution(stateMachineArn=state_machine_arn(EXPRESS_STATE_MACHINE),
                                       input=json.dumps(document), traceHeader=TRACE_HEADER)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("console-screenshots")


def screenshot(browser, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(path))
    if TOUR_DIR:
        shutil.copy(path, Path(TOUR_DIR) / path.name)


def eventually(check, timeout: float = 15) -> bool:
    """True once ``check()`` is (metrics and logs are sent in the background, about once a second)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def open_console(browser, stack, fragment: str = "/") -> None:
    browser.get(f"{stack.sfn_url}/#{fragment}")


def wait(browser, css: str, timeout: float = 20):
    return WebDriverWait(browser, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))


def attributes(browser, css: str, *names: str) -> list[list[str | None]]:
    """Read in one go: live updates may redraw the page between two WebDriver calls."""
    wait(browser, css)
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => arguments[1].map(n => e.getAttribute(n)))",
        css, list(names))


def test_console_lists_the_executions_after_submissions(stack, browser, runs, shots):
    # GIVEN three executions of the contact-form workflow (two through the API)
    # WHEN the console's executions page is opened
    browser.set_window_size(1280, 800)
    open_console(browser, stack, "/executions")
    # THEN each is listed with its status, the failed one too
    statuses = dict(attributes(browser, "tr.execution", "data-arn", "data-status"))
    assert statuses[runs["unhappy"]] == "SUCCEEDED" and statuses[runs["happy"]] == "SUCCEEDED"
    assert statuses[runs["failed"]] == "FAILED" and statuses[runs["parent"]] == "SUCCEEDED"
    # AND the home page has both state machines with their logging, and the latest executions
    open_console(browser, stack, "/")
    machines = dict(attributes(browser, "tr.machine", "data-arn", "data-arn"))
    assert set(machines) == {state_machine_arn(EXPRESS_STATE_MACHINE), state_machine_arn(PARENT_STATE_MACHINE)}
    wait(browser, "tr.execution")
    screenshot(browser, shots, "console-executions")


def test_new_executions_appear_without_a_refresh(stack, browser, runs):
    # GIVEN the executions page open in the browser
    open_console(browser, stack, "/executions")
    before = len(wait(browser, "tr.execution"))
    # WHEN another submission arrives
    post_json(f"{stack.api_url}/contact", {"message": "Just a question about opening hours"})
    # THEN it shows up by itself
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.execution")) > before)


def test_execution_picture_shows_states_outcomes_and_what_it_produced(stack, browser, runs, shots):
    # GIVEN the unhappy customer's execution WHEN it is opened in the console
    browser.set_window_size(1400, 1900)
    open_console(browser, stack, f"/execution/{runs['unhappy']}")
    outcomes = dict(attributes(browser, "g.node[data-state]", "data-state", "data-outcome"))
    # THEN the picture shows every state with its outcome: the admin email sent, the other path not run
    assert outcomes["Detect sentiment"] == "succeeded" and outcomes["Generate ticket id"] == "succeeded"
    assert outcomes["Notify admin"] == "succeeded" and outcomes["Record ticket"] == "succeeded"
    assert outcomes["Notification not required"] == "not run" and outcomes["Reject input"] == "not run"
    assert browser.find_elements(By.CSS_SELECTOR, "path.edge.taken")
    # AND it links to the ticket and the admin email it produced
    related = wait(browser, "#related")[0].text
    assert f"Ticket {runs['ticket']}" in related and "Email:" in related
    # AND a state's data flow is one click away
    browser.find_element(By.CSS_SELECTOR, 'g.node[data-state="Detect sentiment"]').click()
    assert attributes(browser, "#state-io .step", "data-step")[-1] == ["State output"]
    screenshot(browser, shots, "console-execution")


def test_failed_execution_marks_its_failing_state_and_shows_the_trace(stack, browser, runs, shots):
    # GIVEN the execution started without a message (and with an X-Ray trace header)
    browser.set_window_size(1400, 1100)
    open_console(browser, stack, f"/execution/{runs['failed']}")
    # WHEN it is opened THEN the Fail state is marked failed and the error named
    assert attributes(browser, 'g.node[data-state="Reject input"]', "data-outcome") == [["failed"]]
    assert browser.find_element(By.ID, "execution-error").text == "ContactForm.InvalidInput"
    assert browser.find_element(By.ID, "trace-id").text == "1-67a2b3c4-d5e6f7a8b9c0d1e2f3a4b5c6"
    screenshot(browser, shots, "console-failed")
    # AND the timeline lists the states it ran, in order
    browser.find_element(By.CSS_SELECTOR, 'button[data-tab="Timeline"]').click()
    assert [state for [state] in attributes(browser, "#timeline .row", "data-state")] == [
        "Normalise input", "Check input", "Reject input"]


def test_monitoring_counts_match_the_executions_run(stack, browser, runs, shots):
    # GIVEN the executions run so far
    listed = console_api(stack, "executions", stateMachineArn=state_machine_arn(EXPRESS_STATE_MACHINE))["executions"]
    failed = sum(e["status"] == "FAILED" for e in listed)
    # WHEN the machine's Monitoring tab is opened
    browser.set_window_size(1400, 900)
    open_console(browser, stack, f"/machine/{state_machine_arn(EXPRESS_STATE_MACHINE)}")
    wait(browser, 'button[data-tab="Monitoring"]')[0].click()
    wait(browser, "#monitoring .chart")

    def total(metric: str) -> int:
        return int(browser.execute_script(
            "return document.querySelector(arguments[0]).textContent", f'.chart[data-metric="{metric}"] .total'))

    # THEN its six graphs count them
    assert total("started") == len(listed)
    assert total("succeeded") == len(listed) - failed and total("failed") == failed == 1
    assert total("billedMemoryMb") == 64 * len(listed)
    screenshot(browser, shots, "console-monitoring")
    # AND the Logging tab shows the failure logged at ERROR level
    browser.find_element(By.CSS_SELECTOR, 'button[data-tab="Logging"]').click()
    logged = [kind for [kind] in attributes(browser, "tr.log-event", "data-type")]
    assert logged[:2] == ["ExecutionFailed", "FailStateEntered"]


def test_metrics_and_logs_reach_the_embedded_aws(stack, runs):
    # GIVEN the executions run so far WHEN CloudWatch and CloudWatch Logs are asked, as the CLI would
    cloudwatch, logs = aws.client("cloudwatch", stack.ports.aws), aws.client("logs", stack.ports.aws)
    arn = state_machine_arn(EXPRESS_STATE_MACHINE)
    now = datetime.now(timezone.utc)

    def started() -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/States", MetricName="ExecutionsStarted",
            Dimensions=[{"Name": "StateMachineArn", "Value": arn}], StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(hours=1), Period=3600, Statistics=["Sum"])["Datapoints"]
        return sum(point["Sum"] for point in points)

    def failures() -> list[dict]:
        events = logs.filter_log_events(logGroupName=f"/aws/vendedlogs/states/{EXPRESS_STATE_MACHINE}")["events"]
        return [json.loads(event["message"]) for event in events]

    # THEN (published within a few seconds) the metrics count the executions and the log has the failure
    assert eventually(lambda: started() >= runs["count"])
    assert eventually(lambda: any(m["type"] == "ExecutionFailed" and m["execution_arn"] == runs["failed"]
                                  for m in failures()))
    # AND at ERROR level without execution data, nothing the customer wrote is logged
    assert "bad service" not in json.dumps(failures())


def test_one_terminal_line_per_execution(stack, runs):
    # GIVEN the executions run so far THEN `make run` printed one line for the failed one, without data
    line = stack.wait_for_output(EXPRESS_STATE_MACHINE, "FAILED (ContactForm.InvalidInput)", timeout=10)
    assert "states" in line and "Ada" not in line
