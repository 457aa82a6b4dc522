"""The app's DynamoDB tables as deploy/resources.yaml declares them, created in the embedded AWS.

Used by `make run` and by the tests, so both build the same keys, index and TTLs.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib import names, settings

# The sparse index the digest reads: only NEGATIVE tickets whose email is not yet confirmed carry digestStatus.
DIGEST_INDEX = {
    "IndexName": settings.DIGEST_INDEX,
    "KeySchema": [
        {"AttributeName": "digestStatus", "KeyType": "HASH"},
        {"AttributeName": "digestUpdatedAt", "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}


def create_tables(dynamodb: Any, *, tickets: str, idempotency: str, counters: str) -> None:
    """Create the tickets, idempotency and counters tables; tables that exist are left as they are."""
    _create(dynamodb, tickets, names.TICKETS_TABLE_KEY, index=DIGEST_INDEX)
    _create(dynamodb, idempotency, names.IDEMPOTENCY_TABLE_KEY, ttl="expiration")
    _create(dynamodb, counters, names.COUNTERS_TABLE_KEY, ttl="expiresAt")


def _create(dynamodb: Any, name: str, hash_key: str, *, index: dict[str, Any] | None = None,
            ttl: str | None = None) -> None:
    keys = [hash_key, *(key["AttributeName"] for key in index["KeySchema"])] if index else [hash_key]
    try:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": hash_key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
            BillingMode="PAY_PER_REQUEST",
            **({"GlobalSecondaryIndexes": [index]} if index else {}),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
