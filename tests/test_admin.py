"""The admin pages and the health endpoint, through Django's test client, on real runs."""

import os
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from syncapp.models import Client, SyncRun, SyncState
from tests.factories import ArmateurFactory, ClientFactory, fac_now
from tests.mirror import finished, sync

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
DASHBOARD = "/admin/syncapp/dashboard/"


def staff(client, *permissions: str) -> User:
    user = User.objects.create_user("agent", password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="syncapp"))
    client.force_login(user)
    return user


@pytest.fixture
def synced(fac):
    """FAC with rows, and one real run that copied them."""
    ClientFactory.create_batch(3)
    ClientFactory(deleted_at=fac_now())
    ArmateurFactory(code="MSC", nom="MSC")
    assert sync()[0] == 0
    return fac


@BOTH
def test_anonymous_users_are_sent_to_the_login(client, synced):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.post(reverse("admin:syncapp_dashboard_sync")).status_code == 302
    assert SyncRun.objects.count() == 1


@BOTH
def test_staff_without_permission_cannot_see_the_dashboard_nor_run(client, synced):
    staff(client)
    assert client.get(DASHBOARD).status_code == 403
    assert client.post(reverse("admin:syncapp_dashboard_sync")).status_code == 403
    assert SyncRun.objects.count() == 1


@BOTH
def test_the_dashboard_shows_each_table_in_french(client, synced):
    staff(client, "view_syncrun")
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tableau de bord de la synchronisation" in page
    assert 'data-table="clients" data-state="green"' in page
    row = page.split('data-table="clients"')[1].split("</tr>")[0]
    numbers = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert numbers[1:] == ["3", "1", "4"]  # OPS live, deleted, FAC rows (after the age)
    # The five named in words, their accents kept, as the menu names them: not `representants`.
    titles = [row.split("<td>")[1].split("<")[0] for row in page.split('class="opsync-table"')[1:]]
    assert titles[:5] == ["Clients", "Transitaires", "Armateurs", "Représentants", "Services"], titles
    assert "FAC joignable" in page
    content = page.split('id="content-main"')[1]
    assert "<svg" in content and "<script" not in content  # the chart is drawn by the server
    assert "Synchroniser maintenant" not in page  # no run_sync permission: no buttons


@BOTH
def test_a_stale_table_is_red_and_a_failure_is_listed(client, synced, settings):
    rows = ClientFactory.create_batch(60)
    sync()
    for row in rows[:20]:
        synced.hard_delete("clients", row["id"])
    status, _ = sync()  # refused: too many deletions
    assert status == 1
    failed = SyncRun.objects.latest("started_at")
    SyncState.objects.filter(table="armateurs").update(last_success_at=datetime(2020, 1, 1, tzinfo=UTC))
    staff(client, "view_syncrun")

    page = client.get(DASHBOARD).content.decode()

    assert 'data-table="armateurs" data-state="red"' in page
    assert 'data-table="clients" data-state="red"' in page  # its last result failed
    assert reverse("admin:syncapp_syncrun_change", args=[failed.pk]) in page
    assert "refus de marquer comme supprimées 20 des 63 lignes actives" in page  # in French, the admin's language
    # The manager's sentences name the tables as the table below does, in words: not `armateurs`.
    verdict = page.split('id="opsync-verdict"')[1].split("<details")[0]
    assert "La table «\xa0Clients\xa0» n’est plus mise à jour" in verdict, verdict
    assert "La table «\xa0Armateurs\xa0» n’a pas été mise à jour" in verdict, verdict
    # A table that is the application's own is said so in words, and its rows explained: not here.
    assert "table de l’application" not in page and "propres à l’application" not in page


@BOTH
def test_a_failure_leaves_the_list_once_a_later_run_succeeds_and_is_counted(client, synced):
    rows = ClientFactory.create_batch(60)
    sync()
    for row in rows[:20]:
        synced.hard_delete("clients", row["id"])
    assert sync()[0] == 1  # refused: too many deletions
    failed = SyncRun.objects.latest("started_at")
    staff(client, "view_syncrun")
    assert reverse("admin:syncapp_syncrun_change", args=[failed.pk]) in client.get(DASHBOARD).content.decode()

    assert sync("--allow-mass-delete")[0] == 0
    page = client.get(DASHBOARD).content.decode()

    failures = page.split('id="opsync-failures"')[1]
    assert reverse("admin:syncapp_syncrun_change", args=[failed.pk]) not in failures
    assert "Aucun échec non résolu." in failures
    note = failures.split('class="opsync-note">')[1].split("</p>")[0]
    assert note == "1 échec plus ancien a depuis été résolu par une exécution réussie."  # once, in French


