"""The contact page in a real browser against the local stack."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from localdev import report

# Counts the page's requests to /contact, so a test can tell that none was sent.
_FETCH_SPY = """
window.contactRequests = 0;
const realFetch = window.fetch;
window.fetch = function (resource, init) {
  if (String(resource).includes("contact")) { window.contactRequests += 1; }
  return realFetch.apply(this, arguments);
};
"""


@pytest.fixture
def page(stack, browser):
    browser.get(f"{stack.api_url}/")
    browser.execute_script(_FETCH_SPY)
    return browser


def fill_and_submit(page, message: str, name: str = "", email: str = "") -> None:
    for field, value in (("name", name), ("email", email), ("message", message)):
        element = page.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    page.find_element(By.ID, "submit").click()


def wait_for_result(page) -> str:
    """The result's kind ("success" or "error") once the answer is shown."""
    return WebDriverWait(page, 30).until(lambda d: d.find_element(By.ID, "result").get_attribute("data-kind"))


def test_unhappy_customer_sees_case_number_and_apology(stack, page):
    # GIVEN the contact page
    # WHEN an unhappy customer fills the form and submits it
    fill_and_submit(page, "This is bad service", name="Ada Lovelace", email="ada@example.com")
    # THEN the page shows an apology and the case number of a recorded ticket
    assert wait_for_result(page) == "success"
    result = page.find_element(By.ID, "result")
    assert "sorry" in result.text.lower()
    ticket_id = result.find_element(By.CLASS_NAME, "ticket").text
    assert ticket_id in {item["ticketId"] for item in report.tickets(stack.ports.aws)}
    assert page.execute_script("return window.contactRequests") == 1


def test_happy_customer_sees_thanks(page):
    # GIVEN the contact page
    # WHEN a happy customer submits a message
    fill_and_submit(page, "I love it, great and helpful service!")
    # THEN the page thanks them with the case number
    assert wait_for_result(page) == "success"
    result = page.find_element(By.ID, "result")
    assert "thank you for your kind words" in result.text.lower()
    assert result.find_element(By.CLASS_NAME, "ticket").text


def test_empty_message_shows_field_error_without_request(page):
    # GIVEN the contact page
    # WHEN the form is submitted with only spaces as the message
    fill_and_submit(page, "   ", name="Ada")
    # THEN the message field shows an error and nothing was sent
    error = WebDriverWait(page, 10).until(lambda d: d.find_element(By.ID, "message-error").text)
    assert "message" in error.lower()
    assert page.execute_script("return window.contactRequests") == 0
    assert page.find_element(By.ID, "result").text == ""


def test_markup_in_the_message_is_never_run(stack, page):
    # GIVEN a message that is markup and script
    markup = '<script>window.injected = 1</script><img src=x onerror="window.injected = 2"> bad service'
    # WHEN it is submitted
    fill_and_submit(page, markup)
    # THEN the answer is shown as text, nothing ran, and the ticket keeps the text as typed
    assert wait_for_result(page) == "success"
    assert page.execute_script("return window.injected") is None
    assert page.find_elements(By.CSS_SELECTOR, "#result script, #result img") == []
    ticket_id = page.find_element(By.CLASS_NAME, "ticket").text
    [ticket] = [item for item in report.tickets(stack.ports.aws) if item["ticketId"] == ticket_id]
    assert ticket["message"] == markup
