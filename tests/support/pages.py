"""Driving the contact page as a person would, and reading what it shows."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from localdev import report

AXE_SCRIPT = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the page promises.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FINAL_KINDS = ("received", "error")

# Counts the page's requests to /contact, so a test can tell how many were sent.
FETCH_SPY = """
window.contactRequests = 0;
const realFetch = window.fetch;
window.fetch = function (resource, init) {
  if (String(resource).includes("contact")) { window.contactRequests += 1; }
  return realFetch.apply(this, arguments);
};
"""


def open_page(browser: Any, url: str) -> Any:
    browser.get(f"{url}/")
    browser.execute_script(FETCH_SPY)
    return browser


def fill(page: Any, message: str, name: str = "", email: str = "") -> None:
    for field, value in (("name", name), ("email", email), ("message", message)):
        element = page.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


def fill_and_submit(page: Any, message: str, name: str = "", email: str = "") -> None:
    fill(page, message, name, email)
    page.find_element(By.ID, "submit").click()


def wait_for_result(page: Any, timeout: float = 60) -> str:
    """The result's kind ("received" or "error") once a final answer is shown."""
    def final(driver: Any) -> str | None:
        kind = driver.find_element(By.ID, "result").get_attribute("data-kind")
        return kind if kind in FINAL_KINDS else None

    return WebDriverWait(page, timeout).until(final)


def shown_ticket(page: Any) -> str:
    return page.find_element(By.CSS_SELECTOR, "#result .ticket").text


def tickets_with_message(aws_port: int, message: str) -> list[dict[str, Any]]:
    return [item for item in report.tickets(aws_port) if item.get("message") == message]


def contact_requests(page: Any) -> int:
    return int(page.execute_script("return window.contactRequests"))


def set_color_scheme(page: Any, scheme: str) -> None:
    """Emulate ``prefers-color-scheme`` (CDP), and check the page sees it."""
    page.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )
    assert page.execute_script(f"return matchMedia('(prefers-color-scheme: {scheme})').matches")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG A/AA violations on the page as it is now (axe served from the repo)."""
    if not page.execute_script("return typeof window.axe === 'object'"):
        page.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
          .then(r => done(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target)}))))
          .catch(e => done([{id: "axe-error", help: String(e), nodes: []}]));
        """,
        WCAG_AA_TAGS,
    )
    return list(result)
