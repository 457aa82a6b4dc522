"""Makes sure ``python -m venv`` can create a venv with pip in it, before `make install` tries.

Debian and Ubuntu ship Python without ``ensurepip`` unless ``python3.X-venv`` is installed; then
``python3 -m venv`` fails half-way and leaves a venv without pip. Run with the interpreter that
will create the venv (`make`'s ``PYTHON``): ``python3 -m tools.venv``.
"""
from __future__ import annotations

import os
import subprocess
import sys
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


def has_ensurepip(python: str = sys.executable) -> bool:
    """True when ``python`` can put pip into a new venv (no network needed: the wheel is bundled)."""
    probe = subprocess.run(
        [python, "-m", "ensurepip", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return probe.returncode == 0


def venv_package(version: tuple[int, int] = sys.version_info[:2]) -> str:
    """Debian's package that holds ensurepip for this Python, e.g. ``python3.11-venv``."""
    return f"python{version[0]}.{version[1]}-venv"


def install(
    which: Which,
    *,
    is_root: bool,
    run: Run = run_command,
    os_release: Path = OS_RELEASE,
    package: str | None = None,
) -> None:
    """Install the venv package when apt may be used; else raise SetupStopped with the one command."""
    package = package or venv_package()
    apt = find_apt(which, is_root, run, os_release)
    if apt.usable:
        print(f"Installing {package}: this Python cannot create a venv with pip (apt-get)...", flush=True)
        if apt.install([package], run):
            return
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if is_debian_like(os_release):
        fix = apt_fix([package], is_root)
    elif sys.platform == "darwin":
        fix = f"brew install python@{version}"
    else:
        fix = f"install a Python {version} that includes ensurepip (python.org's builds do), then make PYTHON=<it>"
    raise SetupStopped(f"This Python cannot create a virtual environment with pip in it. Fix it with:\n\n    {fix}\n")


def main() -> int:
    if has_ensurepip():
        return 0
    try:
        install(default_which(os.environ), is_root=running_as_root())
    except SetupStopped as stop:
        print(stop, file=sys.stderr)
        return 2
    if not has_ensurepip():
        print("ensurepip is still missing after the install; see the apt-get output above.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
