"""The per-minute quota of immediate admin emails: the counter, the notifier's choice, SES throttling."""
from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import email_quota, notifications, settings
from chalicelib.notifications import AdminNotification, Backoff, NotificationFailedError
from localdev.moto_atomic import atomic_moto_writes
from tests.events import load_event
from tests.support.aws_resources import sent_emails

MINUTE = 1_800_000_000  # a window start: divisible by 60


@pytest.fixture
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every quota check of the test falls in the same minute, however long the test takes."""
    monkeypatch.setattr(email_quota, "take_slot", functools.partial(email_quota.take_slot, clock=lambda: MINUTE + 30))


def counter(window: int) -> int:
    item = boto3.client("dynamodb").get_item(
        TableName=settings.counters_table(), Key={"id": {"S": f"admin-emails#{window}"}}, ConsistentRead=True
    ).get("Item")
    return int(item["taken"]["N"]) if item else 0


@pytest.mark.usefixtures("aws_services")
class TestQuotaCounter:
    def test_limit_slots_are_granted_then_refused_within_a_minute(self):
        # GIVEN a limit of 3 a minute
        # WHEN 5 slots are asked for within one minute
        answers = [email_quota.take_slot(3, clock=lambda i=i: MINUTE + 10 + i) for i in range(5)]
        # THEN the first 3 are granted and the counter stops at the limit
        assert answers == [True, True, True, False, False]
        assert counter(MINUTE) == 3

    def test_next_minute_starts_a_fresh_count(self):
        # GIVEN a minute whose slots are all taken
        assert [email_quota.take_slot(1, clock=lambda: MINUTE + 59.9) for _ in range(2)] == [True, False]
        # WHEN a slot is asked for in the next minute
        # THEN it is granted
        assert email_quota.take_slot(1, clock=lambda: MINUTE + 60) is True

    def test_a_window_seen_full_is_not_asked_again_until_the_next_minute(self):
        # GIVEN a client counting the counter updates it sends, and a limit of 1 a minute
        real, sent = boto3.client("dynamodb"), []

        class Counting:
            def update_item(self, **request):
                sent.append(request["Key"]["id"]["S"])
                return real.update_item(**request)

        client = Counting()
        # WHEN four slots are asked for in one minute, then one in the next
        answers = [email_quota.take_slot(1, dynamodb_client=client, clock=lambda: MINUTE + 5) for _ in range(4)]
        answers.append(email_quota.take_slot(1, dynamodb_client=client, clock=lambda: MINUTE + 65))
        # THEN DynamoDB was asked until it refused once, and again in the new minute; the count is exact
        assert answers == [True, False, False, False, True]
        assert sent == [f"admin-emails#{MINUTE}"] * 2 + [f"admin-emails#{MINUTE + 60}"]
        assert counter(MINUTE) == 1

    def test_counter_items_expire(self):
        # WHEN a slot is taken
        email_quota.take_slot(2, clock=lambda: MINUTE)
        # THEN its counter carries a TTL after the window, the attribute the table's TTL reads
        item = boto3.client("dynamodb").get_item(
            TableName=settings.counters_table(), Key={"id": {"S": f"admin-emails#{MINUTE}"}}
        )["Item"]
        assert int(item["expiresAt"]["N"]) > MINUTE + email_quota.WINDOW_SECONDS
        ttl = boto3.client("dynamodb").describe_time_to_live(TableName=settings.counters_table())
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expiresAt"

    def test_a_limit_of_zero_grants_nothing_and_writes_nothing(self):
        # WHEN the quota is 0
        # THEN no slot is granted
        assert email_quota.take_slot(0, clock=lambda: MINUTE) is False
        assert counter(MINUTE) == 0

    def test_concurrent_callers_never_take_more_than_the_limit(self):
        # GIVEN 64 notifiers racing for 10 slots of the same minute, on a DynamoDB that applies
        # each request atomically (as the real one does)
        start = threading.Barrier(16)

        def take(_: int) -> bool:
            if _ < 16:
                start.wait()
            return email_quota.take_slot(10, clock=lambda: MINUTE + 1)

        with atomic_moto_writes(), ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(take, range(64)))
        # THEN exactly 10 were granted, and the counter says so
        assert answers.count(True) == 10
        assert counter(MINUTE) == 10

    def test_a_failing_counter_is_reported_not_taken_for_a_slot(self):
        # GIVEN a DynamoDB that throttles
        dynamodb = boto3.client("dynamodb")
        with Stubber(dynamodb) as stubber:
            stubber.add_client_error("update_item", "ProvisionedThroughputExceededException")
            # WHEN / THEN the quota says it cannot tell
            with pytest.raises(email_quota.QuotaUnavailableError):
                email_quota.take_slot(10, dynamodb_client=dynamodb)


@pytest.mark.usefixtures("aws_services", "one_minute")
class TestNotifierHoldsBackBeyondTheQuota:
    def test_emails_beyond_the_quota_are_held_for_the_digest(self, client, monkeypatch):
        # GIVEN a quota of 2 immediate emails a minute
        monkeypatch.setenv("ADMIN_EMAILS_PER_MINUTE", "2")
        event = load_event("notify_admin")
        # WHEN the notifier runs 4 times within the minute
        results = [client.lambda_.invoke("notify_admin", event).payload for _ in range(4)]
        # THEN 2 emails went out and the other 2 answers tell the workflow to record DIGEST
        assert [result["notificationStatus"] for result in results] == ["SENT", "SENT", "DIGEST", "DIGEST"]
        assert len(sent_emails()) == 2
        assert "messageId" not in results[2]

    def test_default_quota_is_ten_a_minute(self, client, monkeypatch):
        # GIVEN no ADMIN_EMAILS_PER_MINUTE in the environment
        monkeypatch.delenv("ADMIN_EMAILS_PER_MINUTE", raising=False)
        event = load_event("notify_admin")
        # WHEN 12 NEGATIVE tickets are notified at once
        statuses = [client.lambda_.invoke("notify_admin", event).payload["notificationStatus"] for _ in range(12)]
        # THEN 10 are emailed now
        assert statuses.count("SENT") == 10
        assert len(sent_emails()) == 10

    def test_an_unavailable_counter_holds_the_email_back_rather_than_risk_a_flood(self, monkeypatch):
        # GIVEN a counter table that does not exist (DynamoDB answers ResourceNotFoundException)
        monkeypatch.setenv("COUNTERS_TABLE", "no-such-table")
        # WHEN a NEGATIVE ticket is notified
        result = notifications.notify_or_defer(AdminNotification.from_event(load_event("notify_admin")))
        # THEN nothing is sent now and the ticket goes to the digest, which still notifies
        assert result == {"notificationStatus": "DIGEST"}
        assert sent_emails() == []

    @pytest.mark.parametrize("value", ["-1", "ten", "2.5"])
    def test_a_malformed_quota_setting_is_refused_clearly(self, monkeypatch, value):
        # GIVEN a quota that is not a whole number
        monkeypatch.setenv("ADMIN_EMAILS_PER_MINUTE", value)
        # WHEN / THEN the setting error names the variable
        with pytest.raises(settings.InvalidSettingError, match="ADMIN_EMAILS_PER_MINUTE"):
            settings.admin_emails_per_minute()


class TestSesThrottling:
    def request(self) -> dict:
        notification = AdminNotification.from_event(load_event("notify_admin"))
        return notifications.email_request(notification, sender="no-reply@example.com", admin="admin@example.com")

    def test_throttling_is_retried_with_growing_waits_until_ses_accepts(self):
        # GIVEN SES that throttles twice, then accepts
        ses = boto3.client("ses")
        waits: list[float] = []
        with Stubber(ses) as stubber:
            stubber.add_client_error("send_email", "Throttling", "Maximum sending rate exceeded.")
            stubber.add_client_error("send_email", "Throttling", "Maximum sending rate exceeded.")
            stubber.add_response("send_email", {"MessageId": "m-3"})
            # WHEN the email is sent with a backoff whose waits are all at their maximum
            backoff = Backoff(attempts=4, first_delay=1.0, max_delay=10.0)
            message_id = notifications.send_email(self.request(), backoff, ses_client=ses, sleep=waits.append)
        # THEN it went out on the third attempt after two waits within the backoff's bounds
        assert message_id == "m-3"
        assert len(waits) == 2
        assert 0 <= waits[0] <= 1.0 and 0 <= waits[1] <= 2.0

    def test_throttling_beyond_the_attempts_fails_the_notification(self):
        # GIVEN SES that keeps throttling
        ses = boto3.client("ses")
        with Stubber(ses) as stubber:
            for _ in range(3):
                stubber.add_client_error("send_email", "Throttling", "Maximum sending rate exceeded.")
            # WHEN / THEN after the immediate backoff's attempts the workflow is told it failed
            with pytest.raises(NotificationFailedError, match="Throttling"):
                notifications.send_email(self.request(), notifications.IMMEDIATE_BACKOFF, ses_client=ses,
                                         sleep=lambda _: None)
            stubber.assert_no_pending_responses()

    def test_a_rejected_email_is_not_retried(self):
        # GIVEN SES that rejects the sender
        ses = boto3.client("ses")
        waits: list[float] = []
        with Stubber(ses) as stubber:
            stubber.add_client_error("send_email", "MessageRejected", "Email address is not verified.")
            # WHEN / THEN the failure is immediate: retrying would not change SES's mind
            with pytest.raises(NotificationFailedError, match="MessageRejected"):
                notifications.send_email(self.request(), notifications.IMMEDIATE_BACKOFF, ses_client=ses,
                                         sleep=waits.append)
        assert waits == []
