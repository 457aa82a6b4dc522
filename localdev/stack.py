"""`make run`: starts every piece in order, prints how to use it, stops everything on Ctrl-C or SIGTERM."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import stepfunctions_local
from chalicelib import names
from chalicelib import settings as app_settings
from localdev import aws, chalice_local, delivery, inprocess_aws, logs, observability, offline, schedules, warmup
from localdev.appimport import import_app
from localdev.live import LiveApp
from localdev.moto_atomic import atomic_moto_writes
from localdev.ports import ensure_free
from localdev.project import PROJECT_DIR, LocalSettings, apply_stage_environment
from localdev.provision import PROCESSED_EVENTS_QUEUE, provision
from localdev.state import StateStore
from localdev.watch import Watcher

logger = logging.getLogger("localdev")

READY_MARKER = "Ready:"
SEED_REQUEST = {"message": " This is bad service"}


@dataclass(frozen=True)
class Ports:
    api: int
    sfn: int
    aws: int

    def by_variable(self) -> dict[str, int]:
        """Keyed by the make variable a user changes to move each one."""
        return {"API_PORT": self.api, "SFN_PORT": self.sfn, "AWS_PORT": self.aws}


@dataclass(frozen=True)
class Options:
    """How `make run` runs: the project it serves and watches, where its data is kept."""

    project_dir: Path = PROJECT_DIR
    state_dir: Path = PROJECT_DIR / ".localdev" / "state"
    fresh: bool = False
    deliveries: int = 1


def run(ports: Ports, options: Options = Options()) -> int:
    """Run the stack in the foreground until interrupted; raises ports.PortUnavailable before starting anything."""
    ensure_free(ports.by_variable())
    project_dir = options.project_dir
    if options.fresh:
        shutil.rmtree(options.state_dir, ignore_errors=True)
    env = {**aws.local_environment(ports.aws, ports.sfn), **logs.child_environment()}
    aws.apply_environment(env)
    os.environ.setdefault("DIGEST_INTERVAL_SECONDS", str(schedules.DEFAULT_INTERVAL_SECONDS))
    with contextlib.ExitStack() as running:
        try:
            # The API server loads the app in its own process meanwhile; it is waited for last.
            # CORS allows the page's own origin, whatever API_PORT is.
            api_env = {**env, "ALLOWED_ORIGIN": aws.endpoint(ports.api, "localhost")}
            chalice = chalice_local.start(ports.api, api_env, project_dir)
            running.callback(chalice_local.stop, chalice)
            # DynamoDB applies each write atomically; moto's threads must too (email quota, idempotency claims).
            running.enter_context(atomic_moto_writes())
            moto = aws.start_moto(ports.aws)
            running.callback(moto.stop)
            inprocess_aws.route_in_process(aws.endpoint(ports.aws))
            apply_stage_environment(project_dir)
            app = import_app(project_dir)
            settings = LocalSettings.from_environment(os.environ)
            consumers = provision(app, settings, ports.aws)
            state = StateStore(options.state_dir, ports.aws)
            restored = state.restore()
            state.start_saving()
            running.callback(state.stop)
            workflows = offline.OfflineWorkflows(
                stepfunctions_local.Runtime(), app, settings.tickets_table, project_dir
            )
            server = stepfunctions_local.serve(workflows.runtime, host="127.0.0.1", port=ports.sfn)
            running.callback(server.shutdown)
            observability.attach(server, settings, [machine.name for machine in offline.MACHINES])
            live = LiveApp(app, workflows, reload_api=lambda: chalice_local.reload(chalice))
            for poller in delivery.start_pollers(lambda: live.app, consumers, ports.aws, options.deliveries):
                running.callback(poller.stop)
            watcher = Watcher(project_dir, live.apply)
            watcher.start()
            running.callback(watcher.stop)
            for schedule in schedules.start(lambda: live.app, app_settings.digest_interval_seconds()):
                running.callback(schedule.stop)
            chalice_local.wait_until_listening(chalice, ports.api)
            queue = next(consumer.queue_name for consumer in consumers if consumer.kind == "sqs")
            warmup.warm_stack(ports.aws, aws.endpoint(ports.api), workflows.runtime, settings.tickets_table)
            print(ready_message(ports, app.app_name, queue), flush=True)
            print(_data_message(options.state_dir, restored), flush=True)
            code = chalice.wait()
            logger.error("the API server exited with code %s; stopping", code)
            status = 1
        except KeyboardInterrupt:
            print("Stopping...", flush=True)
            status = 0
        finally:
            # A second Ctrl-C must not cut the clean-up short and leave the API server behind.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_IGN)
    print("Stopped.", flush=True)
    return status


def ready_message(ports: Ports, app_name: str, submissions_queue: str) -> str:
    """URLs and commands that work when pasted as printed (in another terminal)."""
    api, sfn, moto = (aws.endpoint(port, host="localhost") for port in (ports.api, ports.sfn, ports.aws))
    venv_bin = Path(sys.executable).parent
    queue_url = f"{moto}/{aws.ACCOUNT_ID}"
    seed = json.dumps(SEED_REQUEST, separators=(",", ":"))
    environment = " ".join(
        f"{name}={shlex.quote(value)}"
        for name, value in {
            **aws.DUMMY_CREDENTIALS,
            "AWS_DEFAULT_REGION": aws.REGION,
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        }.items()
    )
    entries = [{
        "Source": names.EVENT_SOURCE,
        "DetailType": names.SUBMITTED_DETAIL_TYPE,
        "Detail": json.dumps({"message": "Hello from EventBridge"}),
    }]
    express_arn = offline.state_machine_arn(names.EXPRESS_STATE_MACHINE)
    commands = [
        f"curl -s -X POST {api}/contact -H 'Content-Type: application/json' -d {shlex.quote(seed)}",
        f'export {environment} PATH="{venv_bin}:$PATH"',
        f"aws stepfunctions start-sync-execution --endpoint-url {sfn} "
        f"--state-machine-arn {express_arn} --input {shlex.quote(seed)}",
        f"aws sqs send-message --endpoint-url {moto} --queue-url {queue_url}/{submissions_queue} "
        f"--message-body {shlex.quote(json.dumps({'message': 'Hello from SQS'}))}",
        f"aws events put-events --endpoint-url {moto} --entries {shlex.quote(json.dumps(entries))}",
        f"aws sqs receive-message --endpoint-url {moto} --queue-url {queue_url}/{PROCESSED_EVENTS_QUEUE} "
        "--max-number-of-messages 10",
        f"make tickets AWS_PORT={ports.aws}",
        f"make emails AWS_PORT={ports.aws}",
    ]
    return "\n".join([
        f"{READY_MARKER} {app_name} runs offline. Stop it with Ctrl-C.",
        "",
        f"  Contact form    {api}/",
        f"  API             POST {api}/contact",
        f"  Step Functions  {sfn}  (state machines {names.EXPRESS_STATE_MACHINE}, {names.PARENT_STATE_MACHINE})",
        f"  Console         {sfn}/  (executions, workflow picture, monitoring, logs)",
        f"  AWS (moto)      {moto}  (dashboard {moto}/moto-api/)",
        "",
        "Try it from another terminal in this directory:",
        "",
        *(f"  {command}" for command in commands),
        "",
    ])


def _data_message(state_dir: Path, restored: int) -> str:
    where = _relative(state_dir)
    kept = f"{restored} item(s), message(s) and email(s) restored from" if restored else "Data is kept in"
    return (
        f"{kept} {where} (start empty: make run FRESH=1).\n"
        "Edits to app.py, chalicelib/ and statemachine/*.asl.json are live in about a second; no restart needed.\n"
    )


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
