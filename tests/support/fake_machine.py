"""A machine of the test's making: its own PATH, os-release and an apt-get that records what it is asked."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tools.system import default_which

DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
UBUNTU = "ID=ubuntu\nID_LIKE=debian\n"
FEDORA = 'ID=fedora\nID_LIKE=""\n'


class FakeMachine:
    """A PATH of its own, an os-release file, and an apt-get that 'installs' into the PATH."""

    def __init__(self, root: Path, os_release: str = DEBIAN, *programs: str) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.os_release = root / "os-release"
        self.os_release.write_text(os_release)
        self.commands: list[list[str]] = []
        self.apt_installs = ("chromium", "chromedriver")
        self.sudo_allowed = False
        for name in ("apt-get", *programs):
            self.add(name)

    def add(self, name: str) -> str:
        path = self.bin / name
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return str(path)

    @property
    def env(self) -> dict[str, str]:
        return {"PATH": str(self.bin)}

    def which(self, name: str) -> str | None:
        return default_which(self.env)(name)

    def run(self, command: Sequence[str]) -> int:
        self.commands.append(list(command))
        if list(command) == ["sudo", "-n", "true"]:
            return 0 if self.sudo_allowed else 1
        if "install" in command:
            for name in self.apt_installs:
                self.add(name)
        return 0
