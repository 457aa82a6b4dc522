"""Where a mock configuration comes from: a file re-read when it changes, or a value given in code.

An explicit ``--mock-config`` / ``Runtime.use_mock_config`` beats ``SFN_MOCK_CONFIG``, which is
read when a test case starts (not at import), so a test or ``make run`` may set it late.
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any, Protocol, Union

from stepfunctions_local.mocking.config import MockConfig, MockConfigError, load_mock_config_text, parse_mock_config

ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"


class MockConfigSource(Protocol):
    def load(self) -> MockConfig:
        """The configuration as it is now; MockConfigError if it cannot be used."""


class MockConfigFile:
    """A MockConfigFile on disk; an edit (new mtime or size) is used by the next execution, no restart."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # (mtime, size) of the file read, and what reading it gave
        self._read: tuple[tuple[int, int], MockConfig | MockConfigError] | None = None

    def load(self) -> MockConfig:
        source = str(self.path)
        try:
            status = self.path.stat()
        except OSError as error:
            raise MockConfigError(source, (), f"cannot be read ({error.strerror or error})") from None
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            if self._read is None or self._read[0] != stamp:
                loaded: MockConfig | MockConfigError
                try:
                    loaded = load_mock_config_text(self.path.read_text(encoding="utf-8"), source)
                except MockConfigError as error:
                    loaded = error  # kept, so a broken file is not parsed again per execution
                except (OSError, UnicodeDecodeError) as error:
                    loaded = MockConfigError(source, (), f"cannot be read ({error})")
                self._read = (stamp, loaded)
            loaded = self._read[1]
        if isinstance(loaded, MockConfigError):
            raise loaded
        return loaded


class StaticMockConfig:
    """A configuration given as a value (a dict in a test); checked once, when given."""

    def __init__(self, document: Any, source: str = "mock configuration") -> None:
        self._config = document if isinstance(document, MockConfig) else parse_mock_config(document, source)

    def load(self) -> MockConfig:
        return self._config


MockConfigLike = Union[str, "os.PathLike[str]", dict, MockConfig, MockConfigSource]


def mock_config_source(value: MockConfigLike) -> MockConfigSource:
    """A path (str or PathLike), a decoded document (dict), a MockConfig or a source, as a source."""
    if isinstance(value, (str, os.PathLike)):
        return MockConfigFile(value)
    if isinstance(value, (dict, MockConfig)):
        return StaticMockConfig(value)
    return value


def environment_source() -> MockConfigSource | None:
    """``SFN_MOCK_CONFIG``'s file, or None when it is unset or empty."""
    path = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return _file(path) if path else None


@functools.lru_cache(maxsize=8)
def _file(path: str) -> MockConfigFile:
    # One reader per path, so its parsed form is reused until the file changes.
    return MockConfigFile(path)
