"""A local stack and a headless Chrome/Chromium driven by selenium, one of each per test module.

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
from tools import browser as browsers
from tools.system import SetupStopped, default_which


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    with running_stack() as running:
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
    yield driver
    driver.quit()
