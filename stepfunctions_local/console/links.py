"""A hook for what an execution produced outside Step Functions (an app's records, emails...).

The runtime knows nothing about any app; an app's dev stack registers a provider that looks at
an execution (usually its output) and names related things, which the console lists with the
execution. A provider that fails is shown as such; it never breaks the page.
"""
from __future__ import annotations

import logging
from typing import Callable, TypedDict

from stepfunctions_local.observability.records import ExecutionRecord

logger = logging.getLogger(__name__)


class _RelatedRequired(TypedDict):
    title: str


class Related(_RelatedRequired, total=False):
    href: str  # where to see it (opened in a new tab)
    text: str  # a short body shown as is (plain text, never markup)


LinkProvider = Callable[[ExecutionRecord], list[Related]]


class Links:
    def __init__(self) -> None:
        self._providers: list[LinkProvider] = []

    def add(self, provider: LinkProvider) -> None:
        self._providers.append(provider)

    def related(self, record: ExecutionRecord) -> list[Related]:
        found: list[Related] = []
        for provider in self._providers:
            try:
                found.extend(provider(record))
            except Exception as error:  # noqa: BLE001 - a broken provider must not break the console
                logger.warning("link provider %r failed: %s", provider, type(error).__name__)
                found.append({"title": f"{getattr(provider, '__name__', 'links')} failed: {type(error).__name__}"})
        return found
