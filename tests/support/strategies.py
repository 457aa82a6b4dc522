"""Hypothesis strategies for what the public sends a contact form: valid, hostile and plain garbage.

Each strategy is built to be valid or invalid *by construction*, from the contract in
DESIGN.md, so the tests do not ask the code under test what the right answer is.
"""
from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

MAX_MESSAGE = 5000
MAX_NAME = 200
MAX_EMAIL = 254

# Text a person can type: no C0 controls except tab/LF/CR, no lone surrogates.
_TYPED_CHARACTERS = st.characters(
    codec="utf-8", exclude_categories=("Cs",), exclude_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
)
EDGE_TEXTS = (
    "\u202eevil\u202c right-to-left override",
    "مرحبا، الخدمة سيئة جدا",  # Arabic, right to left
    "שלום עולם",
    "😡😡 worst service ever 👎🏽",
    "👩‍👩‍👧‍👦 family emoji with zero-width joiners",
    "e\u0301\u0301\u0301 combining marks",
    "\ufeffbyte order mark",
    "line\u2028separator\u2029paragraph",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE tickets; --",
    "${jndi:ldap://127.0.0.1/a} {{7*7}} $.message States.Format('{}')",
    "\r\nBcc: victim@example.com\r\nSubject: hijacked",
    "\x7f\x85\xa0 DEL, NEL and NBSP",
    "𝕳𝖊𝖑𝖑𝖔 mathematical letters",
)
# Characters nobody types into a form: the API must refuse them, never pass them on.
NOT_TEXT = ("\x00", "\x01", "\x1b[31m", "\x0b", "\ud800", "\udfff")
HEADER_INJECTIONS = (
    "a@example.com\r\nBcc: victim@example.com",
    "a@example.com\nCc: victim@example.com",
    "a@example.com%0d%0aBcc:victim@example.com",
    "\"a\r\nb\"@example.com",
    "a@example.com>\r\nTo: <victim@example.com",
    "Attacker <a@example.com>, victim@example.com",
)


def typed_text(min_size: int = 0, max_size: int = 100) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(_TYPED_CHARACTERS, min_size=min_size, max_size=max_size),
        st.sampled_from(EDGE_TEXTS).filter(lambda text: min_size <= len(text) <= max_size),
    )


def messages() -> st.SearchStrategy[str]:
    """A valid message: 1-5,000 characters after trimming."""
    return typed_text(1, 300).filter(lambda text: 0 < len(text.strip()) <= MAX_MESSAGE) | st.just(
        "x" * MAX_MESSAGE
    )


def emails() -> st.SearchStrategy[str]:
    # hypothesis' emails() includes quoted and IP-literal forms the contract need not accept.
    return st.from_regex(
        r"[a-z0-9+_-]{1,20}(\.[a-z0-9+_-]{1,10})?@[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?\.[a-z]{2,6}", fullmatch=True
    )


def valid_submissions() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"message": messages()},
        optional={
            "name": typed_text(0, MAX_NAME).filter(lambda text: len(text.strip()) <= MAX_NAME) | st.none(),
            "email": emails() | st.none(),
        },
    )


def _wrong_type() -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.text(), max_size=3),
                     st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))


def invalid_submissions() -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(the field at fault, a submission that breaks exactly one rule of that field)."""
    base = valid_submissions()
    message_faults = st.one_of(
        st.just(""), st.sampled_from([" ", "\t\n\r ", "\u3000\u2003"]),
        st.just("m" * (MAX_MESSAGE + 1)),
        st.builds(lambda text, bad: text + bad, typed_text(1, 20), st.sampled_from(NOT_TEXT)),
        _wrong_type(),
    )
    name_faults = st.one_of(
        st.just("n" * (MAX_NAME + 1)),
        st.builds(lambda bad: f"Ann{bad}", st.sampled_from(NOT_TEXT)),
        _wrong_type(),
    )
    email_faults = st.one_of(
        st.sampled_from(HEADER_INJECTIONS),
        st.sampled_from(["plainaddress", "@example.com", "a@", "a b@example.com", "a@b", "a@@b.com"]),
        st.just("a" * 250 + "@example.com"),
        _wrong_type(),
    )
    return st.one_of(
        st.tuples(st.just("message"), st.builds(lambda d, v: {**d, "message": v}, base, message_faults)),
        st.tuples(st.just("message"), base.map(lambda d: {k: v for k, v in d.items() if k != "message"})),
        st.tuples(st.just("name"), st.builds(lambda d, v: {**d, "name": v}, base, name_faults)),
        st.tuples(st.just("email"), st.builds(lambda d, v: {**d, "email": v}, base, email_faults)),
        st.sampled_from(["phone", "isAdmin", "ticketId", "source"]).flatmap(
            lambda key: st.tuples(st.just(key), base.map(lambda d: {**d, key: "x"}))),
    )


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON document at all."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                             max_size=4), max_leaves=12)


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not one clean JSON object: bytes, broken JSON, huge, deeply nested, duplicated keys."""
    return st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda text: text.encode("utf-8")),
        json_values().map(lambda value: json.dumps(value).encode()),
        st.integers(1, 3000).map(lambda depth: ('{"message":' + "[" * depth + "]" * depth + "}").encode()),
        st.integers(1, 120_000).map(lambda depth: ("[" * depth).encode()),
        st.just(('{"message": "' + "x" * 140_000 + '"}').encode()),
        st.just(b'{"message": "a", "message": "b"}'),
        st.just(b'{"message": "\\ud800 lone surrogate escape"}'),
        st.just(b'{"message": "caf\xe9 latin-1"}'),
        st.just(b"\xef\xbb\xbf" + b'{"message": "BOM first"}'),
        st.just(b'{"message": NaN}'),
        st.just(b'{"message": 1e999999}'),
    )


CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "",
    "application/json\r\nX-Injected: 1",
)
