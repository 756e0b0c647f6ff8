"""A real browser opens the site through the local edge: the page renders, its
``/api/`` call is answered by the origin application behind the ALB, the
console has no error (a Content-Security-Policy violation is one), and the
document carries the security headers (HSTS, frame options, content-type
options, referrer policy).

Chromium and its WebDriver are Debian's ``chromium`` and ``chromium-driver``
(``make install``); without them the test fails with the install command, it
is never skipped."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .helpers import site_url

INSTALL = "make install (or: sudo apt-get install -y chromium chromium-driver)"
# Collects what the page's CSP refuses; added through DevTools, so the CSP itself does not apply to it.
CSP_PROBE = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)
SECURITY_HEADERS = ("strict-transport-security", "x-frame-options", "x-content-type-options", "referrer-policy")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.fail(f"Chromium or chromedriver is not installed; the browser test needs both. Fix: {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed. Fix: {INSTALL}", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    try:
        yield driver
    finally:
        driver.quit()


def _document_headers(driver: Any, url: str) -> dict[str, str]:
    """The response headers the browser received for ``url`` (DevTools' Network.responseReceived)."""
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.responseReceived":
            continue
        response = message["params"]["response"]
        if response["url"] == url:
            return {k.lower(): v for k, v in response["headers"].items()}
    raise AssertionError(f"the browser logged no response for {url}")


def _settled(driver: Any, seconds: float) -> str:
    """The page script's final status class (``ok``/``error``), or "" if it never finished."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def finished(d: Any) -> str | None:
        value = d.find_element(By.ID, "status").get_attribute("class")
        return value if value in ("ok", "error") else None

    try:
        return str(WebDriverWait(driver, seconds).until(finished))
    except TimeoutException:
        return ""


def test_site_renders_and_its_api_call_succeeds_without_console_errors(browser, deployed, outputs):
    from selenium.webdriver.common.by import By

    url = site_url(deployed.endpoint, outputs)
    browser.get(url)
    settled = _settled(browser, 30)
    # What the browser refused comes first: it explains a page that never finished.
    assert browser.execute_script("return window.__cspViolations") == []
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    status = browser.find_element(By.ID, "status")
    assert settled == "ok", f"the page's /api/ call did not succeed: {status.text!r}"
    assert browser.find_element(By.TAG_NAME, "h1").text == "webstack"
    terms = browser.find_elements(By.CSS_SELECTOR, "#greeting dt")
    details = browser.find_elements(By.CSS_SELECTOR, "#greeting dd")
    answered = {dt.text: dd.text for dt, dd in zip(terms, details, strict=True)}
    assert answered.get("Message"), answered
    headers = _document_headers(browser, url)
    missing = [h for h in SECURITY_HEADERS if h not in headers]
    assert not missing, headers
    assert headers["x-frame-options"] == "DENY"