@BOTH
def test_sync_now_starts_the_run_in_its_own_process_and_shows_it(client, synced, detached):
    user = staff(client, "view_syncrun", "run_sync")
    new = ClientFactory()
    page = client.get(DASHBOARD).content.decode()
    assert "Synchroniser maintenant" in page and 'value="Simulation"' in page  # one word for a dry run

    response = client.post(reverse("admin:syncapp_dashboard_sync"))

    run = SyncRun.objects.latest("started_at")
    assert response.status_code == 302 and response.url == reverse("admin:syncapp_syncrun_change", args=[run.pk])
    assert (run.trigger, run.triggered_by, run.dry_run) == ("admin", user, False)
    assert finished(run).status == "success" and run.pid != os.getpid()
    assert Client.objects.filter(pk=new["id"]).exists()
    assert client.get(reverse("admin:syncapp_dashboard_sync")).status_code == 405


@BOTH
def test_preview_shows_first_what_would_change_and_says_it_wrote_nothing(client, synced, detached):
    staff(client, "view_syncrun", "run_sync")
    new = ClientFactory(updated_at=fac_now())

    response = client.post(reverse("admin:syncapp_dashboard_preview"))

    run = finished(SyncRun.objects.latest("started_at"))
    assert run.dry_run is True and run.inserted == 1
    assert not Client.objects.filter(pk=new["id"]).exists()
    page = client.get(response.url).content.decode()
    assert "rien n’a été écrit dans OPS" in page
    main = page.split('id="content-main"')[1]
    assert main.index(f"n°\xa0{new['id']}</span>\xa0: insertion") < main.index("Totaux")  # the would-be changes first
    # After the tables' first run, a simulation says what it compared: "unchanged" is not "rows checked".
    assert "Exécution incrémentale : seules les lignes que FAC a changées" in page.replace("\xa0", " ")


@BOTH
def test_run_history_lists_filters_and_searches(client, synced):
    sync("--dry-run")
    staff(client, "view_syncrun")
    changelist = reverse("admin:syncapp_syncrun_changelist")

    page = client.get(changelist).content.decode()
    assert page.count('class="opsync-badge"') == 2
    assert "Ajouter" not in page.split('id="content-main"')[1].split("</ul>")[0]  # no add button
    assert client.get(changelist, {"dry_run__exact": "1"}).context["cl"].result_count == 1
    assert client.get(changelist, {"table": "clients"}).context["cl"].result_count == 2
    assert client.get(changelist, {"status__exact": "failed"}).context["cl"].result_count == 0
    assert client.get(changelist, {"q": "refused"}).context["cl"].result_count == 0


@BOTH
def test_run_records_are_read_only(client, synced):
    staff(client, "view_syncrun", "change_syncrun", "delete_syncrun", "add_syncrun")
    run = SyncRun.objects.get()
    change = reverse("admin:syncapp_syncrun_change", args=[run.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"status": "failed"})
    assert SyncRun.objects.get().status == "success"
    assert client.post(reverse("admin:syncapp_syncrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:syncapp_syncrun_add")).status_code == 403


