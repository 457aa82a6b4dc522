"""Live edits under `make run`: an edit is served within a second, a broken one never is.

- app.py or chalicelib/ changed: app.py is imported afresh here; if that works, the local Step
  Functions' Lambdas and the queue deliveries use the new handlers, and the API server is told to
  import it too. If it fails, the error is printed and the last good version keeps serving
  everywhere (the API server is not even asked).
- statemachine/*.asl.json changed: UpdateStateMachine with the file as it is now; a file that is
  not JSON or not valid ASL is reported and the machine keeps its last good definition.

Nothing here touches the embedded AWS services, so no ticket, email or message is lost.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from chalice.app import Chalice

from localdev.appimport import AppImportFailed, import_app
from localdev.offline import MACHINES, DefinitionRejected, OfflineWorkflows

logger = logging.getLogger("localdev.live")


class LiveApp:
    """The app the Lambdas run now, swapped on each good edit."""

    def __init__(self, app: Chalice, workflows: OfflineWorkflows, reload_api: Callable[[], None]) -> None:
        self._app = app
        self._workflows = workflows
        self._reload_api = reload_api
        self._lock = threading.Lock()

    @property
    def app(self) -> Chalice:
        return self._app

    def apply(self, changed: set[Path]) -> None:
        """React to the files the watcher saw change (called from its thread)."""
        with self._lock:
            project_dir = self._workflows.project_dir
            asl = {path.name for path in changed if path.parent == project_dir / "statemachine"}
            if changed - {project_dir / "statemachine" / name for name in asl}:
                self._reload_code(project_dir)
            for file_name in sorted(asl & {machine.file_name for machine in MACHINES}):
                self._update_machine(file_name)

    def _reload_code(self, project_dir: Path) -> None:
        try:
            app = import_app(project_dir)
        except AppImportFailed as error:
            print(f"Edit not applied: app.py failed to import; the last good version keeps serving.\n{error}",
                  flush=True)
            return
        self._workflows.register(app)
        self._app = app
        self._reload_api()
        print("Reloaded app.py and chalicelib/ (API and Lambdas).", flush=True)

    def _update_machine(self, file_name: str) -> None:
        try:
            name = self._workflows.update(file_name)
        except DefinitionRejected as error:
            print(f"Edit not applied: {error}; the last good definition keeps running.", flush=True)
            return
        print(f"Updated state machine {name} from statemachine/{file_name}.", flush=True)
