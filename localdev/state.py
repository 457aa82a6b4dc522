"""Keeps what the embedded AWS services hold across restarts of `make run`, in a local folder.

moto keeps everything in memory, so this saves what the product uses — DynamoDB items (tickets,
idempotency records), messages waiting in SQS queues (DLQs included) and the emails SES sent —
as JSON in ``<state dir>/aws.json`` when `make run` stops and every few seconds meanwhile, and puts
it back after the next start has created the resources. Start empty with `make run FRESH=1`
(``--fresh``) or `make clean-data`.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from localdev import aws

logger = logging.getLogger("localdev.state")

FILE_NAME = "aws.json"
FORMAT_VERSION = 1
SAVE_EVERY_SECONDS = 10.0
_BATCH = 25  # BatchWriteItem's limit
_READ_ATTEMPTS = 5


class StateStore:
    """Saves and restores the embedded services of one running stack."""

    def __init__(self, directory: Path, aws_port: int) -> None:
        self.path = directory / FILE_NAME
        self._aws_port = aws_port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- restore ---------------------------------------------------------------------------
    def restore(self) -> int:
        """Put the saved items, messages and emails back; return how many things came back."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as error:
            logger.warning("not restoring %s (%s); starting empty", self.path, error)
            return 0
        if saved.get("version") != FORMAT_VERSION:
            logger.warning("not restoring %s: format %s, expected %s", self.path, saved.get("version"), FORMAT_VERSION)
            return 0
        return (
            self._restore_items(saved.get("dynamodb", {}))
            + self._restore_messages(saved.get("sqs", {}))
            + self._restore_emails(saved.get("ses", []))
        )

    def _restore_items(self, tables: dict[str, list[dict[str, Any]]]) -> int:
        dynamodb = aws.client("dynamodb", self._aws_port)
        existing = set(dynamodb.list_tables()["TableNames"])
        count = 0
        for table, items in tables.items():
            if table not in existing:
                continue
            for start in range(0, len(items), _BATCH):
                batch = [{"PutRequest": {"Item": item}} for item in items[start:start + _BATCH]]
                dynamodb.batch_write_item(RequestItems={table: batch})
            count += len(items)
        return count

    def _restore_messages(self, queues: dict[str, list[dict[str, Any]]]) -> int:
        sqs = aws.client("sqs", self._aws_port)
        backend = _sqs_backend()
        count = 0
        for name, messages in queues.items():
            if name not in backend.queues:
                continue
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            for message in messages:
                sqs.send_message(QueueUrl=url, MessageBody=message["body"], **_attributes(message["attributes"]))
            count += len(messages)
        return count

    def _restore_emails(self, emails: list[dict[str, Any]]) -> int:
        from moto.ses import models

        backend = _ses_backend()
        for email in emails:
            kind = getattr(models, email["kind"], None)
            if kind is None:
                continue
            message = kind.__new__(kind)
            message.__dict__.update(email["fields"])
            backend.sent_messages.append(message)
        return len(emails)

    # -- save ------------------------------------------------------------------------------
    def save(self) -> None:
        """Write the services' data atomically (a crash mid-write leaves the previous file)."""
        with self._lock:
            state = {
                "version": FORMAT_VERSION,
                "dynamodb": self._items(),
                "sqs": _messages(),
                "ses": [{"kind": type(m).__name__, "fields": vars(m)} for m in list(_ses_backend().sent_messages)],
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
            os.replace(partial, self.path)

    def _items(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's items as Scan answers them, read from moto's backend in this process.

        A Scan through boto3 and moto's request handling cost ~20x more for the same items, every
        few seconds while `make run` is busy. Requests running meanwhile may change a table while
        it is read; it is read again then (the next save comes a few seconds later anyway).
        """
        attempt = 1
        while True:
            try:
                return {name: _table_items(table) for name, table in list(_dynamodb_backend().tables.items())}
            except RuntimeError:  # "dictionary changed size during iteration": a write landed mid-read
                if attempt == _READ_ATTEMPTS:
                    raise
                attempt += 1

    def start_saving(self, every: float = SAVE_EVERY_SECONDS) -> None:
        """Save in the background too, so a crash or a kill -9 loses a few seconds at most."""

        def loop() -> None:
            while not self._stopping.wait(every):
                try:
                    self.save()
                except Exception:  # a busy moment must not end the saving for good
                    logger.exception("saving %s failed; trying again in %.0f s", self.path, every)

        self._thread = threading.Thread(target=loop, name="state-saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background saving and save one last time."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self.save()


def _dynamodb_backend() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[aws.ACCOUNT_ID][aws.REGION]


def _table_items(table: Any) -> list[dict[str, Any]]:
    """A table's items in the low-level shape Scan answers (moto's ``Item.to_json``)."""
    hash_sets = list(table.items.values())
    items = [item for hash_set in hash_sets for item in list(hash_set.values())] if table.range_key_attr \
        else hash_sets
    return [item.to_json()["Attributes"] for item in items]


def _sqs_backend() -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[aws.ACCOUNT_ID][aws.REGION]


def _ses_backend() -> Any:
    from moto.ses.models import ses_backends

    return ses_backends[aws.ACCOUNT_ID][aws.REGION]


def _messages() -> dict[str, list[dict[str, Any]]]:
    """Every message still in a queue (in flight too: SQS would hand those out again), oldest first."""
    return {
        name: [{"body": m.body, "attributes": _json_attributes(m.message_attributes)} for m in list(queue._messages)]
        for name, queue in list(_sqs_backend().queues.items())
    }


def _json_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    # moto keeps boto3's shape; binary values may be bytes, which JSON cannot hold.
    return {
        name: {key: base64.b64encode(v).decode() if isinstance(v, bytes) else v for key, v in value.items()}
        for name, value in attributes.items()
    }


def _attributes(saved: dict[str, dict[str, Any]]) -> dict[str, Any]:
    attributes = {}
    for name, value in saved.items():
        attribute = {"DataType": value["DataType"]}
        if "StringValue" in value:
            attribute["StringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            attribute["BinaryValue"] = base64.b64decode(value["BinaryValue"])
        attributes[name] = attribute
    return {"MessageAttributes": attributes} if attributes else {}
