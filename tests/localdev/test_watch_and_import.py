"""What `make run` watches, and how a fresh import of app.py keeps the last good one on failure."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from localdev.appimport import AppImportFailed, import_app
from localdev.watch import Watcher, changes, snapshot

APP = '''from chalice import Chalice
from chalicelib import version
app = Chalice(app_name="demo-" + version.VALUE)
'''


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "chalicelib").mkdir()
    (tmp_path / "chalicelib" / "__init__.py").write_text("")
    (tmp_path / "chalicelib" / "version.py").write_text('VALUE = "one"\n')
    (tmp_path / "statemachine").mkdir()
    (tmp_path / "statemachine" / "flow.asl.json").write_text("{}")
    (tmp_path / "statemachine" / "notes.txt").write_text("not watched")
    (tmp_path / "app.py").write_text(APP)
    # The project's own app and chalicelib come back after the test.
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] in {"app", "chalicelib"}}
    saved_path = list(sys.path)
    yield tmp_path
    for name in [name for name in sys.modules if name.split(".")[0] in {"app", "chalicelib"}]:
        del sys.modules[name]
    sys.modules.update(saved)
    sys.path[:] = saved_path


def test_code_page_and_workflows_are_watched_and_nothing_else(project: Path) -> None:
    watched = {path.relative_to(project).as_posix() for path in snapshot(project)}
    assert watched == {"app.py", "chalicelib/__init__.py", "chalicelib/version.py", "statemachine/flow.asl.json"}


def test_added_changed_and_removed_files_are_changes(project: Path) -> None:
    before = snapshot(project)
    (project / "chalicelib" / "version.py").write_text('VALUE = "two, longer"\n')
    (project / "chalicelib" / "new.py").write_text("")
    (project / "statemachine" / "flow.asl.json").unlink()
    assert {path.name for path in changes(before, snapshot(project))} == {"version.py", "new.py", "flow.asl.json"}


def test_watcher_reports_an_edit_once(project: Path) -> None:
    seen: list[set[Path]] = []
    watcher = Watcher(project, seen.append)
    (project / "app.py").write_text(APP + "# edited, longer\n")
    watcher.poll_once()
    watcher.poll_once()
    assert seen == [{project / "app.py"}]


def test_fresh_import_picks_up_edits_in_chalicelib(project: Path) -> None:
    assert import_app(project).app_name == "demo-one"
    (project / "chalicelib" / "version.py").write_text('VALUE = "two"\n')
    assert import_app(project).app_name == "demo-two"


def test_failed_import_names_the_file_and_keeps_the_last_good_modules(project: Path) -> None:
    # GIVEN a good import
    good = import_app(project)
    # WHEN chalicelib is saved broken
    (project / "chalicelib" / "version.py").write_text("VALUE = (\n")
    with pytest.raises(AppImportFailed) as failed:
        import_app(project)
    # THEN the error names the file and the problem, and the last good modules are still loaded
    assert "version.py" in str(failed.value) and "SyntaxError" in str(failed.value)
    assert sys.modules["app"].app is good
    assert sys.modules["chalicelib.version"].VALUE == "one"
