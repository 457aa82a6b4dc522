"""The dev stage packaged once per test session, exactly as `make package` does it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
STAGE = "dev"


@dataclass(frozen=True)
class Packaged:
    directory: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id]["Properties"]


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    out = tmp_path_factory.mktemp("out")
    # No AWS variables at all: packaging must need no account and pick its own region.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-m", "deploy.package", "--stage", STAGE, "--out", str(out)],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert result.returncode == 0, result.stderr
    directory = out / STAGE
    return Packaged(directory, json.loads((directory / "sam.json").read_text(encoding="utf-8")))
