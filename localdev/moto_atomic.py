"""moto's DynamoDB with each write request applied atomically, as DynamoDB applies it.

moto checks a condition and then writes in two Python steps, so concurrent requests (moto
server's threads, or test threads) could interleave them and both pass one condition: the email
quota's counter and the idempotency claims rely on DynamoDB never doing that. A lock per write
request restores that guarantee, and nothing more: code that reads, then writes in a second
request still races, as it would on AWS.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


@contextlib.contextmanager
def atomic_moto_writes() -> Iterator[None]:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()

    def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
        def locked(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)
        return locked

    with contextlib.ExitStack() as patches:
        for name in _WRITES:
            patches.enter_context(mock.patch.object(DynamoDBBackend, name, atomic(getattr(DynamoDBBackend, name))))
        yield
