"""The page when the network or the API loses an answer: it asks again with the same key.

A fault proxy between the browser and the local API loses answers the API already gave (the
ticket is recorded), or refuses before the API sees anything; the page must end with exactly
one ticket and show it.
"""
from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.support.pages import (
    contact_requests,
    fill_and_submit,
    open_page,
    shown_ticket,
    tickets_with_message,
    wait_for_result,
)

# The page's backoff without its random part, so a test waits its shortest time.
_NO_JITTER = "Math.random = function () { return 0; };"


@pytest.fixture
def page(browser, proxy):
    page = open_page(browser, proxy.url)
    page.execute_script(_NO_JITTER)
    return page


@pytest.mark.parametrize(
    "fault",
    ["drop-after", "gateway-timeout-after", "drop-before"],
    ids=["connection-lost-after-the-api-answered", "gateway-timeout-after-the-api-answered", "api-down"],
)
def test_lost_answer_is_asked_again_with_the_same_key_and_one_ticket_results(stack, proxy, page, fault):
    # GIVEN the first answer to the page is lost
    proxy.plan(fault)
    message = f"My order never arrived, terrible service {uuid.uuid4().hex[:8]}"
    # WHEN a customer sends a message
    fill_and_submit(page, message)
    # THEN the page asked again with the same key and body, and shows the one recorded ticket
    assert wait_for_result(page) == "received"
    assert contact_requests(page) == 2
    first, second = proxy.posts
    assert first.key == second.key and first.body == second.body
    [ticket] = tickets_with_message(stack.ports.aws, message)
    assert shown_ticket(page) == ticket["ticketId"]


def test_page_gives_up_honestly_after_bounded_retries_and_sending_again_reuses_the_key(stack, proxy, page):
    # GIVEN an API that cannot be reached at all
    proxy.plan(*["drop-before"] * 5)
    message = f"Nobody answers {uuid.uuid4().hex[:8]}"
    # WHEN a customer sends a message
    fill_and_submit(page, message)
    # THEN after five attempts the page says it could not confirm, without claiming a failure or a ticket
    assert wait_for_result(page) == "error"
    text = page.find_element(By.ID, "result").text.lower()
    assert "could not confirm" in text and "will not be recorded twice" in text
    assert contact_requests(page) == len(proxy.posts) == 5
    assert len({post.key for post in proxy.posts}) == 1
    assert page.find_element(By.ID, "submit").is_enabled()
    # WHEN the API is back and the customer presses Send again
    page.find_element(By.ID, "submit").click()
    # THEN the same key goes again, and one ticket is recorded
    assert wait_for_result(page) == "received"
    assert proxy.posts[-1].key == proxy.posts[0].key
    assert len(tickets_with_message(stack.ports.aws, message)) == 1
