"""The one builder of the offline Step Functions: a runtime with the app's Lambdas and both machines.

`make run`, the workflow tests and the reliability tests all build it here, so the machines, the
ARNs and the ASL substitutions are the same everywhere. Names come from chalicelib/names.py.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import ClientError
from chalice.app import Chalice

from chalicelib import names
from localdev.aws import ACCOUNT_ID, REGION
from localdev.observability import logging_configuration
from localdev.project import PROJECT_DIR, STAGE

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{names.APP_NAME}-{STAGE}-stepfunctions"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


class DefinitionRejected(Exception):
    """An ASL file could not be read, had an unknown ``${Key}``, or Step Functions refused it."""


@dataclass(frozen=True)
class Machine:
    name: str
    file_name: str
    type: Literal["EXPRESS", "STANDARD"]


EXPRESS = Machine(names.EXPRESS_STATE_MACHINE, names.EXPRESS_DEFINITION_FILE, "EXPRESS")
PARENT = Machine(names.PARENT_STATE_MACHINE, names.PARENT_DEFINITION_FILE, "STANDARD")
MACHINES = (EXPRESS, PARENT)


def state_machine_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"


def function_arn(handler: str, app_name: str = names.APP_NAME) -> str:
    """The ARN of a Chalice handler deployed as ``<app>-<stage>-<handler>``."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{app_name}-{STAGE}-{handler}"


def substitutions(tickets_table: str, app_name: str = names.APP_NAME) -> dict[str, str]:
    """The values CloudFormation's DefinitionSubstitutions give the ASL files (deploy/resources.yaml)."""
    return {
        names.GENERATE_TICKET_ID_ARN_KEY: function_arn(names.GENERATE_TICKET_ID_FUNCTION, app_name),
        names.NOTIFY_ADMIN_ARN_KEY: function_arn(names.NOTIFY_ADMIN_FUNCTION, app_name),
        names.TICKETS_TABLE_NAME_KEY: tickets_table,
        names.CONTACT_FORM_STATE_MACHINE_ARN_KEY: state_machine_arn(names.EXPRESS_STATE_MACHINE),
    }


def definition(file_name: str, values: dict[str, str], project_dir: Path = PROJECT_DIR) -> str:
    """An ASL file with every ``${Key}`` replaced, as CloudFormation does; an unknown key is an error."""
    path = project_dir / "statemachine" / file_name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionRejected(f"{path}: {error.strerror}") from None
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - values.keys())
    if unknown:
        raise DefinitionRejected(f"{path}: no value for ${{{unknown[0]}}}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


class OfflineWorkflows:
    """The runtime given, with ``app``'s Lambdas registered and both machines created from their files."""

    def __init__(self, runtime: Any, app: Chalice, tickets_table: str, project_dir: Path = PROJECT_DIR) -> None:
        self.runtime = runtime
        self.project_dir = project_dir
        self._values = substitutions(tickets_table, app.app_name)
        self.register(app)
        client = runtime.client()
        self.arns = {
            machine.file_name: client.create_state_machine(
                name=machine.name, type=machine.type, roleArn=ROLE_ARN, definition=self.definition(machine),
                loggingConfiguration=logging_configuration(machine.name),
            )["stateMachineArn"]
            for machine in MACHINES
        }

    @property
    def express_arn(self) -> str:
        return self.arns[EXPRESS.file_name]

    @property
    def parent_arn(self) -> str:
        return self.arns[PARENT.file_name]

    def definition(self, machine: Machine) -> str:
        return definition(machine.file_name, self._values, self.project_dir)

    def register(self, app: Chalice) -> None:
        """(Re-)register every Lambda of ``app``: the next task a workflow runs calls these handlers."""
        self.runtime.register_chalice_app(app, stage=STAGE)

    def update(self, file_name: str) -> str:
        """UpdateStateMachine from the file as it is now; returns the machine's name."""
        machine = next(machine for machine in MACHINES if machine.file_name == file_name)
        text = self.definition(machine)
        try:
            json.loads(text)
            self.runtime.client().update_state_machine(stateMachineArn=self.arns[file_name], definition=text)
        except ValueError as error:
            raise DefinitionRejected(f"statemachine/{file_name} is not JSON: {error}") from None
        except ClientError as error:  # InvalidDefinition, with the runtime's AWS-exact message
            raise DefinitionRejected(f"statemachine/{file_name} was refused: {error}") from None
        return machine.name
