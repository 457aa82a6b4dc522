"""`make install` on a Python without ensurepip (Debian's python3 without python3.X-venv)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fake_machine import DEBIAN, FEDORA, FakeMachine
from tools import venv
from tools.system import SetupStopped


def test_debian_as_root_installs_the_venv_package(tmp_path: Path) -> None:
    # GIVEN Debian, as root, a Python without ensurepip
    machine = FakeMachine(tmp_path, DEBIAN)
    # WHEN make install prepares the venv
    venv.install(machine.which, is_root=True, run=machine.run, os_release=machine.os_release, package="python3.11-venv")
    # THEN apt-get installs the package that holds ensurepip
    assert machine.commands[-1][-1] == "python3.11-venv"
    assert machine.commands[0][-2:] == ["update", "-q"]


def test_debian_user_without_sudo_gets_the_command(tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, DEBIAN)
    with pytest.raises(SetupStopped, match=r"sudo apt-get install -y python3.11-venv"):
        venv.install(machine.which, is_root=False, run=machine.run, os_release=machine.os_release,
                     package="python3.11-venv")


def test_other_systems_are_told_what_python_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(venv.sys, "platform", "linux")
    machine = FakeMachine(tmp_path, FEDORA)
    with pytest.raises(SetupStopped, match="includes ensurepip"):
        venv.install(machine.which, is_root=True, run=machine.run, os_release=machine.os_release)
    assert machine.commands == []


def test_package_is_named_for_the_running_python() -> None:
    assert venv.venv_package((3, 12)) == "python3.12-venv"

