"""The dev stage packaged once per test session, exactly as `make package` does it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.packaging import PROJECT_DIR, STAGE, Packaged


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
