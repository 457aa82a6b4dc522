"""The per-minute quota of immediate administrator emails, counted in DynamoDB.

One counter item per UTC minute (``admin-emails#<epoch second the minute starts>``) in the
counters table. A slot is taken with one conditional ``UpdateItem``: ``ADD taken 1`` only while
``taken < limit``. DynamoDB applies each update to an item atomically, so however many notifiers
run at once, at most ``limit`` of them succeed in a window; the others get
``ConditionalCheckFailedException`` and their ticket waits for the digest (a client that saw its
window full does not ask again within that minute: the count only grows). The item carries a TTL
an hour after its window, so the table holds about sixty small items.

Why a table of its own and not items in the tickets table: the tickets table is a list of
tickets (scans, ``ItemCount`` and the load test's audit count them), it is kept on stack deletion
with point-in-time recovery, and it has no TTL; counters are throwaway and expire.
"""
from __future__ import annotations

import threading
import time
import weakref
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, settings

WINDOW_SECONDS = 60
# Long enough to look at a flood afterwards; TTL deletion itself may lag by a day or two.
KEEP_SECONDS = 3600
_KEY_PREFIX = "admin-emails#"

# The last window each client saw full, as (table, window, limit). Within its minute a counter only
# grows, so a full window stays full: asking DynamoDB again would be refused again (during a flood,
# one round trip per NEGATIVE submission). Keyed by client, so a new client (a test's) asks afresh.
_full_windows: weakref.WeakKeyDictionary[Any, tuple[str, int, int]] = weakref.WeakKeyDictionary()
_full_windows_lock = threading.Lock()


class QuotaUnavailableError(RuntimeError):
    """The counter could not be read or written (DynamoDB refused or did not answer)."""


def window_start(now: float) -> int:
    """The epoch second the minute window holding ``now`` starts."""
    return int(now // WINDOW_SECONDS) * WINDOW_SECONDS


def take_slot(
    limit: int, *, dynamodb_client: Any = None, clock: Callable[[], float] = time.time
) -> bool:
    """Take one immediate-email slot of the current minute; False when ``limit`` are taken."""
    if limit <= 0:
        return False
    client = dynamodb_client or aws.client("dynamodb")
    window = window_start(clock())
    table = settings.counters_table()
    with _full_windows_lock:
        if _full_windows.get(client) == (table, window, limit):
            return False
    try:
        client.update_item(
            TableName=table,
            Key={"id": {"S": f"{_KEY_PREFIX}{window}"}},
            UpdateExpression="ADD #taken :one SET #expires = if_not_exists(#expires, :expires)",
            ConditionExpression="attribute_not_exists(#taken) OR #taken < :limit",
            ExpressionAttributeNames={"#taken": "taken", "#expires": "expiresAt"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str(window + WINDOW_SECONDS + KEEP_SECONDS)},
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            with _full_windows_lock:
                _full_windows[client] = (table, window, limit)
            return False
        raise QuotaUnavailableError(error.response["Error"]["Code"]) from None
    except BotoCoreError as error:
        raise QuotaUnavailableError(type(error).__name__) from None
    return True
