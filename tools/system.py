"""What this machine can install by itself: Debian/Ubuntu packages through apt, as root or with sudo.

Every helper here takes the environment, a ``which`` and a ``run`` from its caller, so tests can
hand in a fake PATH and record the commands instead of installing anything.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Which = Callable[[str], "str | None"]
Run = Callable[[Sequence[str]], int]

OS_RELEASE = Path("/etc/os-release")


class SetupStopped(Exception):
    """Something `make` needs is missing and cannot be installed from here; the message says how."""


def run_command(command: Sequence[str]) -> int:
    """Run ``command`` with the user watching its output; return its exit status."""
    return subprocess.run(list(command), check=False).returncode


def default_which(env: Mapping[str, str]) -> Which:
    return lambda name: shutil.which(name, path=env.get("PATH", os.defpath))


def is_debian_like(os_release: Path = OS_RELEASE) -> bool:
    """True on Debian, Ubuntu and their derivatives (``ID`` or ``ID_LIKE`` names debian)."""
    try:
        text = os_release.read_text(encoding="utf-8")
    except OSError:
        return False
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    ids = f"{fields.get('ID', '')} {fields.get('ID_LIKE', '')}".replace('"', "").split()
    return "debian" in ids or "ubuntu" in ids


@dataclass(frozen=True)
class Apt:
    """How to run apt-get here: directly as root, through ``sudo -n``, or not at all."""

    prefix: tuple[str, ...] | None

    @property
    def usable(self) -> bool:
        return self.prefix is not None

    def install(self, packages: Sequence[str], run: Run = run_command) -> bool:
        """``apt-get update`` then ``apt-get install -y packages``; False when either fails."""
        if self.prefix is None:
            return False
        # sudo drops the caller's environment, so the non-interactive switch goes on its command line.
        apt = [*self.prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
        return (
            run([*apt, "update", "-q"]) == 0
            and run([*apt, "install", "-y", "-q", "--no-install-recommends", *packages]) == 0
        )


def find_apt(
    which: Which,
    is_root: bool,
    run: Run = run_command,
    os_release: Path = OS_RELEASE,
) -> Apt:
    """apt-get when this is Debian/Ubuntu and we may use it without a password prompt."""
    if not is_debian_like(os_release) or which("apt-get") is None:
        return Apt(None)
    if is_root:
        return Apt(())
    if which("sudo") is not None and run(["sudo", "-n", "true"]) == 0:
        return Apt(("sudo", "-n"))
    return Apt(None)


def apt_fix(packages: Sequence[str], is_root: bool) -> str:
    """The one command a user runs to install ``packages`` by hand."""
    sudo = "" if is_root else "sudo "
    return f"{sudo}apt-get install -y {shlex.join(packages)}"


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
