"""Starting and stopping `make run`: signals leave no process, a rerun works, busy ports are named."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from localdev import report
from localdev.harness import free_ports, start_stack
from localdev.ports import is_free
from localdev.project import PROJECT_DIR


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def process_tree(pid: int) -> set[int]:
    """``pid`` and every live process below it."""
    children, tree, todo = _children(), set(), [pid]
    while todo:
        current = todo.pop()
        tree.add(current)
        todo.extend(children.get(current, []))
    return tree


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"}


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_ctrl_c_stops_everything_and_a_second_run_right_after_works():
    # GIVEN a running stack and every process it started
    first = start_stack()
    tree = process_tree(first.process.pid)
    assert len(tree) >= 2  # localdev and chalice local
    # WHEN the user presses Ctrl-C
    code = first.stop(signal.SIGINT)
    # THEN it exits cleanly, no process is left and every port is free again
    assert code == 0, first.output
    assert alive(tree) == set()
    assert all(is_free(port) for port in first.ports.by_variable().values())
    # WHEN the stack is started again right away on the same ports
    second = start_stack(ports=first.ports)
    try:
        # THEN it serves requests
        reply = requests.post(f"{second.api_url}/contact", json={"message": "Thanks, works again"}, timeout=30)
        assert reply.status_code == 200, reply.text
    finally:
        tree = process_tree(second.process.pid)
        # AND SIGTERM stops it as completely
        assert second.stop(signal.SIGTERM) == 0
    assert alive(tree) == set()


def test_data_survives_a_restart_and_fresh_starts_empty(tmp_path: Path) -> None:
    # GIVEN a stack that recorded a ticket and sent an email
    first = start_stack(state_dir=tmp_path)
    reply = requests.post(f"{first.api_url}/contact", json={"message": "This is bad service"}, timeout=30)
    ticket_id = reply.json()["ticketId"]
    assert len(report.emails(first.ports.aws)) == 1
    # WHEN it is stopped with Ctrl-C and started again
    assert first.stop(signal.SIGINT) == 0
    second = start_stack(state_dir=tmp_path)
    try:
        # THEN the ticket and the email are back, and it says so
        assert ticket_id in {item["ticketId"] for item in report.tickets(second.ports.aws)}
        assert len(report.emails(second.ports.aws)) == 1
        assert "restored from" in second.output
    finally:
        assert second.stop(signal.SIGINT) == 0
    # WHEN it is started with --fresh (make run FRESH=1)
    third = start_stack("--fresh", state_dir=tmp_path)
    try:
        # THEN it starts empty
        assert report.tickets(third.ports.aws) == []
    finally:
        third.stop(signal.SIGINT)


def run_stack_command(api: int, sfn: int, moto: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "localdev", "run",
            "--api-port", str(api), "--sfn-port", str(sfn), "--aws-port", str(moto),
        ],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
    )


def test_busy_ports_are_all_named_at_once_and_nothing_starts():
    # GIVEN other programs listening on the ports meant for Step Functions and the AWS services
    ports = free_ports()
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", ports.sfn))
        second.bind(("127.0.0.1", ports.aws))
        first.listen()
        second.listen()
        # WHEN the stack is started
        result = run_stack_command(ports.api, ports.sfn, ports.aws)
    # THEN it exits with code 2, naming both variables with free ports to try, before starting anything
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"SFN_PORT {ports.sfn} is in use (try ")
    assert lines[1].startswith(f"AWS_PORT {ports.aws} is in use (try ")
    assert lines[2].startswith("Start it with: make run SFN_PORT=")


def test_one_port_for_two_services_is_refused():
    # GIVEN the same port chosen for the API and the embedded AWS services
    ports = free_ports()
    # WHEN the stack is started
    result = run_stack_command(ports.api, ports.sfn, ports.api)
    # THEN both variables are named and nothing starts
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(f"AWS_PORT {ports.api} is also API_PORT (try ")


@pytest.mark.parametrize("after_seconds", [0.2, 0.8])
def test_ctrl_c_while_starting_is_clean(after_seconds: float, tmp_path: Path) -> None:
    # GIVEN a stack that is still loading
    ports = free_ports()
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev", "run", "--api-port", str(ports.api), "--sfn-port", str(ports.sfn),
         "--aws-port", str(ports.aws), "--state-dir", str(tmp_path)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    time.sleep(after_seconds)
    tree = process_tree(process.pid)
    # WHEN the user presses Ctrl-C
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    # THEN it stops with no traceback, code 0, and nothing it started is left
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert output.rstrip().endswith("Stopped.")
    assert alive(tree - {process.pid}) == set()


def test_tickets_without_a_running_stack_says_what_to_start():
    # GIVEN nothing listening on the AWS port
    port = free_ports().aws
    # WHEN the user asks for the tickets
    result = subprocess.run(
        [sys.executable, "-m", "localdev", "tickets", "--aws-port", str(port)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
    )
    # THEN a one-line message names the port and `make run`, with exit code 1
    assert result.returncode == 1
    assert f"AWS_PORT={port}" in result.stderr and "make run" in result.stderr
