"""Local stand-in for EventBridge schedules: each `@app.schedule` handler called on a timer.

On AWS the digest runs every DIGEST_INTERVAL_SECONDS (a stack parameter, 5 minutes by default);
under `make run` every 30 seconds unless the variable says otherwise. The handler gets the event
EventBridge sends a scheduled Lambda; a failing run is logged and the next one comes on time.
"""
from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, ScheduledEventConfig

from localdev import aws
from localdev.delivery import lambda_context
from localdev.project import function_name

logger = logging.getLogger("localdev.schedules")

DEFAULT_INTERVAL_SECONDS = 30


class Schedule(threading.Thread):
    """Calls one scheduled handler every ``interval`` seconds until stopped."""

    def __init__(self, current_app: Callable[[], Chalice], handler_name: str, interval: float) -> None:
        super().__init__(name=f"schedule:{handler_name}", daemon=True)
        # The app as live edits left it: each run calls the handler as it is now.
        self._current_app = current_app
        self.handler_name = handler_name
        self._interval = interval
        self._stopping = threading.Event()
        self.runs = 0

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.run_once()

    def run_once(self) -> Any:
        app = self._current_app()
        name = function_name(app, self.handler_name)
        self.runs += 1
        try:
            return app.handler_map[self.handler_name](scheduled_event(name), lambda_context(name))
        except Exception:
            logger.exception("scheduled run of %s failed", self.handler_name)
            return None


def scheduled_event(function: str) -> dict[str, Any]:
    """The event EventBridge gives a Lambda its schedule rule targets."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": aws.ACCOUNT_ID,
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": aws.REGION,
        "resources": [f"arn:aws:events:{aws.REGION}:{aws.ACCOUNT_ID}:rule/{function}-event"],
        "detail": {},
    }


def start(current_app: Callable[[], Chalice], interval: float) -> list[Schedule]:
    """Start a timer for every scheduled handler of the app."""
    schedules = [
        Schedule(current_app, source.name, interval)
        for source in current_app().event_sources
        if isinstance(source, ScheduledEventConfig)
    ]
    for schedule in schedules:
        schedule.start()
        logger.info("%s runs every %s s", schedule.handler_name, interval)
    return schedules
