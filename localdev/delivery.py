"""Local stand-in for Lambda's event source mappings: queues long-polled, the app's handlers invoked.

SQS records reach the app's SQS handler as Lambda builds them; only records the handler did not
report in ``batchItemFailures`` are deleted, so failures come back after the visibility timeout
and end in the DLQ. EventBridge events arrive through a rule's target queue and reach the app's
EventBridge handler one event at a time, in the shape EventBridge gives Lambda.
"""
from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice
from chalice.local import LambdaContext

from localdev import aws
from localdev.project import function_name
from localdev.provision import Consumer

logger = logging.getLogger("localdev.delivery")

Message = dict[str, Any]
# Takes a batch of received messages, returns the ids of those that failed.
Deliver = Callable[[list[Message]], set[str]]

_WAIT_SECONDS = 1
_LAMBDA_TIMEOUT_MS = 60_000


class Poller(threading.Thread):
    """Long-polls one queue and hands each batch to ``deliver``; deletes what did not fail.

    With ``deliveries=2`` a handled message is first made visible again instead of deleted, so SQS
    hands out the same message (same messageId) a second time, as its at-least-once delivery may.
    """

    def __init__(self, sqs: Any, queue_url: str, batch_size: int, deliver: Deliver, deliveries: int = 1) -> None:
        super().__init__(name=f"poller:{queue_url.rsplit('/', 1)[-1]}", daemon=True)
        self._sqs = sqs
        self._queue_url = queue_url
        self._batch_size = min(batch_size, 10)
        self._deliver = deliver
        self._deliveries = deliveries
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                if self._stopping.is_set():
                    return
                logger.exception("polling %s failed", self._queue_url)
                self._stopping.wait(1)

    def poll_once(self) -> None:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=_WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        failed = self._deliver(messages)
        handled = [m for m in messages if m["MessageId"] not in failed]
        again = [m for m in handled if int(m["Attributes"]["ApproximateReceiveCount"]) < self._deliveries]
        done = [m for m in handled if m not in again]
        for message in again:
            self._sqs.change_message_visibility(
                QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )


def lambda_context(name: str) -> LambdaContext:
    context = LambdaContext(name, memory_size=128, max_runtime_ms=_LAMBDA_TIMEOUT_MS)
    context.invoked_function_arn = f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:{name}"
    return context


def sqs_record(message: Message, queue_name: str) -> dict[str, Any]:
    """An SQS event record exactly as Lambda's event source mapping builds it from a received message."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: _lambda_message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": aws.queue_arn(queue_name),
        "awsRegion": aws.REGION,
    }


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    binary = value.get("BinaryValue")
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }


def eventbridge_event(message: Message) -> dict[str, Any]:
    """The event EventBridge put on the target queue, completed to what Lambda receives."""
    event = json.loads(message["Body"])
    # moto leaves out the account; EventBridge always sets it (Chalice's CloudWatchEvent requires it).
    event.setdefault("account", aws.ACCOUNT_ID)
    return event


def sqs_delivery(handler: Callable[..., Any], name: str, queue_name: str) -> Deliver:
    def deliver(messages: list[Message]) -> set[str]:
        event = {"Records": [sqs_record(m, queue_name) for m in messages]}
        ids = [m["MessageId"] for m in messages]
        try:
            response = handler(event, lambda_context(name))
        except Exception:
            logger.exception("%s failed; all %d record(s) will be retried", name, len(ids))
            return set(ids)
        failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        logger.info("%s handled %d SQS record(s) %s, %d failed", name, len(ids), _receipts(messages), len(failed))
        return failed

    return deliver


def eventbridge_delivery(handler: Callable[..., Any], name: str) -> Deliver:
    def deliver(messages: list[Message]) -> set[str]:
        failed = set()
        for message in messages:
            event = eventbridge_event(message)
            try:
                handler(event, lambda_context(name))
            except Exception:
                logger.exception("%s failed on event %s; it will be retried", name, event.get("id"))
                failed.add(message["MessageId"])
            else:
                logger.info("%s handled EventBridge event %s %s", name, event.get("id"), _receipts([message]))
        return failed

    return deliver


def log_delivery(messages: list[Message]) -> set[str]:
    for message in messages:
        event = json.loads(message["Body"])
        logger.info("%s: %s", event.get("detail-type"), json.dumps(event.get("detail")))
    return set()


def _receipts(messages: list[Message]) -> str:
    # Message ids and receive counts only: bodies carry customer data, which stays out of logs.
    receipts = (f"{m['MessageId']} receive {m['Attributes']['ApproximateReceiveCount']}" for m in messages)
    return f"[{', '.join(receipts)}]"


def start_pollers(
    current_app: Callable[[], Chalice], consumers: list[Consumer], aws_port: int, deliveries: int = 1
) -> list[Poller]:
    """One poller a consumer; each batch goes to the handler of ``current_app()`` at that moment (live edits)."""
    pollers = []
    for consumer in consumers:
        poller = Poller(
            aws.client("sqs", aws_port),
            consumer.queue_url,
            consumer.batch_size,
            delivery_for(current_app, consumer),
            deliveries if consumer.handler_name else 1,
        )
        poller.start()
        pollers.append(poller)
    return pollers


def delivery_for(current_app: Callable[[], Chalice], consumer: Consumer) -> Deliver:
    handler_name = consumer.handler_name
    if consumer.kind == "log" or handler_name is None:
        return log_delivery
    name = function_name(current_app(), handler_name)

    def handler(event: dict[str, Any], context: LambdaContext) -> Any:
        return current_app().handler_map[handler_name](event, context)

    if consumer.kind == "sqs":
        return sqs_delivery(handler, name, consumer.queue_name)
    return eventbridge_delivery(handler, name)
