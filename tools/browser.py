"""The Chrome/Chromium and chromedriver the browser tests drive: found, installed, or a clear stop.

Looked for in this order, so a user's choice always wins:

1. ``CHROME_BINARY`` / ``CHROMEDRIVER`` in the environment;
2. ``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable`` and
   ``chromedriver`` on PATH (and Chrome's usual place on macOS);
3. on Debian/Ubuntu as root (or with password-less sudo): ``apt-get install chromium chromium-driver``;
4. Selenium Manager (shipped with selenium), which finds an installed Chrome or fetches one.

If none works, `make test` stops with the one command that would fix it; the browser tests are
never skipped. ``python -m tools.browser`` is what `make test` runs first.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tools.system import (
    OS_RELEASE,
    Run,
    SetupStopped,
    Which,
    apt_fix,
    default_which,
    find_apt,
    is_debian_like,
    run_command,
    running_as_root,
)

BINARY_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_NAME = "chromedriver"
APT_PACKAGES = ("chromium", "chromium-driver")
MACOS_BINARIES = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)


@dataclass(frozen=True)
class Browser:
    """A browser binary and its driver; a driver of None is left to Selenium Manager at start."""

    binary: str | None
    driver: str | None

    @property
    def complete(self) -> bool:
        return self.binary is not None and self.driver is not None


# Asked for a browser (given the binary already known, or None); answers one, or None when it cannot.
Manager = Callable[["str | None"], "Browser | None"]


def locate(env: Mapping[str, str], which: Which, exists: Callable[[str], bool] = os.path.exists) -> Browser:
    """What the environment and PATH offer, without installing anything; raises for a wrong variable."""
    for variable in ("CHROME_BINARY", "CHROMEDRIVER"):
        path = env.get(variable)
        if path and not exists(path):
            raise SetupStopped(f"{variable}={path} does not exist; point it at the file or unset it.")
    binary = env.get("CHROME_BINARY") or next(filter(None, map(which, BINARY_NAMES)), None)
    if binary is None:
        binary = next((path for path in MACOS_BINARIES if exists(path)), None)
    return Browser(binary, env.get("CHROMEDRIVER") or which(DRIVER_NAME))


def selenium_manager(binary: str | None) -> Browser | None:
    """Selenium Manager's answer for Chrome (it may download a driver or a browser), or None."""
    try:
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.selenium_manager import SeleniumManager
    except ImportError:
        return None
    arguments = ["--browser", "chrome", *(["--browser-path", binary] if binary else [])]
    try:
        paths = SeleniumManager().binary_paths(arguments)
    except (WebDriverException, OSError):
        return None
    if not paths.get("driver_path"):
        return None
    return Browser(paths.get("browser_path") or binary, paths["driver_path"])


def find(env: Mapping[str, str], which: Which, manager: Manager = selenium_manager) -> Browser:
    """A usable browser without installing packages (what the tests call); raises SetupStopped."""
    found = locate(env, which)
    if found.complete:
        return found
    managed = manager(found.binary)
    if managed is not None:
        return managed
    raise SetupStopped(_missing(found, fix_command(running_as_root(), OS_RELEASE)))


def ensure(
    env: Mapping[str, str],
    which: Which,
    *,
    is_root: bool,
    run: Run = run_command,
    manager: Manager = selenium_manager,
    os_release: Path = OS_RELEASE,
) -> Browser:
    """Like find, but installs Debian's packages first when it may (what `make test` runs)."""
    found = locate(env, which)
    if found.complete:
        return found
    apt = find_apt(which, is_root, run, os_release)
    if apt.usable:
        print(f"Installing {' '.join(APT_PACKAGES)} for the browser tests (apt-get)...", flush=True)
        if apt.install(APT_PACKAGES, run):
            found = locate(env, which)
            if found.complete:
                return found
    managed = manager(found.binary)
    if managed is not None:
        return managed
    raise SetupStopped(_missing(found, fix_command(is_root, os_release)))


def fix_command(is_root: bool, os_release: Path) -> str:
    """The one command that gives this machine a browser for the tests."""
    if is_debian_like(os_release):
        return apt_fix(APT_PACKAGES, is_root)
    if sys.platform == "darwin":
        return "brew install --cask google-chrome"
    return "export CHROME_BINARY=/path/to/chrome CHROMEDRIVER=/path/to/chromedriver"


def _missing(found: Browser, fix: str) -> str:
    what = "chromedriver" if found.binary else "Chrome or Chromium (and chromedriver)"
    return f"The browser tests need {what}, and none could be installed or fetched. Fix it with:\n\n    {fix}\n"


def main() -> int:
    try:
        browser = ensure(os.environ, default_which(os.environ), is_root=running_as_root())
    except SetupStopped as stop:
        print(stop, file=sys.stderr)
        return 2
    print(f"browser: {browser.binary or 'found by Selenium Manager'}; driver: {browser.driver}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
