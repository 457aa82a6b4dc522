"""Notices edits to the project's code and workflows by polling file times (no extra dependency).

Watched: ``app.py``, everything under ``chalicelib/`` (the page included) and
``statemachine/*.asl.json``. A poll every half second of a few dozen files costs nothing measurable.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger("localdev.watch")

POLL_SECONDS = 0.5
# (modification time in ns, size) of each watched file
Snapshot = dict[Path, tuple[int, int]]


def watched_files(project_dir: Path) -> Iterator[Path]:
    yield project_dir / "app.py"
    for path in (project_dir / "chalicelib").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path
    yield from (project_dir / "statemachine").glob("*.asl.json")


def snapshot(project_dir: Path) -> Snapshot:
    files: Snapshot = {}
    for path in watched_files(project_dir):
        try:
            stat = path.stat()
        except OSError:  # removed between listing and stat
            continue
        files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


def changes(before: Snapshot, after: Snapshot) -> set[Path]:
    """Files added, removed or modified."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Watcher(threading.Thread):
    """Calls ``on_change(paths)`` from its own thread after files changed; one call per poll at most."""

    def __init__(self, project_dir: Path, on_change: Callable[[set[Path]], None], interval: float = POLL_SECONDS):
        super().__init__(name="watcher", daemon=True)
        self._project_dir = project_dir
        self._on_change = on_change
        self._interval = interval
        self._stopping = threading.Event()
        self._seen = snapshot(project_dir)

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.poll_once()

    def poll_once(self) -> None:
        current = snapshot(self._project_dir)
        changed = changes(self._seen, current)
        self._seen = current
        if changed:
            try:
                self._on_change(changed)
            except Exception:
                # The watcher must outlive any surprise, or no later edit would ever be seen.
                logger.exception("reloading after an edit failed unexpectedly")
