"""`make run` is quiet unless LOG_LEVEL asks: one JSON format, botocore silent below DEBUG."""
from __future__ import annotations

import json
import logging

import pytest

from localdev import logs


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    chatty = {name: logging.getLogger(name).level for name in ("botocore", "werkzeug")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in chatty.items():
        logging.getLogger(name).setLevel(value)


def test_default_is_warning_and_metrics_off() -> None:
    assert logs.level_name({}) == "WARNING"
    assert logs.child_environment({}) == {"LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}


def test_log_level_is_read_case_insensitively_and_unknown_falls_back() -> None:
    assert logs.level_name({"LOG_LEVEL": "debug"}) == "DEBUG"
    assert logs.level_name({"LOG_LEVEL": "loud"}) == "WARNING"
    assert logs.child_environment({"LOG_LEVEL": "DEBUG"})["POWERTOOLS_METRICS_DISABLED"] == "false"


def test_info_lines_are_json_and_botocore_stays_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN LOG_LEVEL=INFO
    logs.configure({"LOG_LEVEL": "INFO"})
    # WHEN localdev and botocore both log at INFO
    logging.getLogger("localdev.delivery").info("handled %d record(s)", 2)
    logging.getLogger("botocore.credentials").info("Found credentials in environment variables.")
    # THEN only localdev's line is printed, as one JSON object
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == "handled 2 record(s)"
    assert json.loads(lines[0])["level"] == "INFO"
