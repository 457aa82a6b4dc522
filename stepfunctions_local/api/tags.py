"""Tags on state machines."""
from __future__ import annotations

from ..records import Store
from .common import state_machine


class TagsApi:
    def __init__(self, store: Store) -> None:
        self._store = store

    def tag_resource(self, *, resourceArn: str, tags: list[dict]) -> dict:
        sm = state_machine(self._store, resourceArn)
        with self._store.lock:
            keys = {tag["key"] for tag in tags}
            sm.tags = [tag for tag in sm.tags if tag["key"] not in keys] + list(tags)
        return {}

    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> dict:
        sm = state_machine(self._store, resourceArn)
        with self._store.lock:
            sm.tags = [tag for tag in sm.tags if tag["key"] not in tagKeys]
        return {}

    def list_tags_for_resource(self, *, resourceArn: str) -> dict:
        return {"tags": list(state_machine(self._store, resourceArn).tags)}
