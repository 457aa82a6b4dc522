"""A local stack, a fault proxy in front of its API, and a headless Chrome/Chromium driven by selenium.

The browser is the one `make test` found or installed (tools/browser.py): ``CHROME_BINARY`` /
``CHROMEDRIVER``, PATH, or Selenium Manager. None found fails these tests; they never skip.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from localdev.harness import StackProcess, running_stack
from tests.support.fault_proxy import FaultProxy, running_proxy
from tools import browser as browsers
from tools.system import SetupStopped, default_which


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    with running_stack() as running:
        yield running


@pytest.fixture(scope="module")
def proxy(stack: StackProcess) -> Iterator[FaultProxy]:
    with running_proxy(stack.api_url) as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    try:
        found = browsers.find(os.environ, default_which(os.environ))
    except SetupStopped as stop:
        pytest.fail(str(stop), pytrace=False)
    options = webdriver.ChromeOptions()
    if found.binary:
        options.binary_location = found.binary
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1024,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    # An explicit driver path: Selenium Manager then downloads nothing.
    driver = webdriver.Chrome(service=Service(executable_path=found.driver), options=options)
    # Async scripts (axe) may take a few seconds on a busy machine.
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
