"""The console on the Step Functions endpoint: GET / and /console/..., offline; POST / stays AWS's."""
from __future__ import annotations

import json
import re

from stepfunctions_local.console import STATIC
from tests.stepfunctions_local.service_support import create, definition, pass_through
from tests.support.console_http import get, get_json

FAILING = definition({"Check": {"Type": "Fail", "Error": "Bad.Input", "Cause": "no message"}})


def test_console_page_loads_only_local_assets(server):
    # GIVEN the endpoint WHEN the console page is requested
    status, content_type, page = get(server, "/")
    # THEN it is HTML whose scripts and styles are all served by the endpoint itself
    assert status == 200 and content_type.startswith("text/html")
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page.decode())
    assert "/console/static/vendor/dagre.min.js" in assets
    for asset in assets:
        if asset.startswith("data:"):
            continue
        assert asset.startswith("/console/static/"), asset
        assert get(server, asset)[0] == 200
    # AND no file of the console reaches for the internet
    for path in STATIC.rglob("*"):
        if path.suffix in (".html", ".js", ".css"):
            assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?https?://", path.read_text()), path
    # AND the layout library's licence ships with it
    assert (STATIC / "vendor" / "dagre.LICENSE").read_text().startswith("Copyright")


def test_static_files_cannot_escape_their_folder(server):
    # GIVEN paths that try to leave the static folder WHEN requested THEN nothing is served
    for path in ("/console/static/../api.py", "/console/static/%2e%2e/api.py", "/console/static/"):
        assert get(server, path)[0] == 404


def test_bad_api_requests_get_a_4xx_naming_the_problem(server):
    # GIVEN the console API
    # WHEN a path is unknown, a parameter is missing or malformed, or an execution unknown
    assert get_json(server, "/console/api/nothing")[0] == 404
    status, body = get_json(server, "/console/api/execution")
    assert status == 400 and "'arn'" in body["error"]
    status, body = get_json(server, "/console/api/executions?limit=many")
    assert status == 400 and "'limit'" in body["error"]
    assert get_json(server, "/console/api/execution?arn=arn:aws:states:us-east-1:0:express:x:y:z")[0] == 404


def test_console_lists_executions_with_filters(server, sfn):
    # GIVEN two state machines, one of whose executions fail
    ok, failing = create(sfn, "ok", pass_through()), create(sfn, "failing", FAILING)
    sfn.start_sync_execution(stateMachineArn=ok, name="first")
    sfn.start_sync_execution(stateMachineArn=failing, name="second")
    # WHEN the console lists executions, all and filtered
    _, everything = get_json(server, "/console/api/executions")
    _, failed = get_json(server, "/console/api/executions?status=FAILED")
    _, named = get_json(server, f"/console/api/executions?stateMachineArn={ok}&name=fir")
    _, machines = get_json(server, "/console/api/state-machines")
    # THEN each shows status, start and duration, newest first, and the filters apply
    listed = [(e["name"], e["status"]) for e in everything["executions"]]
    assert listed == [("second", "FAILED"), ("first", "SUCCEEDED")]
    assert all(e["started"] and e["durationMs"] is not None for e in everything["executions"])
    assert [e["name"] for e in failed["executions"]] == ["second"]
    assert [e["name"] for e in named["executions"]] == ["first"]
    assert {m["name"]: m["executions"] for m in machines["stateMachines"]} == {"ok": 1, "failing": 1}


def test_trace_id_from_the_http_header_is_kept(server, sfn):
    # GIVEN an Express machine
    arn = create(sfn, "traced", pass_through())
    # WHEN StartSyncExecution arrives over HTTP with an X-Ray trace header
    import urllib.request

    request = urllib.request.Request(server.url, data=json.dumps({"stateMachineArn": arn}).encode(), headers={
        "X-Amz-Target": "AWSStepFunctions.StartSyncExecution", "Content-Type": "application/x-amz-json-1.0",
        "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"})
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())
    # THEN the AWS answer is unchanged and the console shows the trace id
    assert "traceHeader" not in answer and answer["status"] == "SUCCEEDED"
    _, execution = get_json(server, f"/console/api/execution?arn={answer['executionArn']}")
    assert execution["traceId"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert [t["state"] for t in execution["timeline"]] == ["Done"]


def test_changes_answer_as_soon_as_an_execution_is_recorded(server, sfn):
    # GIVEN the console's current version
    arn = create(sfn, "flow", pass_through())
    _, before = get_json(server, "/console/api/changes?wait=0")
    # WHEN an execution runs THEN the long poll answers with a newer version
    sfn.start_sync_execution(stateMachineArn=arn)
    _, after = get_json(server, f"/console/api/changes?since={before['version']}&wait=5")
    assert after["version"] > before["version"]
