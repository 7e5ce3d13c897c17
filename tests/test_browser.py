"""End to end in a real browser: Debian's headless Chromium driven by Selenium against the live server.

The pages a manager reads (dashboard, run list, a run's page, a mirror list), at a desk's
1400 px and a phone's 390 px: nothing wider than the window, the verdict on top, the chart with
its labels. Screenshots go to TEST_OUTPUT_DIR/browser for a look.
"""

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from syncapp.engine.outcome import SyncOptions
from syncapp.models import Client, OpsOnlyRow, RenumberedRow, Service, SyncRun, SyncTableResult
from syncapp.running.runs import run_queue
from tests.browser import HAVE_BROWSER, HIDDEN_SIDEWAYS, IN_CI, SIZES, csp_refusals, log_in, overflow
from tests.factories import (
    ArmateurFactory,
    ClientFactory,
    RepresentantFactory,
    ServiceFactory,
    TransitaireFactory,
    fac_now,
)
from tests.french import agreement_errors, english_words
from tests.mirror import finished, sync

pytestmark = [
    pytest.mark.skipif(not HAVE_BROWSER and not IN_CI, reason="needs chromium and chromium-driver (apt)"),
    pytest.mark.django_db(databases=["default", "facturation"], transaction=True),
]


def wait_for_run_page(browser) -> None:
    """A button's POST answers with a redirect to the run's page: wait for it to be there."""
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: "/syncrun/" in b.current_url)


def test_the_pages_fit_a_desk_and_a_phone(browser, live_server, fac, screenshots):
    from selenium.webdriver.common.by import By

    ClientFactory.create_batch(3)
    ClientFactory(nom="Société Équatoriale d'Exploitation Forestière et de Transit Maritime " * 2, notes="x" * 5000)
    ArmateurFactory(code="MSC", nom="MSC")
    assert sync()[0] == 0
    assert sync("--dry-run")[0] == 0
    run = SyncRun.objects.filter(dry_run=False).latest("started_at")
    log_in(browser, live_server.url)
    pages = {
        "dashboard": "/admin/syncapp/dashboard/",
        "runs": "/admin/syncapp/syncrun/",
        "run": f"/admin/syncapp/syncrun/{run.pk}/change/",
        "clients": "/admin/syncapp/client/",
    }
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        for name, path in pages.items():
            browser.get(live_server.url + path)
            browser.save_screenshot(str(screenshots / f"{name}-{width}.png"))
            assert overflow(browser) <= 0, f"{name} is wider than the window at {width} px"
            if (name, size) == ("runs", "desk"):  # every column in view, errors included, beside the filters
                hidden = "var r = document.querySelector('.results'); return r.scrollWidth - r.clientWidth"
                assert browser.execute_script(hidden) <= 0
            if name == "dashboard":
                verdict = browser.find_element(By.ID, "opsync-verdict")
                assert verdict.get_attribute("data-level") == "ok", size
                assert verdict.text.startswith("Tout est à jour")
                labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#opsync-chart text")]
                assert "durée" in labels and "début de l’exécution" in labels
                assert any(label.endswith(" s") for label in labels)  # the scale
                assert any(label.endswith(" WAT") for label in labels)  # the times, with their zone
                clients_row = browser.find_element(By.CSS_SELECTOR, 'tr[data-table="clients"]')
                cells = [
                    cell.text for cell in clients_row.find_elements(By.CSS_SELECTOR, "td.num") if cell.is_displayed()
                ]
                # OPS live, then on a desk only the deleted rows and FAC's: a phone keeps what fits
                assert cells[1:] == (["4", "0", "4"] if size == "desk" else ["4"]), size


