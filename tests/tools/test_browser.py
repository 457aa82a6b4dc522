"""How `make test` finds or installs its browser: a fake PATH, a fake os-release, recorded commands."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fake_machine import DEBIAN, FEDORA, UBUNTU, FakeMachine
from tools import browser
from tools.browser import Browser
from tools.system import SetupStopped


def no_manager(binary: str | None) -> Browser | None:
    return None


def ensure(machine: FakeMachine, *, is_root: bool = True, env: dict[str, str] | None = None, manager=no_manager):
    return browser.ensure(
        env or machine.env, machine.which, is_root=is_root, run=machine.run, manager=manager,
        os_release=machine.os_release,
    )


def test_browser_on_path_is_used_without_installing(tmp_path: Path) -> None:
    # GIVEN Chromium and its driver on PATH
    machine = FakeMachine(tmp_path, DEBIAN, "chromium", "chromedriver")
    # WHEN make test looks for a browser
    found = ensure(machine)
    # THEN it uses them and runs nothing
    assert found == Browser(str(machine.bin / "chromium"), str(machine.bin / "chromedriver"))
    assert machine.commands == []


def test_google_chrome_on_path_is_found(tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, FEDORA, "google-chrome", "chromedriver")
    assert ensure(machine).binary == str(machine.bin / "google-chrome")


def test_environment_variables_beat_path(tmp_path: Path) -> None:
    # GIVEN Chromium on PATH, and the user's own Chrome named in the environment
    machine = FakeMachine(tmp_path, DEBIAN, "chromium", "chromedriver")
    chrome, driver = machine.add("my-chrome"), machine.add("my-driver")
    # WHEN make test looks for a browser
    found = ensure(machine, env={**machine.env, "CHROME_BINARY": chrome, "CHROMEDRIVER": driver})
    # THEN the user's choice wins
    assert found == Browser(chrome, driver)


def test_environment_variable_naming_a_missing_file_stops_with_its_name(tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, DEBIAN, "chromium", "chromedriver")
    with pytest.raises(SetupStopped, match="CHROME_BINARY=/nowhere/chrome does not exist"):
        ensure(machine, env={**machine.env, "CHROME_BINARY": "/nowhere/chrome"})


def test_debian_as_root_installs_chromium_and_driver_with_apt(tmp_path: Path) -> None:
    # GIVEN a fresh Debian machine, as root, without a browser
    machine = FakeMachine(tmp_path, DEBIAN)
    # WHEN make test looks for a browser
    found = ensure(machine)
    # THEN apt-get updates its lists, installs both packages non-interactively, and they are used
    assert [command[-3:] for command in machine.commands] == [
        ["apt-get", "update", "-q"], ["--no-install-recommends", "chromium", "chromium-driver"],
    ]
    assert all("DEBIAN_FRONTEND=noninteractive" in command for command in machine.commands)
    assert found == Browser(str(machine.bin / "chromium"), str(machine.bin / "chromedriver"))


def test_ubuntu_user_with_passwordless_sudo_installs_through_sudo(tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, UBUNTU, "sudo")
    machine.sudo_allowed = True
    ensure(machine, is_root=False)
    assert machine.commands[0] == ["sudo", "-n", "true"]
    assert all(command[:2] == ["sudo", "-n"] for command in machine.commands[1:])


def test_debian_user_without_sudo_gets_the_command_to_run(tmp_path: Path) -> None:
    # GIVEN Debian, not root, sudo asking for a password
    machine = FakeMachine(tmp_path, DEBIAN, "sudo")
    # WHEN make test looks for a browser
    # THEN it stops with the one command that fixes it, and installed nothing
    with pytest.raises(SetupStopped, match=r"sudo apt-get install -y chromium chromium-driver"):
        ensure(machine, is_root=False)
    assert machine.commands == [["sudo", "-n", "true"]]


def test_failed_apt_install_stops_with_the_command(tmp_path: Path) -> None:
    machine = FakeMachine(tmp_path, DEBIAN)
    machine.apt_installs = ()  # apt ran, but offered no chromium
    with pytest.raises(SetupStopped, match=r"\n    apt-get install -y chromium chromium-driver"):
        ensure(machine)


def test_selenium_manager_supplies_a_missing_driver(tmp_path: Path) -> None:
    # GIVEN Chrome on PATH without chromedriver, on a machine without apt
    machine = FakeMachine(tmp_path, FEDORA, "google-chrome")
    asked: list[str | None] = []

    def manager(binary: str | None) -> Browser | None:
        asked.append(binary)
        return Browser(binary, "/cache/selenium/chromedriver")

    # WHEN make test looks for a browser
    found = ensure(machine, manager=manager)
    # THEN Selenium Manager is asked for the driver of that Chrome
    assert asked == [str(machine.bin / "google-chrome")]
    assert found == Browser(str(machine.bin / "google-chrome"), "/cache/selenium/chromedriver")


def test_no_browser_anywhere_stops_naming_the_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a Linux machine that is not Debian, without a browser, and Selenium Manager offline
    monkeypatch.setattr(browser.sys, "platform", "linux")
    machine = FakeMachine(tmp_path, FEDORA)
    # THEN make test stops (never skips) and says how to point it at a browser
    with pytest.raises(SetupStopped, match="export CHROME_BINARY=/path/to/chrome CHROMEDRIVER="):
        ensure(machine)
    assert machine.commands == []


def test_find_never_installs(tmp_path: Path) -> None:
    # GIVEN a Debian machine without a browser (what the browser tests' fixture sees)
    machine = FakeMachine(tmp_path, DEBIAN)
    # THEN looking for one raises instead of running apt
    with pytest.raises(SetupStopped, match="Chrome or Chromium"):
        browser.find(machine.env, machine.which, manager=no_manager)
    assert machine.commands == []
