"""Imports a project's app.py afresh (app and chalicelib), keeping the last good import if it fails.

Both processes of `make run` use it: the API server, and localdev itself, whose Lambdas the local
Step Functions and the queue pollers call. A fresh import is a new ``app`` module and a new
``chalicelib`` package, so module-level caches (boto3 clients, the page) start again too.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

from chalice.app import Chalice

# The top-level names a project's code lives under; everything else (chalice, boto3...) stays loaded.
PROJECT_PACKAGES = ("app", "chalicelib")


class AppImportFailed(Exception):
    """app.py (or what it imports) raised; the message is the traceback, trimmed to the project's frames."""


def _is_project_module(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in PROJECT_PACKAGES)


def import_app(project_dir: Path) -> Chalice:
    """``app.app`` from ``project_dir``, imported afresh; on failure the previous modules are put back."""
    directory = str(project_dir)
    if directory in sys.path:
        sys.path.remove(directory)
    sys.path.insert(0, directory)
    previous = {name: module for name, module in sys.modules.items() if _is_project_module(name)}
    for name in previous:
        del sys.modules[name]
    importlib.invalidate_caches()
    try:
        app = importlib.import_module("app").app
        if not isinstance(app, Chalice):
            raise TypeError(f"app.app is a {type(app).__name__}, not a Chalice app")
        return app
    except Exception as error:
        for name in [name for name in sys.modules if _is_project_module(name)]:
            del sys.modules[name]
        sys.modules.update(previous)
        raise AppImportFailed(_project_traceback(error, directory)) from None


def _project_traceback(error: Exception, directory: str) -> str:
    """The traceback's frames in the project only (importlib's and ours say nothing to the user)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(directory)]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()
