"""End to end in a real browser: Debian's headless Chromium driven by Selenium against the live server."""

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from syncapp.models import Client, SyncRun
from tests.factories import ArmateurFactory, ClientFactory, fac_now
from tests.mirror import sync

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = [
    pytest.mark.skipif(not HAVE_BROWSER and not IN_CI, reason="needs chromium and chromium-driver (apt)"),
    pytest.mark.django_db(databases=["default", "facturation"], transaction=True),
]


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
        "--window-size=1400,1100",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=fr",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def test_dashboard_preview_and_sync_now(browser, live_server, fac):
    from selenium.webdriver.common.by import By

    ClientFactory.create_batch(3)
    ArmateurFactory(code="MSC", nom="MSC")
    assert sync()[0] == 0
    User.objects.create_superuser("admin", "admin@opsync.ga", "mot-de-passe-admin")

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys("mot-de-passe-admin")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    browser.find_element(By.LINK_TEXT, "Tableau de bord de la synchronisation").click()

    states = {
        row.get_attribute("data-table"): row.get_attribute("data-state")
        for row in browser.find_elements(By.CSS_SELECTOR, "tr.opsync-table")
    }
    assert states == dict.fromkeys(["clients", "transitaires", "armateurs", "representants", "services"], "green")
    clients_row = browser.find_element(By.CSS_SELECTOR, 'tr[data-table="clients"]')
    assert [cell.text for cell in clients_row.find_elements(By.CSS_SELECTOR, "td.num")] == ["3", "0", "3"]
    output = settings.TEST_OUTPUT_DIR / "browser"
    output.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(output / "dashboard.png"))
    shutil.copy(output / "dashboard.png", output / "dashboard-before-sync.png")

    new = ClientFactory(nom="Nouveau client 🚢", updated_at=fac_now())
    browser.find_element(By.ID, "opsync-preview").click()
    changes = browser.find_element(By.CSS_SELECTOR, "ul.opsync-changes").text
    assert f"#{new['id']} insertion" in changes
    assert not Client.objects.filter(pk=new["id"]).exists()
    preview = SyncRun.objects.latest("started_at")
    assert preview.dry_run

    browser.get(f"{live_server.url}/admin/syncapp/dashboard/")
    browser.find_element(By.ID, "opsync-sync-now").click()
    message = browser.find_element(By.CSS_SELECTOR, ".messagelist .success").text
    run = SyncRun.objects.latest("started_at")
    assert f"#{run.pk}" in message
    assert browser.current_url.endswith(f"/admin/syncapp/syncrun/{run.pk}/change/")
    assert not run.dry_run and run.trigger == "admin" and run.inserted == 1
    assert Client.objects.filter(pk=new["id"]).exists()

    browser.get(f"{live_server.url}/admin/syncapp/syncrun/")
    history = browser.find_element(By.ID, "result_list").text
    assert str(run.pk) in history and "admin" in history
    browser.get(f"{live_server.url}/admin/syncapp/dashboard/")
    browser.save_screenshot(str(output / "dashboard.png"))
