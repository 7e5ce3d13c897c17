"""Debian's headless Chromium driven by Selenium, for the tests that look at pages as people do
(tests/test_browser.py, tests/test_declared.py); its fixtures are the suite's (tests/conftest.py).
Screenshots go to TEST_OUTPUT_DIR/browser for a look.
"""

import os

import pytest
from django.conf import settings

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
IN_CI = os.environ.get("CI", "").lower() == "true"
SIZES = {"desk": (1400, 1000), "phone": (390, 844)}


@pytest.fixture
def browser():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=fr",
        # Scrollbars shown, as on a desk: Django's phone layout sized rows by the viewport, scrollbar
        # included, and clipped them by its width where it takes room (hidden, nothing showed it).
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console: what the page's CSP refused
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def screenshots():
    output = settings.TEST_OUTPUT_DIR / "browser"
    output.mkdir(parents=True, exist_ok=True)
    return output


def overflow(browser) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


HIDDEN_SIDEWAYS = """
return [...document.querySelectorAll('body *')].filter(e => {
  const style = getComputedStyle(e);
  return e.offsetParent !== null && e.clientWidth > 1 && ['auto', 'scroll', 'hidden'].includes(style.overflowX)
         && e.scrollWidth > e.clientWidth + 1;
}).map(e => (e.id || e.className || e.tagName) + ': ' + e.scrollWidth + ' in ' + e.clientWidth);
"""


def csp_refusals(browser) -> list[str]:
    """What the browser refused to load or run on the pages since the last call, by their Content-Security-Policy."""
    return [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]


def log_in(browser, base_url: str) -> None:
    """A superuser, logged in through the admin's own form."""
    from django.contrib.auth.models import User
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    User.objects.create_superuser("admin", "admin@opsync.ga", "mot-de-passe-admin")
    browser.set_window_size(*SIZES["desk"])
    browser.get(f"{base_url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys("mot-de-passe-admin")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The click only starts the login: wait for its redirect, or it may land after the next get().
    WebDriverWait(browser, 30).until(lambda b: "/login/" not in b.current_url)
