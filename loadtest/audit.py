"""What the table holds after a run, compared with what the clients were told."""
from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Any, Iterable

from loadtest.clients import Exchange


@dataclass(frozen=True)
class Audit:
    answered: int  # distinct tickets answered with 200
    stored: int  # tickets of this run in the table
    lost: frozenset[str]  # answered with 200, not in the table
    unanswered: frozenset[str]  # in the table, never answered with 200 (a ticket nobody was told about)
    duplicated: int  # submissions stored more than once


def audit(exchanges: Iterable[Exchange], dynamodb: Any, table: str, run_id: str) -> Audit:
    """Scan the tickets table (consistent reads) for this run's tickets and compare."""
    told = {exchange.ticket_id for exchange in exchanges if exchange.status == 200 and exchange.ticket_id}
    stored: dict[str, str] = {}
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table, ConsistentRead=True, ProjectionExpression="ticketId, message"
    )
    for page in pages:
        for item in page["Items"]:
            message = item.get("message", {}).get("S", "")
            if run_id in message:
                stored[item["ticketId"]["S"]] = message
    copies = collections.Counter(stored.values())
    return Audit(
        answered=len(told),
        stored=len(stored),
        lost=frozenset(told - stored.keys()),
        unanswered=frozenset(stored.keys() - told),
        duplicated=sum(count - 1 for count in copies.values() if count > 1),
    )
