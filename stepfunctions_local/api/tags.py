"""Tags on state machines and activities (AWS tags neither versions nor aliases)."""
from __future__ import annotations

from ..api_errors import ApiError
from ..records import Activity, StateMachine, Store
from .common import check_arn, check_tags


class TagsApi:
    def __init__(self, store: Store) -> None:
        self._store = store

    def tag_resource(self, *, resourceArn: str, tags: list[dict]) -> dict:
        tags = check_tags(tags)  # a request check, before the resource is looked up
        with self._store.lock:
            resource = self._resource(resourceArn)
            incoming = {tag["key"]: tag for tag in tags}  # AWS-recorded: a key given twice is kept once
            resource.tags = [tag for tag in resource.tags if tag["key"] not in incoming] + list(incoming.values())
        return {}

    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> dict:
        with self._store.lock:
            resource = self._resource(resourceArn)
            resource.tags = [tag for tag in resource.tags if tag["key"] not in tagKeys]
        return {}

    def list_tags_for_resource(self, *, resourceArn: str) -> dict:
        with self._store.lock:
            return {"tags": list(self._resource(resourceArn).tags)}

    def _resource(self, arn: str) -> StateMachine | Activity:
        # ResourceNotFound is the only "unknown" error the model allows for these operations
        check_arn(arn, "any")
        found = self._store.machines.get(arn) or self._store.activities.get(arn)
        if found is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return found
