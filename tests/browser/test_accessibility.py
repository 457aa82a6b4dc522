"""WCAG 2.2 AA in light and dark mode: axe-core (served from the repo), focus indicators, keyboard-only use."""
from __future__ import annotations

import re
import uuid

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.pages import (
    axe_violations,
    fill_and_submit,
    open_page,
    set_color_scheme,
    shown_ticket,
    tickets_with_message,
    wait_for_result,
)

SCHEMES = ("light", "dark")
FOCUSABLE = ("name", "email", "message", "submit")
_RGB = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)")


def luminance(css_color: str) -> float:
    red, green, blue = (float(part) / 255 for part in _RGB.match(css_color).groups())  # type: ignore[union-attr]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture(params=SCHEMES)
def scheme(request, browser):
    yield request.param
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


@pytest.fixture
def page(stack, browser, scheme):
    page = open_page(browser, stack.api_url)
    set_color_scheme(page, scheme)
    return page


def test_axe_finds_no_wcag_aa_violation_in_any_state_of_the_page(page, scheme):
    # GIVEN the page in this colour scheme
    body = page.find_element(By.TAG_NAME, "body").value_of_css_property("background-color")
    assert (luminance(body) < 0.1) == (scheme == "dark")
    # THEN axe finds nothing on the empty form
    assert axe_violations(page) == []
    # WHEN the form shows field errors
    fill_and_submit(page, "   ", email="not an address")
    assert page.find_element(By.ID, "email-error").text
    # THEN axe finds nothing
    assert axe_violations(page) == []
    # WHEN an answer is shown, for each sentiment's style and for an error
    fill_and_submit(page, f"This is bad service {uuid.uuid4().hex[:8]}")
    assert wait_for_result(page) == "received"
    result = page.find_element(By.ID, "result")
    for sentiment in ("NEGATIVE", "POSITIVE", "NEUTRAL", "MIXED"):
        page.execute_script("arguments[0].setAttribute('data-sentiment', arguments[1])", result, sentiment)
        # THEN axe finds nothing
        assert axe_violations(page) == [], sentiment
    page.execute_script(
        "arguments[0].removeAttribute('data-sentiment'); arguments[0].setAttribute('data-kind', 'error')", result
    )
    assert axe_violations(page) == []


def press(page, key: str) -> None:
    """A key press sent to whatever has the focus, as a keyboard would."""
    ActionChains(page).send_keys(key).perform()


def start_from_the_top(page) -> None:
    page.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")


def test_every_control_shows_a_focus_indicator_of_at_least_3_to_1(page, scheme):
    background = page.find_element(By.TAG_NAME, "body").value_of_css_property("background-color")
    start_from_the_top(page)
    for element_id in FOCUSABLE:
        # WHEN the control gets the keyboard focus
        press(page, Keys.TAB)
        focused = page.switch_to.active_element
        assert focused.get_attribute("id") == element_id
        # THEN it has a solid outline of at least 2 px that stands out from the page by 3:1
        assert focused.value_of_css_property("outline-style") == "solid", element_id
        assert float(focused.value_of_css_property("outline-width").removesuffix("px")) >= 2, element_id
        ratio = contrast(focused.value_of_css_property("outline-color"), background)
        assert ratio >= 3, (element_id, scheme, ratio)


def test_keyboard_alone_fills_and_sends_the_form(stack, page, scheme):
    # GIVEN a customer using only the keyboard
    message = f"Keyboard only, {scheme} mode, good service {uuid.uuid4().hex[:8]}"
    typed = {"name": "Ada", "email": "ada@example.com", "message": message}
    start_from_the_top(page)
    # WHEN they Tab through the fields (the honeypot is skipped), type, reach Send and press Enter
    for element_id in FOCUSABLE:
        press(page, Keys.TAB)
        assert page.switch_to.active_element.get_attribute("id") == element_id
        if element_id in typed:
            press(page, typed[element_id])
    press(page, Keys.ENTER)
    # THEN the message is sent and the answer, with the case number, takes the focus
    assert wait_for_result(page) == "received"
    assert page.switch_to.active_element.get_attribute("id") == "result"
    [ticket] = tickets_with_message(stack.ports.aws, message)
    assert shown_ticket(page) == ticket["ticketId"]
