"""Where the project is and what its `local` Chalice stage says (one source of truth for names)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chalice.app import Chalice
from chalice.cli.factory import CLIFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "local"


@dataclass(frozen=True)
class LocalSettings:
    """The names the local stage uses; defaults are the product's contract names."""

    tickets_table: str = "contact-form-tickets"
    idempotency_table: str = "contact-form-idempotency"
    counters_table: str = "contact-form-counters"
    sender_email: str = "no-reply@example.com"
    admin_email: str = "admin@example.com"
    event_bus: str = "default"

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


def _factory() -> CLIFactory:
    return CLIFactory(str(PROJECT_DIR), environ=os.environ)


def stage_environment() -> dict[str, str]:
    """The `local` stage's environment variables from .chalice/config.json."""
    return dict(_factory().create_config_obj(chalice_stage_name=STAGE).environment_variables)


def load_app() -> Chalice:
    """Import app.py as `chalice local` does, with the local stage's environment applied to os.environ."""
    return _factory().load_chalice_app(stage_environment())


def function_name(app: Chalice, handler: str) -> str:
    """The deployed Lambda name Chalice gives a handler, e.g. ``contact-form-local-notify_admin``."""
    return f"{app.app_name}-{STAGE}-{handler}"
