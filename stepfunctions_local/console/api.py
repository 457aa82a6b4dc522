"""The console's JSON API (GET /console/api/...), read from the ExecutionStore and the runtime's API.

Everything here is read-only. Times are epoch milliseconds; absent values are null.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from stepfunctions_local.console import dataflow, outcomes
from stepfunctions_local.console.graph import Picture, all_states
from stepfunctions_local.console.links import Links
from stepfunctions_local.observability.logs import LogEvent, epoch_ms, log_events, log_group
from stepfunctions_local.observability.records import ExecutionRecord, ExecutionStore

if TYPE_CHECKING:
    from stepfunctions_local.service import Runtime

PREFIX = "/console/api/"
_LONG_POLL_SECONDS = 15.0
_MAX_LIST = 500


class NotFound(Exception):
    """An unknown API path, execution or state machine (answered with 404)."""


class BadRequest(Exception):
    """A missing or malformed query parameter (answered with 400, naming it)."""


class ConsoleApi:
    def __init__(self, runtime: Runtime, store: ExecutionStore, links: Links) -> None:
        self.runtime = runtime
        self.store = store
        self.links = links

    def handle(self, path: str, query: str) -> tuple[int, dict[str, Any]]:
        params = {key: values[-1] for key, values in parse_qs(query).items()}
        handler = getattr(self, "_get_" + path[len(PREFIX):].replace("-", "_"), None)
        if not path.startswith(PREFIX) or handler is None:
            return 404, {"error": f"no such console API: {path}"}
        try:
            return 200, handler(params)
        except NotFound as error:
            return 404, {"error": str(error)}
        except BadRequest as error:
            return 400, {"error": str(error)}

    # -- state machines -----------------------------------------------------------------------
    def _get_state_machines(self, params: dict[str, str]) -> dict[str, Any]:
        machines = []
        for item in self.runtime.invoke("ListStateMachines", {}).get("stateMachines", []):
            described = self.runtime.invoke("DescribeStateMachine", {"stateMachineArn": item["stateMachineArn"]})
            records = self.store.executions(item["stateMachineArn"])
            machines.append({
                "arn": item["stateMachineArn"], "name": item["name"], "type": item["type"],
                "created": _ms(item["creationDate"].timestamp()), "logging": described["loggingConfiguration"],
                "logGroup": log_group(described["loggingConfiguration"]), "executions": len(records),
                "lastStatus": records[0].status if records else None,
            })
        return {"stateMachines": machines, "version": self.store.version}

    def _get_state_machine(self, params: dict[str, str]) -> dict[str, Any]:
        arn = _required(params, "arn")
        try:
            described = self.runtime.invoke("DescribeStateMachine", {"stateMachineArn": arn})
        except Exception as error:  # ApiError: unknown or malformed ARN
            raise NotFound(f"no state machine {arn}") from error
        definition = json.loads(described["definition"])
        return {"arn": arn, "name": described["name"], "type": described["type"],
                "definition": described["definition"], "picture": Picture(definition).as_dict(),
                "logging": described["loggingConfiguration"], "logGroup": log_group(described["loggingConfiguration"])}

    # -- executions ---------------------------------------------------------------------------
    def _get_executions(self, params: dict[str, str]) -> dict[str, Any]:
        status = params.get("status") or None
        name = (params.get("name") or "").lower()
        records = self.store.executions(params.get("stateMachineArn") or None, status)
        if name:
            records = [r for r in records if name in r.name.lower() or name in r.arn.lower()
                       or (r.trace_header or "").lower().find(name) >= 0]
        limit = _int(params, "limit", 100)
        return {"executions": [_summary(r) for r in records[:min(limit, _MAX_LIST)]],
                "total": len(records), "version": self.store.version}

    def _get_execution(self, params: dict[str, str]) -> dict[str, Any]:
        record = self._record(params)
        events = list(record.events)
        definition = json.loads(record.definition)
        return {
            **_summary(record),
            "input": record.input, "output": record.output, "cause": record.cause,
            "definition": record.definition,
            "events": [_event(event, record.started) for event in events],
            "picture": Picture(definition).as_dict(),
            **outcomes.summarise(definition, events, record.status, record.started, record.stopped),
            "related": self.links.related(record),
            "version": self.store.version,
        }

    def _get_state_io(self, params: dict[str, str]) -> dict[str, Any]:
        record = self._record(params)
        entered = _int(params, "entered", 0)
        entry = next((e for e in outcomes.entries(list(record.events)) if e.entered["id"] == entered), None)
        if entry is None:
            raise NotFound(f"no state entered at event {entered} in {record.arn}")
        body = all_states(json.loads(record.definition)).get(entry.state, {})
        context = {"Execution": {"Id": record.arn, "Name": record.name, "Input": _json(record.input),
                                 "StartTime": _iso(record.started), "RedriveCount": 0},
                   "StateMachine": {"Id": record.state_machine_arn, "Name": record.state_machine_name}}
        return {"state": entry.state, "type": entry.type, "enteredEventId": entered,
                "steps": dataflow.steps(body, entry, context)}

    # -- monitoring and logging ---------------------------------------------------------------
    def _get_monitoring(self, params: dict[str, str]) -> dict[str, Any]:
        arn = _required(params, "stateMachineArn")
        return {"stateMachineArn": arn, "minutes": self.store.minutes(arn), "version": self.store.version}

    def _get_logs(self, params: dict[str, str]) -> dict[str, Any]:
        """The newest log events written for the machine (from the executions still on record)."""
        arn = _required(params, "stateMachineArn")
        limit = min(_int(params, "limit", 100), _MAX_LIST)
        found: list[LogEvent] = []
        group = None
        for record in self.store.executions(arn):
            group = group or log_group(record.logging)
            found.extend(reversed(log_events(record, list(record.events))))  # newest first, as records are
            if len(found) >= limit:
                break
        return {"logGroup": group, "events": found[:limit], "version": self.store.version}

    def _get_changes(self, params: dict[str, str]) -> dict[str, Any]:
        """Long poll: answers once anything changed since ``since`` (or after a few seconds)."""
        since = _int(params, "since", -1)
        wait = min(float(_int(params, "wait", int(_LONG_POLL_SECONDS))), _LONG_POLL_SECONDS)
        return {"version": self.store.wait_for_change(since, wait)}

    def _record(self, params: dict[str, str]) -> ExecutionRecord:
        arn = _required(params, "arn")
        record = self.store.get(arn)
        if record is None:
            raise NotFound(f"no execution {arn} on record (the console keeps the newest "
                           f"{self.store.max_executions})")
        return record


def _summary(record: ExecutionRecord) -> dict[str, Any]:
    return {
        "arn": record.arn, "name": record.name, "stateMachineArn": record.state_machine_arn,
        "stateMachineName": record.state_machine_name, "type": record.type, "status": record.status,
        "started": _ms(record.started), "stopped": _ms(record.stopped), "durationMs": record.duration_ms,
        "billedDurationMs": record.billed_duration_ms, "billedMemoryMb": record.billed_memory_mb,
        "statesRun": record.states_run, "error": record.error, "traceHeader": record.trace_header,
        "traceId": trace_id(record.trace_header),
    }


def trace_id(header: str | None) -> str | None:
    """``Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1`` -> the Root value."""
    if not header:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "Root":
            return value
    return header


def _event(event: dict, started: float) -> dict[str, Any]:
    shaped = {key: value for key, value in event.items() if key != "timestamp"}
    shaped["timestamp"] = epoch_ms(event["timestamp"])
    shaped["elapsedMs"] = shaped["timestamp"] - started * 1000
    return shaped


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise BadRequest(f"query parameter '{name}' is required")
    return value


def _int(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"query parameter '{name}' must be a whole number, not {text!r}") from None
