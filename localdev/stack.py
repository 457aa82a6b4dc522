"""`make run`: starts every piece in order, prints how to use it, stops everything on Ctrl-C or SIGTERM."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from chalicelib import settings as app_settings
from localdev import aws, chalice_local, delivery, inprocess_aws, stepfunctions, warmup
from localdev.ports import ensure_free
from localdev.project import LocalSettings, load_app
from localdev.provision import PROCESSED_EVENTS_QUEUE, provision

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


def run(ports: Ports, deliveries: int = 1) -> int:
    """Run the stack in the foreground until interrupted; raises ports.PortUnavailable before starting anything."""
    ensure_free(ports.by_variable())
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    env = aws.local_environment(ports.aws, ports.sfn)
    aws.apply_environment(env)
    with contextlib.ExitStack() as running:
        try:
            # chalice local loads the app in its own process meanwhile; it is waited for last.
            chalice = chalice_local.start(ports.api, env)
            running.callback(chalice_local.stop, chalice)
            moto = aws.start_moto(ports.aws)
            inprocess_aws.route_in_process(aws.endpoint(ports.aws))
            running.callback(moto.stop)
            app = load_app()
            settings = LocalSettings.from_environment(os.environ)
            consumers = provision(app, settings, ports.aws)
            sfn = stepfunctions.start(app, settings, ports.sfn)
            running.callback(sfn.shutdown)
            for poller in delivery.start_pollers(app, consumers, ports.aws, deliveries):
                running.callback(poller.stop)
            chalice_local.wait_until_listening(chalice, ports.api)
            queue = next(consumer.queue_name for consumer in consumers if consumer.kind == "sqs")
            warmup.warm_stack(ports.aws, aws.endpoint(ports.api), sfn.runtime, settings.tickets_table)
            print(ready_message(ports, app.app_name, queue), flush=True)
            code = chalice.wait()
            logger.error("chalice local exited with code %s; stopping", code)
            status = 1
        except KeyboardInterrupt:
            print("Stopping...", flush=True)
            status = 0
        finally:
            # A second Ctrl-C must not cut the clean-up short and leave chalice local behind.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_IGN)
    print("Stopped.", flush=True)
    return status


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
        "Source": app_settings.EVENT_SOURCE,
        "DetailType": app_settings.SUBMITTED_DETAIL_TYPE,
        "Detail": json.dumps({"message": "Hello from EventBridge"}),
    }]
    express_arn = stepfunctions.state_machine_arn(stepfunctions.EXPRESS_NAME)
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
        f"  Step Functions  {sfn}  (state machines {stepfunctions.EXPRESS_NAME}, {stepfunctions.PARENT_NAME})",
        f"  AWS (moto)      {moto}  (dashboard {moto}/moto-api/)",
        "",
        "Try it from another terminal in this directory:",
        "",
        *(f"  {command}" for command in commands),
        "",
    ])