def test_preview_and_sync_now_from_the_dashboard(browser, live_server, fac, detached, screenshots):
    from selenium.webdriver.common.by import By

    ClientFactory.create_batch(3)
    assert sync()[0] == 0
    log_in(browser, live_server.url)
    new = ClientFactory(nom="Nouveau client 🚢", updated_at=fac_now())

    browser.get(f"{live_server.url}/admin/syncapp/dashboard/")
    browser.find_element(By.ID, "opsync-preview").click()
    wait_for_run_page(browser)
    preview = finished(SyncRun.objects.latest("started_at"))
    browser.refresh()
    assert preview.dry_run and preview.status == "success"
    assert "rien n’a été écrit dans OPS" in browser.find_element(By.ID, "opsync-dry-run").text
    assert (
        f"n° {new['id']} : insertion" in browser.find_element(By.CSS_SELECTOR, "ul.opsync-changes").text
    )  # (Selenium reads the NBSP as a space)
    assert not Client.objects.filter(pk=new["id"]).exists()
    browser.save_screenshot(str(screenshots / "preview-1400.png"))

    browser.get(f"{live_server.url}/admin/syncapp/dashboard/")
    browser.find_element(By.ID, "opsync-sync-now").click()
    wait_for_run_page(browser)
    run = SyncRun.objects.latest("started_at")
    assert browser.current_url.endswith(f"/admin/syncapp/syncrun/{run.pk}/change/")
    assert f"n° {run.pk}" in browser.find_element(By.CSS_SELECTOR, ".messagelist .info").text
    finished(run)
    assert not run.dry_run and run.trigger == "admin" and run.inserted == 1
    assert Client.objects.filter(pk=new["id"]).exists()
    browser.get(f"{live_server.url}/admin/syncapp/syncrun/")
    assert str(run.pk) in browser.find_element(By.ID, "result_list").text


# Elements that scroll their own content sideways: what they hide, a reader does not see.
def failing_run() -> SyncRun:
    """A run that failed on two tables for the same reason, as FAC unreachable leaves them."""
    problem = {"code": "fac_unreachable", "params": {"reason": {"code": "reason_cannot_connect", "params": {}}}}
    run = SyncRun.objects.create(status="failed", finished_at=timezone.now(), tables=["clients", "services"])
    for table in ("clients", "services"):
        SyncTableResult.objects.create(run=run, table=table, status="failed", problem=problem, errors=1)
    return run


def test_every_page_fits_its_box_and_reads_french_at_both_widths_light_and_dark(browser, live_server, fac, screenshots):
    """Every page of the admin: its index, the dashboard OK and failing, the run list, a run, a failed
    run, a verification, a dry run pending and done, each mirror list, a row's page, the OPS-only,
    vanished and renumbered rows, the users and groups, the login records: nothing wider than its box,
    no English, counts agreeing (tests/test_declared.py: the declared tables' pages)."""
    from selenium.webdriver.common.by import By

    ClientFactory.create_batch(3)
    gone = ClientFactory(nom="Société Équatoriale d'Exploitation Forestière et de Transit Maritime " * 2)
    ArmateurFactory(code="MSC", nom="MSC")
    TransitaireFactory()
    RepresentantFactory()
    ServiceFactory()
    assert sync()[0] == 0
    fac.hard_delete("clients", gone["id"])
    assert sync()[0] == 0 and sync("--dry-run")[0] == 0
    run = SyncRun.objects.filter(dry_run=False).latest("started_at")
    dry = SyncRun.objects.filter(dry_run=True).latest("started_at")
    Client.objects.filter(pk=gone["id"] - 1).update(nom="changé dans OPS")
    assert sync("--verify")[0] == 1
    verify = SyncRun.objects.latest("started_at")
    pending = run_queue(options=SyncOptions(dry_run=True), trigger="admin")
    OpsOnlyRow.objects.create(table="clients", row_id=gone["id"] + 1000, collides=True)
    RenumberedRow.objects.create(table="clients", ops_table="clients", old_id=19406, new_id=1_000_000_001, references=2)
    log_in(browser, live_server.url)
    pages = {
        "index": "/admin/",
        "dashboard": "/admin/syncapp/dashboard/",
        "runs": "/admin/syncapp/syncrun/",
        "run": f"/admin/syncapp/syncrun/{run.pk}/change/",
        "verify": f"/admin/syncapp/syncrun/{verify.pk}/change/",
        "dry-run": f"/admin/syncapp/syncrun/{dry.pk}/change/",
        "dry-run-pending": f"/admin/syncapp/syncrun/{pending.pk}/change/",
        "client-row": f"/admin/syncapp/client/{gone['id']}/change/",
        "service-row": f"/admin/syncapp/service/{Service.objects.get().pk}/change/",
        "users": "/admin/auth/user/",
        "groups": "/admin/auth/group/",
        "logins": "/admin/axes/accesslog/",
        "login-attempts": "/admin/axes/accessattempt/",
        "login-failures": "/admin/axes/accessfailurelog/",
        **{
            name: f"/admin/syncapp/{model}/"
            for name, model in (
                ("clients", "client"),
                ("transitaires", "transitaire"),
                ("armateurs", "armateur"),
                ("representants", "representant"),
                ("services", "service"),
            )
        },
        "ops-only": "/admin/syncapp/opsonlyrow/",
        "vanished": "/admin/syncapp/vanishedrow/",
        "renumbered": "/admin/syncapp/renumberedrow/",
    }
    failing = None
    for theme in ("light", "dark"):
        browser.execute_script("localStorage.setItem('theme', arguments[0])", theme)
        for width, height in SIZES.values():
            browser.set_window_size(width, height)
            if theme == "dark" and failing is None:
                failing = failing_run()
                pages["failed-run"] = f"/admin/syncapp/syncrun/{failing.pk}/change/"
                pages["dashboard-failing"] = pages.pop("dashboard")  # last: its verdict is read below
            for name, path in pages.items():
                browser.get(live_server.url + path)
                assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == theme
                browser.save_screenshot(str(screenshots / f"{name}-{width}-{theme}.png"))
                where = f"{name} at {width} px, {theme}"
                assert overflow(browser) <= 0, f"{where}: wider than the window"
                assert browser.execute_script(HIDDEN_SIDEWAYS) == [], where
                assert csp_refusals(browser) == [], where
                text = browser.find_element(By.ID, "content").text
                assert english_words(text) == [], f"{where}: {text}"
                assert agreement_errors(text) == [], f"{where}: {text}"
    verdict = browser.find_element(By.ID, "opsync-verdict")
    assert verdict.get_attribute("data-level") == "critical"
    assert verdict.text.count("ne sont plus mises à jour") == 1  # two tables, one sentence


