"""A scripted flood of NEGATIVE submissions: the admin gets at most the quota a minute, then one digest."""
from __future__ import annotations

import re
import time
from collections import Counter

from chalicelib import settings
from localdev.moto_atomic import atomic_moto_writes
from tests.support.flood import flood, http_api, quota_windows, run_digest
from tests.support.offline_stack import OfflineStack

SUBMISSIONS = 300
CLIENTS = 8
_TICKET_IN_BODY = re.compile(r"^Ticket: (CF-[0-9A-Z-]+)$", re.MULTILINE)


def test_a_flood_cannot_flood_the_admin_and_every_ticket_is_in_exactly_one_email(fresh_stack: OfflineStack):
    # GIVEN the offline product with the default quota of 10 immediate admin emails a minute
    quota = settings.admin_emails_per_minute()
    assert quota == 10
    # WHEN 300 unhappy messages arrive from 8 concurrent clients
    with atomic_moto_writes(), http_api() as port:
        result = flood(port, SUBMISSIONS, CLIENTS)
        emails_during_flood = list(fresh_stack.emails())
        windows = quota_windows()
        # AND the scheduled digest runs once
        digest = run_digest(fresh_stack)
    # THEN every submission got its ticket: no 5xx, nothing refused
    assert result.statuses == Counter({200: SUBMISSIONS}), result.statuses
    assert result.sentiments == Counter({"NEGATIVE": SUBMISSIONS})
    assert len(set(result.ticket_ids)) == SUBMISSIONS
    # AND during the flood the admin got at most the quota in each minute window
    assert all(taken <= quota for taken in windows.values()), windows
    assert 1 <= len(emails_during_flood) == sum(windows.values()) <= quota * len(windows), (
        len(emails_during_flood), windows
    )
    # AND one digest email lists every other ticket
    emails = fresh_stack.emails()
    assert len(emails) == len(emails_during_flood) + 1, (len(emails), len(emails_during_flood), digest)
    assert digest["tickets"] == SUBMISSIONS - len(emails_during_flood), (digest, len(emails_during_flood))
    listed = Counter(
        ticket_id for email in emails for ticket_id in [*_TICKET_IN_BODY.findall(email.body)]
    )
    # AND every ticket is in exactly one email, and recorded as SENT
    missing = set(result.ticket_ids) - set(listed)
    repeated = {ticket_id: n for ticket_id, n in listed.items() if n != 1}
    assert (missing, repeated) == (set(), {})
    assert set(listed) == set(result.ticket_ids)
    statuses = Counter(
        item["notificationStatus"] for item in fresh_stack.tickets() if result.marker in item["message"]
    )
    assert statuses == Counter({"SENT": SUBMISSIONS}), statuses


def test_one_client_beyond_the_offline_rate_limit_gets_429_and_starts_nothing(fresh_stack: OfflineStack):
    # GIVEN the API served as `RATE_LIMIT_PER_MINUTE=10 make run` serves it, well inside a clock minute
    # (the limit counts per clock minute: a flood that straddles two gets two allowances)
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    # WHEN one client sends 30 submissions within the minute
    with atomic_moto_writes(), http_api(requests_per_minute=10) as port:
        result = flood(port, 30, 2)
    # THEN 10 got tickets and the other 20 were throttled before the workflow ran
    assert result.statuses == Counter({200: 10, 429: 20}), result.statuses
    assert sum(result.marker in item["message"] for item in fresh_stack.tickets()) == 10
