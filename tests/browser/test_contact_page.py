"""The contact page in a real browser against the local stack."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
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

# Keeps each /contact request body with the status and JSON body of its answer.
_ANSWER_SPY = """
window.contactAnswers = [];
const answeredFetch = window.fetch;
window.fetch = function (resource, init) {
  return answeredFetch.apply(this, arguments).then(function (response) {
    response.clone().json().then(function (body) { window.contactAnswers.push([init.body, response.status, body]); });
    return response;
  });
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


class TestHoneypot:
    def test_a_person_using_the_keyboard_never_reaches_or_sees_the_honeypot(self, stack, page):
        # GIVEN the contact page, focus on the first field
        page.find_element(By.ID, "name").click()
        honeypot = page.find_element(By.ID, "website")
        # WHEN a person tabs through the whole form, typing into each field
        focused = []
        for text in ("Grace Hopper", "grace@example.com", "This is bad service, very disappointing"):
            active = page.switch_to.active_element
            focused.append(active.get_attribute("id"))
            active.send_keys(text)
            active.send_keys(Keys.TAB)
        focused.append(page.switch_to.active_element.get_attribute("id"))
        # THEN focus went name, email, message, submit button: never the honeypot
        assert focused == ["name", "email", "message", "submit"]
        # AND the honeypot is off screen, tiny, and hidden from screen readers, labelled in case one reads it
        rect = page.execute_script("return arguments[0].getBoundingClientRect().toJSON()", honeypot)
        assert rect["right"] <= 0 or rect["width"] <= 1
        assert page.execute_script("return arguments[0].closest('[aria-hidden=\"true\"]') !== null", honeypot)
        assert page.find_element(By.CSS_SELECTOR, "label[for=website]").get_attribute("textContent") == (
            "Leave this field empty"
        )
        # AND the person's submission goes through
        page.switch_to.active_element.send_keys(Keys.ENTER)
        assert wait_for_result(page) == "success"
        ticket_id = page.find_element(By.CLASS_NAME, "ticket").text
        assert ticket_id in {item["ticketId"] for item in report.tickets(stack.ports.aws)}

    def test_a_bot_filling_the_honeypot_is_refused_and_nothing_is_stored(self, stack, page):
        # GIVEN a bot that fills in every input it finds, the hidden one too
        marker = "honeypot-bot-ad7f"
        page.execute_script(_ANSWER_SPY)
        page.execute_script("document.getElementById('website').value = 'http://spam.example'")
        # WHEN it submits the form
        fill_and_submit(page, f"Buy cheap stuff {marker}")
        # THEN the page sent the field, the API refused it with 400 naming it, and the page says so
        assert wait_for_result(page) == "error"
        [(sent, status, answer)] = WebDriverWait(page, 10).until(lambda d: d.execute_script(
            "return window.contactAnswers.length ? window.contactAnswers : null"))
        assert json.loads(sent)["website"] == "http://spam.example"
        assert (status, answer) == (
            400, {"Code": "BadRequestError", "Message": "website: must be left empty", "Field": "website"}
        )
        # AND nothing was stored
        assert not [item for item in report.tickets(stack.ports.aws) if marker in item.get("message", "")]