def test_the_login_the_locked_out_page_and_an_error_page_under_their_content_security_policy(
    browser, live_server, fac, screenshots, settings
):
    """Their styles are opsync's own files now, which the policy allows: each page looks as it did."""
    from selenium.webdriver.common.by import By

    def wrong_password() -> None:
        browser.get(f"{live_server.url}/admin/login/")
        browser.find_element(By.NAME, "username").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys("mauvais")
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    ClientFactory.create_batch(2)
    assert sync()[0] == 0
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        browser.get(f"{live_server.url}/admin/login/")
        browser.save_screenshot(str(screenshots / f"login-{width}.png"))
        browser.get(f"{live_server.url}/nulle-part/")
        assert "system-ui" in browser.execute_script("return getComputedStyle(document.body).fontFamily"), size
        browser.save_screenshot(str(screenshots / f"404-{width}.png"))
        assert csp_refusals(browser) == [], size
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong_password()
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        wrong_password()
        assert browser.find_element(By.ID, "opsync-locked-out").text.startswith("Trop de connexions échouées")
        assert overflow(browser) <= 0, size
        browser.save_screenshot(str(screenshots / f"locked-out-{width}.png"))
    assert csp_refusals(browser) == []

    AccessAttempt.objects.all().delete()
    log_in(browser, live_server.url)
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        browser.get(f"{live_server.url}/admin/syncapp/dashboard/")
        verdict = browser.find_element(By.ID, "opsync-verdict")
        assert verdict.value_of_css_property("border-left-width") == "6px", size  # dashboard.css, loaded
        browser.save_screenshot(str(screenshots / f"dashboard-csp-{width}.png"))
        browser.get(f"{live_server.url}/admin/syncapp/syncrun/")
        badge = browser.find_element(By.CSS_SELECTOR, ".opsync-badge")
        assert badge.value_of_css_property("background-color") == "rgba(46, 125, 50, 1)", size  # success: green
        browser.save_screenshot(str(screenshots / f"runs-csp-{width}.png"))
        assert csp_refusals(browser) == [], size
