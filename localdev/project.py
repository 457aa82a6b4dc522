"""Where the project is and what its `local` Chalice stage says, read without `chalice.cli`.

`chalice.cli` imports inquirer/blessed, which query the terminal at import and wait ~10 s for an
answer a pipe or a plain pseudo-terminal never gives; only `chalice.config` is used here.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chalice.app import Chalice
from chalice.config import Config

from chalicelib import names

PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "local"


@dataclass(frozen=True)
class LocalSettings:
    """The names the local stage uses; defaults are the product's contract names."""

    tickets_table: str = names.TICKETS_TABLE
    idempotency_table: str = names.IDEMPOTENCY_TABLE
    counters_table: str = names.COUNTERS_TABLE
    sender_email: str = "no-reply@example.com"
    admin_email: str = "admin@example.com"
    event_bus: str = names.EVENT_BUS

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> LocalSettings:
        defaults = cls()
        return cls(
            tickets_table=env.get("TICKETS_TABLE", defaults.tickets_table),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", defaults.idempotency_table),
            counters_table=env.get("COUNTERS_TABLE", defaults.counters_table),
            sender_email=env.get("SENDER_EMAIL", defaults.sender_email),
            admin_email=env.get("ADMIN_EMAIL", defaults.admin_email),
            event_bus=env.get("EVENT_BUS_NAME", defaults.event_bus),
        )


def chalice_config(project_dir: Path = PROJECT_DIR, app: Chalice | None = None) -> Config:
    """The `local` stage of .chalice/config.json, as `chalice local` builds it."""
    from_disk = json.loads((project_dir / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return Config(
        chalice_stage=STAGE,
        user_provided_params={"chalice_app": app} if app is not None else {},
        config_from_disk=from_disk,
        default_params={"project_dir": str(project_dir), "api_gateway_stage": "api", "autogen_policy": True},
    )


def stage_environment(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """The `local` stage's environment variables from .chalice/config.json."""
    return dict(chalice_config(project_dir).environment_variables)


def apply_stage_environment(project_dir: Path = PROJECT_DIR) -> None:
    """What Chalice does before importing app.py: the stage's variables into os.environ."""
    os.environ.update(stage_environment(project_dir))


def function_name(app: Chalice, handler: str) -> str:
    """The deployed Lambda name Chalice gives a handler, e.g. ``contact-form-local-notify_admin``."""
    return f"{app.app_name}-{STAGE}-{handler}"