@BOTH
def test_the_mirror_is_read_only_with_a_banner(client, synced):
    staff(client, "view_client", "change_client")
    changelist = reverse("admin:syncapp_client_changelist")
    page = client.get(changelist).content.decode()
    assert "Ces données viennent de FAC" in page
    # The filters' titles alone: « Par supprimée » (Django's « Par … ») reads wrong in French.
    titles = [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<summary>(.*?)</summary>", page, re.S)]
    assert "Supprimée" in titles and "Type" in titles and not any(t.startswith("Par ") for t in titles), titles
    # An address breaks at its @ and dots where the column is narrow, not inside a word.
    email = Client.objects.exclude(email=None).first().email
    assert escape(email).replace("@", "<wbr>@").replace(".", ".<wbr>") in page, email
    assert client.get(changelist, {"deleted": "yes"}).context["cl"].result_count == 1
    assert client.get(changelist, {"deleted": "no"}).context["cl"].result_count == 3
    # Sorted by its « Supprimée » column (the sixth, index 5): the deleted row first, then last.
    assert client.get(changelist, {"o": "-5"}).context["cl"].result_list[0].deleted_at is not None
    assert client.get(changelist, {"o": "5"}).context["cl"].result_list[0].deleted_at is None
    row = Client.objects.first()
    change = reverse("admin:syncapp_client_change", args=[row.pk])
    client.post(change, {"nom": "modifié dans OPS"})
    assert Client.objects.get(pk=row.pk).nom == row.nom
    assert "Ces données viennent de FAC" in client.get(change).content.decode()


@BOTH
def test_english_works_when_asked(client, synced, settings):
    settings.LANGUAGE_CODE = "en"
    staff(client, "view_syncrun", "run_sync")
    page = client.get(DASHBOARD).content.decode()
    assert "Sync dashboard" in page and "Sync now" in page and 'value="Dry run"' in page


@BOTH
def test_health_is_200_when_fresh_and_queries_no_fac(client, synced):
    with CaptureQueriesContext(connections["facturation"]) as fac_queries:
        response = client.get("/healthz/sync")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and set(body["tables"]) == {
        "clients",
        "transitaires",
        "armateurs",
        "representants",
        "services",
    }
    assert "fac" not in body and len(fac_queries) == 0
    assert client.get("/healthz/sync", {"fac": "1"}).json()["fac"] == "reachable"


@BOTH
def test_health_is_503_when_stale_or_failing_and_tells_no_secret(client, synced, settings):
    SyncState.objects.filter(table="services").update(last_success_at=datetime(2020, 1, 1, tzinfo=UTC))
    response = client.get("/healthz/sync")
    assert response.status_code == 503 and response.json()["status"] == "stale"

    SyncState.objects.update(last_success_at=datetime.now(UTC))
    SyncRun.objects.create(status=SyncRun.Status.FAILED, finished_at=datetime.now(UTC), error="FAC unreachable")
    response = client.get("/healthz/sync")
    assert response.status_code == 503 and response.json()["status"] == "failing"
    text = response.content.decode()
    for secret in (settings.DATABASES["facturation"]["PASSWORD"], settings.DATABASES["facturation"]["USER"], "@"):
        if secret:
            assert secret not in text


@BOTH
def test_a_verification_shows_what_differs(client, synced):
    edited = Client.objects.first()
    Client.objects.filter(pk=edited.pk).update(nom="changé dans OPS")
    assert sync("--verify")[0] == 1
    staff(client, "view_syncrun")

    page = client.get(reverse("admin:syncapp_syncrun_change", args=[SyncRun.objects.latest("started_at").pk]))

    html = page.content.decode()
    assert f"n°\xa0{edited.pk}</span>\xa0: diffère dans la colonne nom" in html
    # The technician's details (host, process id, options) folded away, as on the dashboard.
    folded = html.split("<details")[1].split("</details>")[0] if "<details" in html else ""
    assert "Identifiant de processus" in folded and "Hôte" in folded, html


@pytest.mark.mariadb
@BOTH
def test_the_button_answers_at_once_while_the_run_goes_on(client, synced, detached):
    """The request returns while the run it started still waits for OPS (a row another session holds)."""
    from tests.sessions import RowLock, wait_for_blocked_write

    staff(client, "view_syncrun", "run_sync")
    row = Client.objects.order_by("pk").first()
    synced.update("clients", row.pk, nom="renommé dans FAC", updated_at=fac_now())
    lock = RowLock("clients", row.pk)
    try:
        response = client.post(reverse("admin:syncapp_dashboard_sync"))
        run = SyncRun.objects.latest("started_at")
        assert response.status_code == 302  # answered…
        wait_for_blocked_write(lock)  # …while the run is still blocked on the row
        run.refresh_from_db()
        assert run.status == SyncRun.Status.RUNNING
        page = client.get(response.url).content.decode()
        assert '<meta http-equiv="refresh" content="2">' in page and "Cette exécution est en cours" in page
    finally:
        lock.release()
    assert finished(run).status == "success"
    assert Client.objects.get(pk=row.pk).nom == "renommé dans FAC"


def test_the_browser_tab_has_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


@BOTH
def test_every_list_of_the_admin_opens_on_a_server_without_time_zone_tables(client, synced):
    """/admin/axes/accesslog/ was a 500, mailed: axes pages its login records by day (date_hierarchy), which
    MySQL computes with CONVERT_TZ, NULL on a server without time zone tables (a fresh MariaDB has none)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib import admin

    who = {"username": "admin", "ip_address": "192.0.2.1", "user_agent": "x"}
    AccessAttempt.objects.create(**who, failures_since_start=1)
    AccessLog.objects.create(**who)
    AccessFailureLog.objects.create(**who)
    client.force_login(User.objects.create_superuser("chef", "chef@opsync.ga", "x"))
    for model in admin.site._registry:
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connections["default"]) as queries:
            assert client.get(path).status_code == 200, path
        assert not [q["sql"] for q in queries if "CONVERT_TZ" in q["sql"]], path


@BOTH
def test_a_click_while_a_run_waits_says_it_waits_without_a_success_tick(client, synced):
    """« L’exécution n° 4 est déjà en cours » under its badge « en attente », with the green tick of
    a success: said as the badge says it now, as a warning (this click started nothing)."""
    staff(client, "view_syncrun", "run_sync")
    waiting = SyncRun.objects.create(status=SyncRun.Status.QUEUED, trigger=SyncRun.Trigger.ADMIN)

    response = client.post(reverse("admin:syncapp_dashboard_sync"), follow=True)

    page = response.content.decode()
    said = f"L’exécution n°\xa0{waiting.pk} attend déjà de commencer\xa0: la voici."
    assert f'<li class="warning">{said}</li>' in page, page
    assert "Cette exécution attend de commencer\xa0; la page s’actualise" in page  # not « est en cours »
    assert "Cette exécution est en cours" not in page
    assert SyncRun.objects.count() == 2  # the synced fixture's run, and the one waiting: nothing started


@BOTH
def test_the_index_and_the_menu_open_the_sync_on_its_dashboard_in_one_section(client, synced):
    """The menu listed every section but the dashboard; the index had it in a section of its own, the
    five and the history in another, a declared table in a third, and axes' records under « AXES »."""
    client.force_login(User.objects.create_superuser("chef", "chef@example.ga", "x"))
    index = client.get("/admin/")
    sections = [app["name"] for app in index.context["app_list"]]
    assert "Synchronisation FAC" in sections and "Journal des connexions" in sections, sections
    assert "Axes" not in sections and "Tables OPS alimentées par FAC" not in sections, sections
    sync = next(app for app in index.context["app_list"] if app["name"] == "Synchronisation FAC")
    assert sync["models"][0]["name"] == "Tableau de bord de la synchronisation"
    assert sync["models"][0]["admin_url"] == DASHBOARD
    menu = client.get(DASHBOARD).content.decode().split('id="nav-sidebar"')[1].split("</nav>")[0]
    assert f'href="{DASHBOARD}"' in menu  # the menu beside every page has it too
    records = next(app for app in index.context["app_list"] if app["name"] == "Journal des connexions")
    assert all(model["view_only"] for model in records["models"]), records  # read, not « Modification »


@BOTH
def test_an_amount_reads_the_same_on_the_list_and_on_the_rows_page(client, fac):
    """One builder for every table's admin: a DECIMAL column is an amount grouped by thousands on the
    row's page as on the list (« 85 000,00 » on both; Django's own display wrote « 85000,00 »)."""
    from syncapp.models import Service
    from tests.factories import RepresentantFactory, ServiceFactory

    ServiceFactory(prix_unitaire="85000.00")
    RepresentantFactory(taux_commission="7.50")
    assert sync()[0] == 0
    staff(client, "view_service", "view_representant")
    grouped = "85\xa0000,00"  # French: a no-break space between the thousands
    listed = client.get(reverse("admin:syncapp_service_changelist")).content.decode()
    row = client.get(reverse("admin:syncapp_service_change", args=[Service.objects.get().pk])).content.decode()
    assert grouped in listed and grouped in row, (listed, row)
    assert "85000,00" not in row and "Prix unitaire" in row
    rates = client.get(reverse("admin:syncapp_representant_changelist")).content.decode()
    assert "7,50" in rates and "Taux de commission" in rates
