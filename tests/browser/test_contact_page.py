"""The contact page in a real browser against the local stack."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from localdev import report
from tests.support.pages import (
    contact_requests,
    fill,
    fill_and_submit,
    open_page,
    shown_ticket,
    tickets_with_message,
    wait_for_result,
)

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
    return open_page(browser, stack.api_url)


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def test_unhappy_customer_sees_an_apology_and_the_case_number_without_a_promise_of_email(stack, page):
    # GIVEN the contact page
    message = unique("This is bad service")
    # WHEN an unhappy customer fills the form and submits it
    fill_and_submit(page, message, name="Ada Lovelace", email="ada@example.com")
    # THEN the page apologises, in the NEGATIVE style, with the case number of the recorded ticket
    assert wait_for_result(page) == "received"
    result = page.find_element(By.ID, "result")
    assert result.get_attribute("data-sentiment") == "NEGATIVE"
    assert "sorry" in result.text.lower()
    [ticket] = tickets_with_message(stack.ports.aws, message)
    assert shown_ticket(page) == ticket["ticketId"]
    # AND it claims nothing it cannot know (whether anyone was emailed), and keeps what was sent
    assert "administrator" not in result.text.lower() and "told" not in result.text.lower()
    assert page.find_element(By.ID, "message").get_attribute("value") == message
    assert contact_requests(page) == 1


def test_happy_customer_sees_thanks_in_a_different_style(page):
    # WHEN a happy customer submits a message
    fill_and_submit(page, unique("I love it, great and helpful service!"))
    # THEN the page thanks them with the case number, styled for a positive message
    assert wait_for_result(page) == "received"
    result = page.find_element(By.ID, "result")
    assert result.get_attribute("data-sentiment") == "POSITIVE"
    assert "thank you for your kind words" in result.text.lower()
    positive = result.value_of_css_property("background-color")
    # (the NEGATIVE style is another colour: not the same "success" box for both)
    page.execute_script("arguments[0].setAttribute('data-sentiment', 'NEGATIVE')", result)
    assert result.value_of_css_property("background-color") != positive


def test_double_click_sends_one_submission(stack, page):
    # GIVEN a filled form
    message = unique("Double click, bad service")
    fill(page, message)
    # WHEN the customer double-clicks Send
    ActionChains(page).double_click(page.find_element(By.ID, "submit")).perform()
    # THEN one request is sent and one ticket recorded
    assert wait_for_result(page) == "received"
    assert contact_requests(page) == 1
    assert len(tickets_with_message(stack.ports.aws, message)) == 1


def test_each_submission_gets_a_fresh_key(stack, browser, proxy):
    # GIVEN the page (through the proxy, which sees the keys)
    page = open_page(browser, proxy.url)
    proxy.plan()
    # WHEN two messages are sent one after the other
    for text in ("First message", "Second message"):
        fill_and_submit(page, unique(text))
        assert wait_for_result(page) == "received"
    # THEN each went with its own key
    keys = [post.key for post in proxy.posts]
    assert len(keys) == 2 and None not in keys and keys[0] != keys[1]


def test_empty_message_shows_field_error_without_request(page):
    # WHEN the form is submitted with only spaces as the message
    fill_and_submit(page, "   ", name="Ada")
    # THEN the message field shows an error, tied to the field, and nothing was sent
    error = WebDriverWait(page, 10).until(lambda d: d.find_element(By.ID, "message-error").text)
    assert "message" in error.lower()
    field = page.find_element(By.ID, "message")
    assert field.get_attribute("aria-invalid") == "true"
    assert "message-error" in field.get_attribute("aria-describedby").split()
    assert page.find_element(By.ID, "message-error").get_attribute("aria-live") == "polite"
    assert page.switch_to.active_element == field
    assert contact_requests(page) == 0
    assert page.find_element(By.ID, "result").text == ""


def test_server_reason_is_shown_at_its_field(browser, proxy):
    # GIVEN an API that refuses the email with its reason (as for a rule the page does not know)
    page = open_page(browser, proxy.url)
    proxy.plan()
    answer = {"Code": "BadRequestError", "Message": "email: not a valid email address", "Field": "email"}
    proxy.answer_with(400, answer)
    try:
        # WHEN the form is sent
        fill_and_submit(page, "Hello", email="ada@example.com")
        # THEN the server's reason is shown at the email field, and the page says nothing was sent
        assert wait_for_result(page) == "error"
        assert page.find_element(By.ID, "email-error").text == "Not a valid email address."
        assert page.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
        assert "not sent" in page.find_element(By.ID, "result").text.lower()
        assert len(proxy.posts) == 1
    finally:
        proxy.canned = None


def test_honeypot_is_hidden_from_people_and_sent_only_when_filled(browser, proxy):
    # GIVEN the page
    page = open_page(browser, proxy.url)
    proxy.answer_with(400, {"Code": "BadRequestError", "Message": "website: must be empty", "Field": "website"})
    try:
        honeypot = page.find_element(By.ID, "website")
        # THEN the honeypot is off-screen, out of the tab order and hidden from assistive technology
        assert honeypot.get_attribute("tabindex") == "-1" and honeypot.get_attribute("autocomplete") == "off"
        assert page.execute_script("return arguments[0].closest('[aria-hidden=true]') !== null", honeypot)
        assert honeypot.rect["x"] < 0
        # WHEN a person sends the form, the field is not in the body
        proxy.plan()
        fill_and_submit(page, "Hello")
        wait_for_result(page)
        assert "website" not in json.loads(proxy.posts[0].body)
        # WHEN a bot fills it, it is sent
        page.execute_script("document.getElementById('website').value = 'http://spam.example'")
        fill_and_submit(page, "Hello again")
        wait_for_result(page)
        assert json.loads(proxy.posts[1].body)["website"] == "http://spam.example"
    finally:
        proxy.canned = None


def test_markup_in_the_message_is_never_run(stack, page):
    # GIVEN a message that is markup and script
    markup = '<script>window.injected = 1</script><img src=x onerror="window.injected = 2"> bad service'
    # WHEN it is submitted
    fill_and_submit(page, markup)
    # THEN the answer is shown as text, nothing ran, and the ticket keeps the text as typed
    assert wait_for_result(page) == "received"
    assert page.execute_script("return window.injected") is None
    assert page.find_elements(By.CSS_SELECTOR, "#result script, #result img") == []
    ticket_id = shown_ticket(page)
    assert any(item["ticketId"] == ticket_id for item in tickets_with_message(stack.ports.aws, markup))


def test_api_under_make_run_allows_the_origin_of_its_own_port(stack):
    # WHEN the API answers a request (here a refused one, which needs no workflow)
    request = urllib.request.Request(
        f"{stack.api_url}/contact", data=b"{}", headers={"Content-Type": "application/json"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    # THEN CORS allows the page's origin on the port the stack really uses
    assert refused.value.code == 400
    assert refused.value.headers["Access-Control-Allow-Origin"] == f"http://localhost:{stack.ports.api}"


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
        assert wait_for_result(page) == "received"
        assert shown_ticket(page) in {item["ticketId"] for item in report.tickets(stack.ports.aws)}

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
