"""The local Step Functions endpoint with the product's state machines and the app's Lambdas."""
from __future__ import annotations

from typing import Any

from chalice.app import Chalice

from localdev import aws, observability
from localdev.project import PROJECT_DIR, STAGE, LocalSettings, function_name

EXPRESS_NAME = "contact-form-processing"
PARENT_NAME = "contact-form-parent"
_ROLE_ARN = f"arn:aws:iam::{aws.ACCOUNT_ID}:role/contact-form-{STAGE}-stepfunctions"


def state_machine_arn(name: str) -> str:
    return f"arn:aws:states:{aws.REGION}:{aws.ACCOUNT_ID}:stateMachine:{name}"


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:{name}"


def definition(file_name: str, substitutions: dict[str, str]) -> str:
    """An ASL file with ``${Key}`` replaced as CloudFormation's DefinitionSubstitutions do (nothing else)."""
    text = (PROJECT_DIR / "statemachine" / file_name).read_text()
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    return text


def substitutions(app: Chalice, settings: LocalSettings) -> dict[str, str]:
    return {
        "GenerateTicketIdFunctionArn": lambda_arn(function_name(app, "generate_ticket_id")),
        "NotifyAdminFunctionArn": lambda_arn(function_name(app, "notify_admin")),
        "TicketsTableName": settings.tickets_table,
        "ContactFormStateMachineArn": state_machine_arn(EXPRESS_NAME),
    }


def start(app: Chalice, settings: LocalSettings, sfn_port: int) -> Any:
    """Serve the runtime on ``sfn_port``; the app's handlers run in this process when a workflow calls them."""
    import stepfunctions_local

    runtime = stepfunctions_local.Runtime()
    runtime.register_chalice_app(app, stage=STAGE)
    client = runtime.client()
    values = substitutions(app, settings)
    for name, file_name, kind in (
        (EXPRESS_NAME, "contact_form.asl.json", "EXPRESS"),
        (PARENT_NAME, "parent.asl.json", "STANDARD"),
    ):
        client.create_state_machine(
            name=name, definition=definition(file_name, values), roleArn=_ROLE_ARN, type=kind,
            loggingConfiguration=observability.logging_configuration(name),
        )
    server = stepfunctions_local.serve(runtime, host="127.0.0.1", port=sfn_port)
    observability.attach(server, settings, [EXPRESS_NAME, PARENT_NAME])
    return server
