"""Ticket ids (case reference numbers): short, unambiguous, hard to guess.

Crockford base32 leaves out I, L, O and U, so an id read aloud or typed from paper survives.
50 random bits: a collision is rare, and the workflow's conditional write turns the rare one
into a retry with a fresh id, never an overwrite.
"""
from __future__ import annotations

import re
import secrets
from typing import TypedDict, TypeGuard

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_ID_PATTERN = re.compile(r"CF-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}")
_SYMBOLS = 10


class TicketIdResult(TypedDict):
    ticketId: str


def new_ticket_id() -> str:
    """A fresh id such as ``CF-7K3M-Q9ZD-4P``."""
    number = secrets.randbits(5 * _SYMBOLS)
    symbols = "".join(CROCKFORD_ALPHABET[(number >> (5 * i)) & 31] for i in range(_SYMBOLS))
    return f"CF-{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def is_ticket_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and TICKET_ID_PATTERN.fullmatch(value) is not None
