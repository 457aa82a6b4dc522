"""Activities: create, describe, list, delete, and GetActivityTask's long poll for workers.

Activity Task states themselves run in ``activity_tasks.py``; workers answer them with
SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat (``api/callbacks.py``).
"""
from __future__ import annotations

from typing import Any

from ..activity_tasks import ActivityBoard, ActivityGone
from ..api_errors import ApiError
from ..history import to_datetime
from ..records import Activity, Arns, Store
from ..types import Clock
from .common import check_arn, check_name, check_tags, page

POLL_SECONDS = 60.0  # GetActivityTask holds the request this long at most, as AWS does


class ActivitiesApi:
    def __init__(self, store: Store, clock: Clock, arns: Arns, board: ActivityBoard) -> None:
        self._store = store
        self._clock = clock
        self._arns = arns
        self._board = board
        self.poll_seconds = POLL_SECONDS  # tests may shorten the long poll

    def create_activity(self, *, name: str, tags: list[dict] | None = None,
                        encryptionConfiguration: dict | None = None) -> dict:
        check_name(name)
        tags = check_tags(tags)
        arn = self._arns.activity(name)
        with self._store.lock:
            existing = self._store.activities.get(arn)
            if existing is not None:
                # idempotent by name: AWS ignores different tags (and keeps the first ones)
                if encryptionConfiguration is not None and encryptionConfiguration != existing.encryption:
                    raise ApiError("ActivityAlreadyExists",
                                   "Activity already exists. EncryptionConfiguration may not be updated.")
                return {"activityArn": arn, "creationDate": existing.created}
            activity = Activity(arn, name, to_datetime(self._clock.now()), tags, encryptionConfiguration)
            self._store.activities[arn] = activity
            self._board.add(arn)
        return {"activityArn": arn, "creationDate": activity.created}

    def describe_activity(self, *, activityArn: str) -> dict:
        activity = self._activity(activityArn)
        answer: dict[str, Any] = {"activityArn": activity.arn, "name": activity.name,
                                  "creationDate": activity.created}
        if activity.encryption is not None:
            answer["encryptionConfiguration"] = activity.encryption
        return answer

    def list_activities(self, *, maxResults: int = 0, nextToken: str | None = None) -> dict:
        with self._store.lock:  # in creation order, as AWS lists them
            items = [{"activityArn": a.arn, "name": a.name, "creationDate": a.created}
                     for a in self._store.activities.values()]
        return page(items, "activities", maxResults, nextToken)

    def delete_activity(self, *, activityArn: str) -> dict:
        check_arn(activityArn, "activity")
        with self._store.lock:  # deleting an unknown activity succeeds, as in AWS
            self._store.activities.pop(activityArn, None)
            self._board.remove(activityArn)
        return {}

    def get_activity_task(self, *, activityArn: str, workerName: str | None = None) -> dict:
        self._activity(activityArn)
        try:
            task = self._board.take(activityArn, workerName, self.poll_seconds)
        except ActivityGone:
            raise _does_not_exist(activityArn) from None
        if task is None:  # AWS answers a null token after its long poll; boto3 shows no members
            return {}
        return {"taskToken": task.token, "input": task.input}

    def _activity(self, arn: str) -> Activity:
        check_arn(arn, "activity")
        found = self._store.activities.get(arn)
        if found is None:
            raise _does_not_exist(arn)
        return found


def _does_not_exist(arn: str) -> ApiError:
    return ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
